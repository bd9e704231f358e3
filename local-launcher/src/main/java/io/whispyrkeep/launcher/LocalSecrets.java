package io.whispyrkeep.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
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
 * key, the transit master key (the local stand-in for Vault's transit key), the service-to-service
 * client secrets, and the first admin's credentials. Production takes the same values from
 * Kubernetes Secrets.
 */
public final class LocalSecrets {

  /** Services that get client credentials for service-to-service calls. */
  static final List<String> CLIENTS = List.of("keyvault-service", "turn-service", "audit-service");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path secrets;
  private final Map<String, String> admin;
  private final Map<String, String> clients;

  private LocalSecrets(Path secrets, Map<String, String> admin, Map<String, String> clients) {
    this.secrets = secrets;
    this.admin = admin;
    this.clients = clients;
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
    Path transit = secrets.resolve("transit-master.key");
    if (!Files.exists(transit)) {
      byte[] key = new byte[32];
      RANDOM.nextBytes(key);
      writeSecret(transit, Base64.getEncoder().encodeToString(key) + "\n");
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
    return new LocalSecrets(secrets, readEnv(adminFile), readEnv(clientsFile));
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
    }
    String own = clientVariable(service);
    if (clients.containsKey(own)) {
      env.put("WK_CLIENT_SECRET", clients.get(own));
    }
    return env;
  }

  /** A fresh RSA-3072 private key, PKCS#8 PEM. */
  private static String rsaPrivateKeyPem() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(3072);
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
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
