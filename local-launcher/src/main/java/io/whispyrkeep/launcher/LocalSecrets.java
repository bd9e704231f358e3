package io.whispyrkeep.launcher;

import io.whispyrkeep.devinfra.kafka.KafkaCredentials;
import io.whispyrkeep.devinfra.keys.PemText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The local run's secrets, generated once into the git-ignored {@code .local/} folder with
 * owner-only permissions and reused afterwards: the JWT signing key, the audit checkpoint signing
 * key, one Ed25519 event signing key per service, the transit master key (the local stand-in for
 * Vault's transit key), the service-to-service client secrets, the Kafka principals' passwords, and
 * the first admin's credentials. Production takes the same values from Kubernetes Secrets.
 */
public final class LocalSecrets {

  /** Services that get client credentials for service-to-service calls. */
  static final List<String> CLIENTS = List.of("keyvault-service", "turn-service", "audit-service");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path secrets;
  private final Map<String, String> admin;
  private final Map<String, String> clients;
  private final KafkaCredentials kafka;
  private final Map<String, String> database;

  private LocalSecrets(
      Path secrets,
      Map<String, String> admin,
      Map<String, String> clients,
      KafkaCredentials kafka,
      Map<String, String> database) {
    this.secrets = secrets;
    this.admin = admin;
    this.clients = clients;
    this.kafka = kafka;
    this.database = database;
  }

  /** Reads the secrets, generating whatever is missing. */
  static LocalSecrets ensure(Path local) throws IOException, GeneralSecurityException {
    Path secrets = local.resolve("secrets");
    Files.createDirectories(secrets);
    for (String key : List.of("jwt-signing-key.pem", "audit-checkpoint-key.pem")) {
      Path file = secrets.resolve(key);
      if (!Files.exists(file)) {
        writeSecret(file, rsaPrivateKeyPem());
      }
    }
    // keyvault-service's transit master key (KEK) and the HMAC key of key fingerprints.
    for (String name : List.of("transit-master.key", "keyvault-fingerprint.key")) {
      Path file = secrets.resolve(name);
      if (!Files.exists(file)) {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        writeSecret(file, Base64.getEncoder().encodeToString(key) + "\n");
      }
    }
    Path clientsFile = secrets.resolve("service-clients.env");
    if (!Files.exists(clientsFile)) {
      StringBuilder env = new StringBuilder();
      for (String client : CLIENTS) {
        env.append(clientVariable(client)).append('=').append(token(32)).append('\n');
      }
      writeSecret(clientsFile, env.toString());
    }
    Path adminFile = local.resolve("admin.env");
    if (!Files.exists(adminFile)) {
      writeSecret(
          adminFile,
          "WK_ADMIN_EMAIL=admin@whispyrkeep.local\nWK_ADMIN_PASSWORD=" + adminPassword() + "\n");
    }
    ensureEventSigningKeys(secrets);
    return new LocalSecrets(
        secrets,
        readEnv(adminFile),
        readEnv(clientsFile),
        ensureKafkaCredentials(secrets),
        ensureDatabasePasswords(secrets));
  }

  /**
   * PostgreSQL passwords ({@code postgres.env}): the superuser's, set on the server at its first
   * start, and one per service role ({@link DatabaseRoles}), set again on every start. Roles added
   * by a later version get theirs generated into the existing file.
   */
  private static Map<String, String> ensureDatabasePasswords(Path secrets) throws IOException {
    Path file = secrets.resolve("postgres.env");
    Map<String, String> env =
        Files.exists(file) ? new LinkedHashMap<>(readEnv(file)) : new LinkedHashMap<>();
    boolean added = false;
    for (String role : DatabaseRoles.allWithSuperuser()) {
      if (!env.containsKey(databaseVariable(role))) {
        env.put(databaseVariable(role), token(24));
        added = true;
      }
    }
    if (added) {
      StringBuilder text = new StringBuilder();
      env.forEach((name, value) -> text.append(name).append('=').append(value).append('\n'));
      writeSecret(file, text.toString());
    }
    return env;
  }

  static String databaseVariable(String role) {
    return "WK_POSTGRES_" + role.toUpperCase() + "_PASSWORD";
  }

  /** The password of a PostgreSQL role ({@code postgres} for the superuser). */
  String databasePassword(String role) {
    return database.get(databaseVariable(role));
  }

  /**
   * The Kafka principals' SCRAM passwords ({@code kafka-users.env}): the broker's super user's and
   * one per service. The broker is formatted with them on first start, so they belong with {@code
   * .local/data/kafka}: a broker on kept data refuses newly generated ones.
   */
  private static KafkaCredentials ensureKafkaCredentials(Path secrets) throws IOException {
    Path file = secrets.resolve("kafka-users.env");
    if (!Files.exists(file)) {
      StringBuilder env = new StringBuilder();
      KafkaCredentials.generate()
          .passwords()
          .forEach(
              (principal, password) ->
                  env.append(kafkaVariable(principal)).append('=').append(password).append('\n'));
      writeSecret(file, env.toString());
    }
    Map<String, String> env = readEnv(file);
    Map<String, String> passwords = new LinkedHashMap<>();
    for (String principal : KafkaCredentials.principals()) {
      passwords.put(principal, env.get(kafkaVariable(principal)));
    }
    return new KafkaCredentials(passwords);
  }

  static String kafkaVariable(String principal) {
    return "WK_KAFKA_" + principal.toUpperCase().replace('-', '_') + "_PASSWORD";
  }

  /** The broker's credentials: its super user and every service's principal. */
  KafkaCredentials kafka() {
    return kafka;
  }

  /** Services that publish security events, each with its own Ed25519 signing key. */
  static final List<String> EVENT_PUBLISHERS =
      List.of("auth-service", "keyvault-service", "turn-service", "audit-service");

  /**
   * One Ed25519 key pair per publishing service ({@code event-keys/<service>.pem}, PKCS#8, and
   * {@code <service>.pub.pem}): each service signs its events with its own key, and audit-service
   * trusts each public key for that service's events only.
   */
  private static void ensureEventSigningKeys(Path secrets)
      throws IOException, GeneralSecurityException {
    Path folder = secrets.resolve("event-keys");
    Files.createDirectories(folder);
    for (String service : EVENT_PUBLISHERS) {
      Path privateKey = folder.resolve(service + ".pem");
      Path publicKey = folder.resolve(service + ".pub.pem");
      if (!Files.exists(privateKey) || !Files.exists(publicKey)) {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        writeSecret(privateKey, PemText.privateKey(pair.getPrivate()));
        Files.writeString(publicKey, PemText.publicKey(pair.getPublic()));
      }
    }
  }

  /** A service's own event signing key; for audit-service also every publisher's public key. */
  private Map<String, String> eventSigningEnvironment(String service) {
    Map<String, String> env = new LinkedHashMap<>();
    Path folder = secrets.resolve("event-keys");
    if (EVENT_PUBLISHERS.contains(service)) {
      env.put("WK_EVENT_SIGNING_KEY_FILE", folder.resolve(service + ".pem").toString());
    }
    if (service.equals("audit-service")) {
      for (String publisher : EVENT_PUBLISHERS) {
        env.put(
            "WK_EVENT_KEYS_" + publisher.toUpperCase().replace('-', '_'),
            folder.resolve(publisher + ".pub.pem").toString());
      }
    }
    return env;
  }

  /** Environment for one service: where its key files are and the secrets it may know. */
  Map<String, String> environment(String service) {
    Map<String, String> env = new LinkedHashMap<>();
    if (service.equals("auth-service")) {
      env.put("WK_JWT_SIGNING_KEY_FILE", secrets.resolve("jwt-signing-key.pem").toString());
      env.putAll(admin);
      // auth-service stores client secrets only as SHA-256 digests.
      clients.forEach((name, secret) -> env.put(name + "_SHA256", sha256Hex(secret)));
    }
    if (service.equals("audit-service")) {
      env.put(
          "WK_AUDIT_CHECKPOINT_KEY_FILE", secrets.resolve("audit-checkpoint-key.pem").toString());
    }
    if (service.equals("keyvault-service")) {
      env.put("WK_TRANSIT_MASTER_KEY_FILE", secrets.resolve("transit-master.key").toString());
      env.put(
          "WK_KEYVAULT_FINGERPRINT_KEY_FILE",
          secrets.resolve("keyvault-fingerprint.key").toString());
    }
    env.putAll(eventSigningEnvironment(service));
    String own = clientVariable(service);
    if (clients.containsKey(own)) {
      env.put("WK_CLIENT_SECRET", clients.get(own));
    }
    // Its own Kafka principal only (the platform names the principal after the service).
    env.put("WK_KAFKA_PASSWORD", kafka.password(service));
    return env;
  }

  /** A fresh RSA-3072 private key, PKCS#8 PEM. */
  private static String rsaPrivateKeyPem() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(3072);
    return PemText.privateKey(generator.generateKeyPair().getPrivate());
  }

  static String sha256Hex(String secret) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String clientVariable(String service) {
    return "WK_CLIENT_" + service.toUpperCase().replace('-', '_') + "_SECRET";
  }

  /** 24 characters with every class the password policy asks for. */
  static String adminPassword() {
    String password;
    do {
      password = token(18) + "!7aZ";
    } while (password.startsWith("-"));
    return password;
  }

  private static String token(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  private static Map<String, String> readEnv(Path file) throws IOException {
    Properties properties = new Properties();
    try (var reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    }
    Map<String, String> env = new LinkedHashMap<>();
    properties.stringPropertyNames().stream()
        .sorted()
        .forEach(name -> env.put(name, properties.getProperty(name)));
    return env;
  }

  private static void writeSecret(Path file, String content) throws IOException {
    Files.writeString(file, content);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the folder is still git-ignored.
    }
  }
}
