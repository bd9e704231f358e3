package io.whispyrkeep.auth.lockout;

import static io.whispyrkeep.auth.support.AuthApi.GOOD_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.whispyrkeep.auth.support.AuthApi;
import io.whispyrkeep.auth.support.AuthKeysTestResource;
import io.whispyrkeep.auth.support.OutboxRows;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import io.whispyrkeep.testsupport.time.MutableClock;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Brute-force protection with the application's clock under test control: per-address locks that
 * start at one minute and double, the owner's other address unaffected, the account-wide lock after
 * 20 failures, the alert after 5, and rate limits per address.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = AuthKeysTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class LockoutQuarkusTest {

  private static final String WRONG = "Wrong-Password-123!";

  @Inject MutableClock clock;

  private static void fail(String email, String address, int times) {
    for (int i = 0; i < times; i++) {
      AuthApi.login(email, WRONG, address).then().statusCode(401);
    }
  }

  private static String subjectOf(String email) {
    return OutboxRows.strings("SELECT id::text FROM account WHERE email = ?", email).get(0);
  }

  @Test
  void fiveFailures_lockThatAddressForOneMinute_thenTwo_otherAddressUnaffected() {
    String attacker = AuthApi.randomAddress();
    String owner = AuthApi.randomAddress();
    String email = AuthApi.newPlayer(owner);

    fail(email, attacker, 5);
    AuthApi.login(email, GOOD_PASSWORD, attacker).then().statusCode(401);
    clock.advance(Duration.ofSeconds(61));
    fail(email, attacker, 1); // sixth consecutive failure: lock doubles to two minutes
    clock.advance(Duration.ofSeconds(61));
    AuthApi.login(email, GOOD_PASSWORD, attacker).then().statusCode(401);

    AuthApi.login(email, GOOD_PASSWORD, owner).then().statusCode(200);

    String subject = subjectOf(email);
    List<String> locks = OutboxRows.payloads("auth.lockout", subject);
    assertThat(locks).hasSize(2);
    assertThat(locks.get(0)).contains("\"lockSeconds\":\"60\"").contains("\"scope\":\"address\"");
    assertThat(locks.get(1)).contains("\"lockSeconds\":\"120\"");
    assertThat(OutboxRows.payloads("auth.alert.failed_logins", subject)).hasSize(1);
  }

  @Test
  void lockExpires_ownerSignsInFromSameAddress() {
    String address = AuthApi.randomAddress();
    String email = AuthApi.newPlayer(address);
    fail(email, address, 5);
    AuthApi.login(email, GOOD_PASSWORD, address).then().statusCode(401);
    clock.advance(Duration.ofSeconds(61));
    AuthApi.login(email, GOOD_PASSWORD, address).then().statusCode(200);
  }

  @Test
  void twentyFailuresFromManyAddresses_lockEverywhere_criticalEvent_thenExpires() {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    for (int i = 0; i < 5; i++) {
      fail(email, AuthApi.randomAddress(), 4); // never five from one address
    }
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).then().statusCode(401);

    String subject = subjectOf(email);
    List<String> locks = OutboxRows.payloads("auth.lockout", subject);
    assertThat(locks).hasSize(1);
    assertThat(locks.get(0))
        .contains("\"severity\":\"CRITICAL\"")
        .contains("\"scope\":\"account\"");

    clock.advance(Duration.ofMinutes(16));
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).then().statusCode(200);
  }

  @Test
  void success_resetsCounters() {
    String address = AuthApi.randomAddress();
    String email = AuthApi.newPlayer(address);
    fail(email, address, 4);
    AuthApi.login(email, GOOD_PASSWORD, address).then().statusCode(200);
    fail(email, address, 4);
    AuthApi.login(email, GOOD_PASSWORD, address).then().statusCode(200);
    assertThat(OutboxRows.payloads("auth.lockout", subjectOf(email))).isEmpty();
  }

  @Test
  void loginsAboveLimitFromOneAddress_429WithRetryAfterAndEvent() {
    String address = AuthApi.randomAddress();
    // Windows are whole minutes: 61 requests span at most two, so one of them must overflow.
    Response limited = null;
    int allowed = 0;
    for (int i = 0; i < 61 && limited == null; i++) {
      Response response = AuthApi.login("rate-" + i + "@example.com", WRONG, address);
      if (response.statusCode() == 429) {
        limited = response;
      } else {
        response.then().statusCode(401);
        allowed++;
      }
    }
    assertThat(limited).as("a 429 within 61 requests").isNotNull();
    assertThat(allowed).isGreaterThanOrEqualTo(30);
    limited
        .then()
        .statusCode(429)
        .contentType("application/problem+json")
        .header("Retry-After", org.hamcrest.Matchers.notNullValue());
    assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 60);
    assertThat(OutboxRows.payloads("auth.rate_limited", address)).isNotEmpty();
    // Another address is not affected.
    AuthApi.login("rate-x@example.com", WRONG, AuthApi.randomAddress()).then().statusCode(401);
  }
}
