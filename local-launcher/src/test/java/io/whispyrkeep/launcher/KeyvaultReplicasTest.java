package io.whispyrkeep.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.whispyrkeep.devinfra.kafka.KafkaServer;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.devinfra.keys.TestTokens;
import io.whispyrkeep.devinfra.postgres.PostgresServer;
import io.whispyrkeep.devinfra.process.PackagedService;
import io.whispyrkeep.testsupport.SharedInfrastructure;
import io.whispyrkeep.testsupport.time.RateWindows;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two keyvault-service replicas (the packaged application, as deployed, with the embedded transit
 * engine) on one PostgreSQL: a player's key changes are limited across both, and a rewrap whose
 * replica is killed (SIGKILL) half-way is resumed by the other where it stopped.
 *
 * <p>The kill comes last, so no replica has to be started again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeyvaultReplicasTest {

  /** Stored keys the rewrap walks, two per batch: enough batches to kill the worker between. */
  private static final int KEYS = 200;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern NUMBER = Pattern.compile("\"%s\":(-?\\d+)");

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<PackagedService> replicas = new ArrayList<>();
  private Path workDir;
  private Map<String, String> env;

  @BeforeAll
  void startTwoReplicas() throws Exception {
    PostgresServer postgres = SharedInfrastructure.postgres();
    KafkaServer kafka = SharedInfrastructure.kafka();
    String database = "keyvault_replicas_" + ProcessHandle.current().pid();
    postgres.createDatabase(database);
    workDir = Files.createTempDirectory("wk-keyvault-replicas-");
    env = new HashMap<>(PackagedService.environment(postgres, kafka, database, "keyvault-service"));
    env.put("WHISPYRKEEP_JWT_JWKS_URL", TestJwtKeys.jwksFile().toUri().toString());
    env.put("WHISPYRKEEP_JWT_ISSUER", TestTokens.ISSUER);
    env.put("WHISPYRKEEP_KEYVAULT_CUSTODY_LOCAL_MASTER_KEY", randomKey());
    env.put("WK_KEYVAULT_FINGERPRINT_KEY", randomKey());
    // Small batches and short leases, so that a rewrap is caught half-way and resumed in seconds.
    env.put("WHISPYRKEEP_KEYVAULT_REWRAP_BATCH_SIZE", "2");
    env.put("WHISPYRKEEP_KEYVAULT_REWRAP_LEASE", "3s");
    env.put("WHISPYRKEEP_KEYVAULT_REWRAP_RESUME_EVERY", "1s");
    // The scheduler only resumes dead runs here: the run under test is the one the admin starts.
    env.put("WHISPYRKEEP_KEYVAULT_REWRAP_EVERY", "24h");
    ExecutorService starter = Executors.newFixedThreadPool(2);
    try {
      List<Future<PackagedService>> starting = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Path log = workDir.resolve("replica-" + i + ".log");
        starting.add(
            starter.submit(() -> PackagedService.start("keyvault-service", env, Map.of(), log)));
      }
      for (Future<PackagedService> replica : starting) {
        replicas.add(replica.get());
      }
    } finally {
      starter.shutdown();
    }
  }

  @AfterAll
  void stopReplicas() throws Exception {
    for (PackagedService replica : replicas) {
      replica.close();
    }
  }

  @Test
  @Order(1)
  void keyChangesSpreadOverReplicas_tenPerHourInAll() throws Exception {
    String player = UUID.randomUUID().toString();
    // The twelve changes must fall in one hour window, or neither window goes over the limit.
    RateWindows.awaitRoom(Clock.systemUTC(), Duration.ofHours(1), Duration.ofSeconds(30));
    for (int i = 0; i < 10; i++) {
      assertThat(
              put(i % 2, player, "sk-replica" + UUID.randomUUID().toString().replace("-", ""))
                  .statusCode())
          .isIn(200, 201);
    }
    HttpResponse<String> refused0 = put(0, player, "sk-replica-eleventh-0123456789abc");
    HttpResponse<String> refused1 = put(1, player, "sk-replica-eleventh-0123456789abc");
    assertThat(refused0.statusCode()).isEqualTo(429);
    assertThat(refused1.statusCode()).isEqualTo(429);
    assertThat(refused1.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  @Order(2)
  void rewrapReplicaKilledHalfWay_otherReplicaResumesAndFinishes() throws Exception {
    String admin = TestTokens.valid("admin-" + UUID.randomUUID(), "keyvault-service", "admin");
    // A finished run (nothing behind yet), so that the scheduler never starts one on its own.
    assertThat(admin(0, "POST", "/admin/keys/rewrap", admin).statusCode()).isEqualTo(202);
    storeKeys(KEYS);
    assertThat(admin(0, "POST", "/admin/keys/rotate", admin).statusCode()).isEqualTo(200);
    // Replica 1 learns of the rotation within its key-state refresh before it may take over.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                number(admin(1, "GET", "/admin/keys/rewrap", admin).body(), "latestVersion")
                    == number(
                        admin(0, "GET", "/admin/keys/rewrap", admin).body(), "latestVersion"));
    HttpResponse<String> started = admin(0, "POST", "/admin/keys/rewrap", admin);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    assertThat(number(started.body(), "total")).isGreaterThanOrEqualTo(KEYS);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> number(admin(1, "GET", "/admin/keys/rewrap", admin).body(), "rewrapped") > 0);
    replicas.get(0).kill();
    // Killed half-way: the run is still "running", under a lease nobody renews.
    String atKill = admin(1, "GET", "/admin/keys/rewrap", admin).body();
    assertThat(atKill).contains("\"running\"");
    assertThat(number(atKill, "rewrapped")).isLessThan(number(atKill, "total"));

    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> admin(1, "GET", "/admin/keys/rewrap", admin).body().contains("\"finished\""));
    String progress = admin(1, "GET", "/admin/keys/rewrap", admin).body();
    assertThat(number(progress, "remaining")).as(progress).isZero();
    assertThat(number(progress, "rewrapped")).as(progress).isEqualTo(number(progress, "total"));
    assertThat(number(progress, "total")).isGreaterThanOrEqualTo(KEYS);
  }

  /** One key for each of {@code count} new players, eight requests at a time, on both replicas. */
  private void storeKeys(int count) throws Exception {
    List<CompletableFuture<Integer>> inFlight = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      if (inFlight.size() == 8) {
        for (CompletableFuture<Integer> status : inFlight) {
          assertThat(status.get()).isEqualTo(201);
        }
        inFlight.clear();
      }
      inFlight.add(
          http.sendAsync(
                  putRequest(i % 2, UUID.randomUUID().toString(), "sk-rewrap" + i + "x".repeat(20)),
                  HttpResponse.BodyHandlers.discarding())
              .thenApply(HttpResponse::statusCode));
    }
    for (CompletableFuture<Integer> status : inFlight) {
      assertThat(status.get()).isEqualTo(201);
    }
  }

  private HttpResponse<String> put(int replica, String player, String apiKey) throws Exception {
    return http.send(putRequest(replica, player, apiKey), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest putRequest(int replica, String player, String apiKey) {
    return HttpRequest.newBuilder(replicas.get(replica).uri("/keys/openai"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + TestTokens.valid(player, "keyvault-service", "player"))
        .timeout(Duration.ofSeconds(30))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"apiKey\":\"" + apiKey + "\"}"))
        .build();
  }

  private HttpResponse<String> admin(int replica, String method, String path, String token)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(replicas.get(replica).uri(path))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(30))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long number(String json, String field) {
    Matcher matcher = Pattern.compile(String.format(NUMBER.pattern(), field)).matcher(json);
    assertThat(matcher.find()).as(field + " in " + json).isTrue();
    return Long.parseLong(matcher.group(1));
  }

  private static String randomKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }
}
