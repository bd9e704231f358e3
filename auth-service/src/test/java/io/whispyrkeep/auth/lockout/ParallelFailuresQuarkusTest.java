package io.whispyrkeep.auth.lockout;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.whispyrkeep.auth.support.AuthApi;
import io.whispyrkeep.auth.support.AuthKeysTestResource;
import io.whispyrkeep.auth.support.OutboxRows;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The counters are atomic: 50 wrong passwords sent at once count exactly 50 (Keycloak's brute force
 * detector once lost increments under this race). Thresholds are raised so no lock stops the count.
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
