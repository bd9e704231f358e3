package io.whispyrkeep.devinfra.keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Ed25519 event signing keys for tests, one per name (a service, or a stranger nobody trusts),
 * generated on first use under {@code target/test-event-keys/<name>/} and never committed. Files,
 * not fields, because Quarkus loads test resources and tests in different class loaders. Records
 * signed here carry the headers the platform outbox writes ({@code wk-sig}, {@code wk-kid}), so
 * tests produce events the way services do, or forge them on purpose.
 */
public final class TestEventKeys {

  /** The key of whatever service a {@code @QuarkusTest} runs (its outbox signs with it). */
  public static final String SERVICE_UNDER_TEST = "service-under-test";

  /** The suite's publishing services, as they name themselves in an event's {@code source}. */
  public static final List<String> SERVICES =
      List.of("auth-service", "keyvault-service", "turn-service", "audit-service");

  /** Header names, as {@code io.whispyrkeep.platform.event.EventSignature} defines them. */
  public static final String SIGNATURE_HEADER = "wk-sig";

  public static final String KEY_ID_HEADER = "wk-kid";

  private static final Path DIRECTORY = Path.of("target", "test-event-keys");

  private TestEventKeys() {}

  /** PKCS#8 PEM private key of {@code name}, created on first use. */
  public static Path privateKeyFile(String name) {
    return ensure(name).resolve("private.pem");
  }

  /** PEM public key of {@code name}, created on first use. */
  public static Path publicKeyFile(String name) {
    return ensure(name).resolve("public.pem");
  }

  /** RFC 8037 thumbprint of {@code name}'s public key: the id its signatures carry. */
  public static String keyId(String name) {
    try {
      byte[] spki = pemBody(Files.readString(publicKeyFile(name)));
      byte[] raw = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
      String jwk =
          "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\""
              + Base64.getUrlEncoder().withoutPadding().encodeToString(raw)
              + "\"}";
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(
              MessageDigest.getInstance("SHA-256").digest(jwk.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Ed25519 signature of {@code payload} with {@code name}'s key. */
  public static byte[] sign(String name, byte[] payload) {
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initSign(privateKey(name));
      signature.update(payload);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The headers the outbox would write for {@code value} signed by {@code name}. */
  public static Headers headers(String name, String value) {
    return rawHeaders(
        keyId(name),
        Base64.getEncoder().encodeToString(sign(name, value.getBytes(StandardCharsets.UTF_8))));
  }

  /** Headers with any key id and signature text (for forged and malformed records). */
  public static Headers rawHeaders(String keyId, String base64Signature) {
    RecordHeaders headers = new RecordHeaders();
    if (base64Signature != null) {
      headers.add(SIGNATURE_HEADER, base64Signature.getBytes(StandardCharsets.US_ASCII));
    }
    if (keyId != null) {
      headers.add(KEY_ID_HEADER, keyId.getBytes(StandardCharsets.US_ASCII));
    }
    return headers;
  }

  /** A record signed by {@code name}, as its outbox would publish it. */
  public static ProducerRecord<String, String> signedRecord(
      String name, String topic, String key, String value) {
    return new ProducerRecord<>(topic, null, key, value, headers(name, value));
  }

  /**
   * audit-service configuration that trusts each suite service's test key for its own {@code
   * source}, and {@link #SERVICE_UNDER_TEST}'s key for audit-service's own events.
   */
  public static Map<String, String> auditTrustConfig() {
    Map<String, String> config = new LinkedHashMap<>();
    for (String service : SERVICES) {
      String key = service.equals("audit-service") ? SERVICE_UNDER_TEST : service;
      config.put(
          "whispyrkeep.audit.event-keys." + service + ".public-key-files",
          publicKeyFile(key).toString());
    }
    return config;
  }

  /**
   * Environment of a packaged service: its own signing key, and (read by audit-service) every
   * service's public key under {@code WK_EVENT_KEYS_<SERVICE>}.
   */
  public static Map<String, String> packagedEnvironment(String service) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("WK_EVENT_SIGNING_KEY_FILE", privateKeyFile(service).toString());
    for (String source : SERVICES) {
      env.put(
          "WK_EVENT_KEYS_" + source.toUpperCase().replace('-', '_'),
          publicKeyFile(source).toString());
    }
    return env;
  }

  private static PrivateKey privateKey(String name) {
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePrivate(
              new PKCS8EncodedKeySpec(pemBody(Files.readString(privateKeyFile(name)))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The key folder of {@code name}. A new pair is written to a folder of its own and renamed into
   * place, so concurrent first uses (several class loaders, or JVMs) agree on one pair.
   */
  private static Path ensure(String name) {
    if (!name.matches("[a-z0-9-]{1,64}")) {
      throw new IllegalArgumentException("key name: " + name);
    }
    Path folder = DIRECTORY.resolve(name).toAbsolutePath();
    if (Files.isRegularFile(folder.resolve("public.pem"))) {
      return folder;
    }
    try {
      Files.createDirectories(DIRECTORY);
      Path fresh = DIRECTORY.resolve(name + ".tmp-" + UUID.randomUUID()).toAbsolutePath();
      Files.createDirectories(fresh);
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      KeyPair pair = generator.generateKeyPair();
      Files.writeString(fresh.resolve("private.pem"), PemText.privateKey(pair.getPrivate()));
      Files.writeString(fresh.resolve("public.pem"), PemText.publicKey(pair.getPublic()));
      try {
        Files.move(fresh, folder, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        delete(fresh);
        if (!Files.isRegularFile(folder.resolve("public.pem"))) {
          throw e;
        } // else another first use won the rename: use its pair
      }
      return folder;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void delete(Path folder) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  private static byte[] pemBody(String pem) {
    return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
  }
}
