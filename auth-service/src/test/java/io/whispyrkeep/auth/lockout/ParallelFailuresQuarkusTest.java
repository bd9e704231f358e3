package io.whispyrkeep.auth.lockout;

import static io.whispyrkeep.auth.support.AuthApi.GOOD_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.whispyrkeep.auth.password.HashingExecutor;
import io.whispyrkeep.auth.support.AuthApi;
import io.whispyrkeep.auth.support.AuthKeysTestResource;
import io.whispyrkeep.auth.support.OutboxRows;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Parallel sign-ins: the counters are atomic (50 wrong passwords sent at once count exactly 50;
 * Keycloak's brute force detector once lost increments under this race), and a burst of guesses
 * cannot slip a right password past a threshold crossed while it was being hashed. Thresholds are
 * raised so no lock stops the count.
 */
@QuarkusTest
@TestProfile(ParallelFailuresQuarkusTest.HighThresholds.class)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = AuthKeysTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ParallelFailuresQuarkusTest {

  /** Locks out of the way, so every failure is counted. */
  public static class HighThresholds implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "whispyrkeep.auth.lockout.address-threshold", "1000",
          "whispyrkeep.auth.lockout.account-threshold", "1000",
          "whispyrkeep.auth.rate-limit.login-per-minute", "1000");
    }
  }

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
    String ownerDevice =
        AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).path("device_token");
    String subject =
        OutboxRows.strings("SELECT id::text FROM account WHERE email = ?", email).get(0);
    try (Connection connection = OutboxRows.connect();
        PreparedStatement seed =
            connection.prepareStatement(
                "INSERT INTO login_failure (account_id, client_ip, failed_at)"
                    + " SELECT ?::uuid, '198.51.100.1', ? FROM generate_series(1, 999)")) {
      seed.setString(1, subject);
      seed.setObject(2, OffsetDateTime.ofInstant(clock.instant().minusSeconds(60), ZoneOffset.UTC));
      seed.executeUpdate();
    }

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      long accepted = hashing.tasksAccepted();
      List<Future<Integer>> wrong = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        wrong.add(
            pool.submit(
                () ->
                    AuthApi.login(email, "Wrong-Password-123!", AuthApi.randomAddress())
                        .statusCode()));
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
    assertThat(OutboxRows.payloads("auth.login_failure", subject))
        .anySatisfy(
            failure -> assertThat(failure).contains("\"reason\":\"unknown_device_during_attack\""));
    assertThat(OutboxRows.payloads("auth.lockout", subject)).hasSize(1);
  }

  @Test
  void fiftyParallelWrongPasswords_countExactlyFifty() throws Exception {
    String address = AuthApi.randomAddress();
    String email = AuthApi.newPlayer(address);
    ExecutorService pool = Executors.newFixedThreadPool(50);
    try {
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        statuses.add(
            pool.submit(() -> AuthApi.login(email, "Wrong-Password-123!", address).statusCode()));
      }
      for (Future<Integer> status : statuses) {
        assertThat(status.get()).isEqualTo(401);
      }
    } finally {
      pool.shutdown();
    }
    assertThat(
            OutboxRows.strings(
                "SELECT consecutive_failures::text FROM account WHERE email = ?", email))
        .containsExactly("50");
    assertThat(
            OutboxRows.strings(
                "SELECT l.consecutive_failures::text FROM login_lock l JOIN account a ON a.id = l.account_id"
                    + " WHERE a.email = ?",
                email))
        .containsExactly("50");
    assertThat(
            OutboxRows.strings(
                "SELECT count(*)::text FROM login_failure f JOIN account a ON a.id = f.account_id"
                    + " WHERE a.email = ?",
                email))
        .containsExactly("50");
  }
}
