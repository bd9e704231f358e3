package io.whispyrkeep.auth.lockout;

import static io.whispyrkeep.auth.support.AuthApi.GOOD_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.whispyrkeep.auth.password.HashingExecutor;
import io.whispyrkeep.auth.support.AuthApi;
import io.whispyrkeep.auth.support.AuthKeysTestResource;
import io.whispyrkeep.platform.event.SecurityEventTopics;
import io.whispyrkeep.testsupport.db.ServiceDatabase;
import io.whispyrkeep.testsupport.kafka.SecurityEventReader;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import io.whispyrkeep.testsupport.time.MutableClock;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Parallel sign-ins, as a caller and the security team see them: the counters are atomic (50 wrong
 * passwords sent at once reach each threshold of 50 exactly once; Keycloak's brute force detector
 * once lost increments under this race), and a burst of guesses cannot slip a right password past a
 * threshold crossed while it was being hashed. Every threshold is 50, so that nothing stops the
 * count before the 50th failure.
 */
@QuarkusTest
@TestProfile(ParallelFailuresQuarkusTest.Thresholds50.class)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = AuthKeysTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ParallelFailuresQuarkusTest {

  private static final int THRESHOLD = 50;
  private static final String WRONG = "Wrong-Password-123!";
  private static final Duration ARRIVAL = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Every lockout threshold at {@value #THRESHOLD}, and no rate limit in the way. */
  public static class Thresholds50 implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "whispyrkeep.auth.lockout.alert-threshold", Integer.toString(THRESHOLD),
          "whispyrkeep.auth.lockout.address-threshold", Integer.toString(THRESHOLD),
          "whispyrkeep.auth.lockout.account-threshold", Integer.toString(THRESHOLD),
          "whispyrkeep.auth.rate-limit.login-per-minute", "1000");
    }
  }

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Inject MutableClock clock;

  @Inject HashingExecutor hashing;

  /**
   * The account is one failure short of its protection when a burst of wrong guesses arrives, and
   * the right password from an unknown device arrives while they are still being hashed: it passed
   * every check there was before its hash, but the first wrong guess recorded puts the account
   * under attack, so the outcome (decided after the hash, under the account's row lock) is 401. The
   * owner's known device, in the same burst, still signs in.
   */
  @Test
  void burstOfGuesses_rightPasswordHashedAfterThresholdCrossed_refused_knownDeviceSignsIn()
      throws Exception {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    var ownerLogin = AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress());
    String ownerDevice = ownerLogin.path("device_token");
    String subject = subject(ownerLogin.path("access_token"));
    // Arranged directly: THRESHOLD - 1 failures an hour-long attack would have left behind.
    try (Connection connection = ServiceDatabase.connect();
        PreparedStatement seed =
            connection.prepareStatement(
                "INSERT INTO login_failure (account_id, client_ip, failed_at)"
                    + " SELECT ?::uuid, '198.51.100.1', ? FROM generate_series(1, ?)")) {
      seed.setString(1, subject);
      seed.setObject(2, OffsetDateTime.ofInstant(clock.instant().minusSeconds(60), ZoneOffset.UTC));
      seed.setInt(3, THRESHOLD - 1);
      seed.executeUpdate();
    }

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      long accepted = hashing.tasksAccepted();
      List<Future<Integer>> wrong = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        wrong.add(
            pool.submit(() -> AuthApi.login(email, WRONG, AuthApi.randomAddress()).statusCode()));
      }
      // All six guesses have passed whatever precedes the hash and wait for it or run it.
      await()
          .pollInterval(Duration.ofMillis(5))
          .atMost(Duration.ofSeconds(30))
          .until(() -> hashing.tasksAccepted() >= accepted + 6);
      Future<Integer> right =
          pool.submit(
              () -> AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).statusCode());
      Future<Integer> owner =
          pool.submit(
              () ->
                  AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress(), ownerDevice, false)
                      .statusCode());
      for (Future<Integer> status : wrong) {
        assertThat(status.get()).isEqualTo(401);
      }
      assertThat(right.get()).isEqualTo(401);
      assertThat(owner.get()).isEqualTo(200);
    } finally {
      pool.shutdown();
    }
    // What the security team reads on security.events.
    assertThat(events("auth.login_failure", subject, 7))
        .anySatisfy(
            failure ->
                assertThat(failure.path("details").path("reason").asText())
                    .isEqualTo("unknown_device_during_attack"));
    assertThat(events("auth.lockout", subject, 1))
        .singleElement()
        .satisfies(
            lockout ->
                assertThat(lockout.path("details").path("scope").asText()).isEqualTo("account"));
  }

  @Test
  void fiftyParallelWrongPasswords_eachCounterReachesItsThresholdOnce_accountThenRefused()
      throws Exception {
    String address = AuthApi.randomAddress();
    String email = AuthApi.newPlayer(address);
    var ownerLogin = AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress());
    String subject = subject(ownerLogin.path("access_token"));
    ExecutorService pool = Executors.newFixedThreadPool(THRESHOLD);
    try {
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < THRESHOLD; i++) {
        statuses.add(pool.submit(() -> AuthApi.login(email, WRONG, address).statusCode()));
      }
      for (Future<Integer> status : statuses) {
        assertThat(status.get()).isEqualTo(401);
      }
    } finally {
      pool.shutdown();
    }

    // Every failure recorded once; a lost increment would leave a counter short of 50 (no
    // event), a doubled one would pass 50 twice or skip it.
    assertThat(events("auth.login_failure", subject, THRESHOLD)).hasSize(THRESHOLD);
    assertThat(events("auth.alert.failed_logins", subject, 1))
        .singleElement()
        .satisfies(
            alert ->
                assertThat(alert.path("details").path("consecutiveFailures").asText())
                    .isEqualTo("50"));
    List<JsonNode> lockouts = events("auth.lockout", subject, 2);
    assertThat(lockouts)
        .extracting(lockout -> lockout.path("details"))
        .anySatisfy(
            details -> {
              assertThat(details.path("scope").asText()).isEqualTo("address");
              assertThat(details.path("consecutiveFailures").asText()).isEqualTo("50");
            })
        .anySatisfy(
            details -> {
              assertThat(details.path("scope").asText()).isEqualTo("account");
              assertThat(details.path("failuresSinceLastLock").asText()).isEqualTo("50");
            })
        .hasSize(2);

    // Locked for that address, under attack for any unknown device: the right password is refused.
    assertThat(AuthApi.login(email, GOOD_PASSWORD, address).statusCode()).isEqualTo(401);
    assertThat(AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).statusCode())
        .isEqualTo(401);
  }

  /**
   * The distinct events of {@code type} about {@code subject} on security.events, waiting for
   * {@code expected} (a relay may deliver one twice; readers keep one per id).
   */
  private List<JsonNode> events(String type, String subject, int expected) {
    Map<String, JsonNode> byId = new java.util.LinkedHashMap<>();
    SecurityEventReader.read(
            bootstrapServers,
            SecurityEventTopics.SECURITY_EVENTS,
            record ->
                record.value() != null
                    && record.value().contains("\"type\":\"" + type + "\"")
                    && record.value().contains(subject),
            expected,
            ARRIVAL)
        .stream()
        .map(record -> parse(record.value()))
        .filter(event -> type.equals(event.path("type").asText()))
        .filter(event -> subject.equals(event.path("subject").asText()))
        .forEach(event -> byId.putIfAbsent(event.path("id").asText(), event));
    return List.copyOf(byId.values());
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String subject(String accessToken) {
    return parse(new String(Base64.getUrlDecoder().decode(accessToken.split("\\.")[1])))
        .path("sub")
        .asText();
  }
}
