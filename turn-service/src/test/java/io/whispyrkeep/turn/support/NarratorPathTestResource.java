package io.whispyrkeep.turn.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.whispyrkeep.devinfra.kafka.KafkaServer;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.devinfra.postgres.PostgresServer;
import io.whispyrkeep.devinfra.process.PackagedService;
import io.whispyrkeep.testsupport.SharedInfrastructure;
import io.whispyrkeep.testsupport.quarkus.OfflineNarratorTestResource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The narrator path as in production, for every turn-service QuarkusTest (one boot with {@code
 * MATCHING_RESOURCES}): auth-service and keyvault-service as their packaged jars ({@code
 * target/quarkus-app/quarkus-run.jar}, built by the reactor before turn-service) on databases of
 * the shared PostgreSQL and on the shared Kafka, and the offline narrator (an OpenAI-compatible
 * STAND-IN for LLM providers, {@link OfflineNarratorTestResource}) behind keyvault-service.
 * turn-service then verifies the real auth-service's tokens through its JWKS, exchanges them with
 * its client secret, and calls keyvault-service's broker.
 *
 * <p>Differences from production, all test-only: login and registration limits raised (every test
 * player signs up from 127.0.0.1), and keyvault-service's per-player concurrent broker calls raised
 * to 16 so that the 8-at-once test measures turn-service's ordering, not keyvault's bound.
 */
public class NarratorPathTestResource implements QuarkusTestResourceLifecycleManager {

  private static final SecureRandom RANDOM = new SecureRandom();

  private static volatile PackagedService auth;
  private static volatile PackagedService keyvault;
  private static volatile Path workDir;
  private static volatile SwitchableProxy keyvaultNetwork;

  /** auth-service's base URL (register, login). */
  public static String authUrl() {
    return auth.uri("").toString();
  }

  /** keyvault-service's base URL (players' keys). */
  public static String keyvaultUrl() {
    return keyvault.uri("").toString();
  }

  /**
   * Makes keyvault-service unreachable for turn-service (its port refuses connections, as a stopped
   * service's does) or reachable again; players reach it directly either way.
   */
  public static void keyvaultReachable(boolean reachable) throws java.io.IOException {
    if (reachable) {
      keyvaultNetwork.up();
    } else {
      keyvaultNetwork.down();
    }
  }

  /** Folder of the packaged services' logs. */
  public static Path logs() {
    return workDir;
  }

  @Override
  public Map<String, String> start() {
    try {
      PostgresServer postgres = SharedInfrastructure.postgres();
      KafkaServer kafka = SharedInfrastructure.kafka();
      String suffix = Long.toString(ProcessHandle.current().pid());
      postgres.createDatabase("turn_auth_" + suffix);
      postgres.createDatabase("turn_keyvault_" + suffix);
      workDir = Files.createTempDirectory("wk-turn-narrator-path-");
      String clientSecret = randomKey();

      Path signingKey = workDir.resolve("jwt-signing-key.pem");
      Files.writeString(signingKey, TestJwtKeys.privateKeyPem(TestJwtKeys.generate()));
      Map<String, String> authEnv =
          new HashMap<>(
              PackagedService.environment(postgres, kafka, "turn_auth_" + suffix, "auth-service"));
      authEnv.put("WK_JWT_SIGNING_KEY_FILE", signingKey.toString());
      authEnv.put("WK_CLIENT_TURN_SERVICE_SECRET_SHA256", sha256Hex(clientSecret));
      authEnv.put("WHISPYRKEEP_AUTH_RATE_LIMIT_LOGIN_PER_MINUTE", "100000");
      authEnv.put("WHISPYRKEEP_AUTH_RATE_LIMIT_REGISTER_PER_MINUTE", "100000");
      auth = started("auth-service", authEnv, workDir.resolve("auth-service.log"));

      Map<String, String> keyvaultEnv =
          new HashMap<>(
              PackagedService.environment(
                  postgres, kafka, "turn_keyvault_" + suffix, "keyvault-service"));
      keyvaultEnv.put("WHISPYRKEEP_KEYVAULT_CUSTODY_LOCAL_MASTER_KEY", randomKey());
      keyvaultEnv.put("WK_KEYVAULT_FINGERPRINT_KEY", randomKey());
      keyvaultEnv.put("WK_OFFLINE_NARRATOR_ENABLED", "true");
      keyvaultEnv.put("WK_OFFLINE_NARRATOR_URL", OfflineNarratorTestResource.narrator().baseUrl());
      keyvaultEnv.put("WHISPYRKEEP_KEYVAULT_BROKER_MAX_CONCURRENT_PER_PLAYER", "16");
      // The JWKS URL needs auth-service's port, known only once it runs: wait for it first.
      keyvaultEnv.put("WHISPYRKEEP_JWT_JWKS_URL", auth.uri("/auth/jwks").toString());
      keyvault = started("keyvault-service", keyvaultEnv, workDir.resolve("keyvault-service.log"));

      // turn-service reaches keyvault-service through a forwarder a test can take down.
      keyvaultNetwork = SwitchableProxy.start(keyvault.uri("").getPort());
      return Map.of(
          "whispyrkeep.jwt.jwks-url",
          auth.uri("/auth/jwks").toString(),
          "whispyrkeep.turn.narrator.auth-url",
          authUrl(),
          "whispyrkeep.turn.narrator.keyvault-url",
          "http://127.0.0.1:" + keyvaultNetwork.port(),
          "whispyrkeep.turn.narrator.client-secret",
          clientSecret);
    } catch (Exception e) {
      throw new IllegalStateException("the narrator path did not start", e);
    }
  }

  @Override
  public void stop() {
    try {
      if (keyvaultNetwork != null) {
        keyvaultNetwork.close();
      }
      if (keyvault != null) {
        keyvault.close();
      }
      if (auth != null) {
        auth.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static PackagedService started(String service, Map<String, String> env, Path log) {
    try {
      return PackagedService.start(service, env, Map.of(), log);
    } catch (Exception e) {
      throw new IllegalStateException(service + " did not start", e);
    }
  }

  private static String randomKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static String sha256Hex(String secret) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
  }
}
