package io.whispyrkeep.auth.lockout;

import static io.whispyrkeep.auth.support.AuthApi.GOOD_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.whispyrkeep.auth.support.AuthApi;
import io.whispyrkeep.auth.support.AuthKeysTestResource;
import io.whispyrkeep.testsupport.db.ServiceDatabase;
import io.whispyrkeep.testsupport.http.LoopbackPeer;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import io.whispyrkeep.testsupport.time.MutableClock;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Brute-force protection with the application's clock under test control: per-address locks that
 * start at one minute and double, the owner's other address unaffected, the account-wide protection
 * after 20 failures that refuses unknown devices only, the alert after 5, and rate limits per
 * address with one event per window. An application of its own ({@code RESTRICTED_TO_CLASS}): the
 * tests move its clock by days, which tokens issued by other classes would not survive.
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
    return ServiceDatabase.strings("SELECT id::text FROM account WHERE email = ?", email).get(0);
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
    List<String> locks = ServiceDatabase.eventPayloads("auth.lockout", subject);
    assertThat(locks).hasSize(2);
    assertThat(locks.get(0)).contains("\"lockSeconds\":\"60\"").contains("\"scope\":\"address\"");
    assertThat(locks.get(1)).contains("\"lockSeconds\":\"120\"");
    assertThat(ServiceDatabase.eventPayloads("auth.alert.failed_logins", subject)).hasSize(1);
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

  private static List<String> rateLimitedEvents(String address) {
    return ServiceDatabase.eventPayloads("auth.rate_limited", "\"clientIp\":\"" + address + "\"");
  }

  /** Sum of the {@code refused} counts of the address's {@code auth.rate_limited} events. */
  private static int reportedRefusals(String address) {
    int reported = 0;
    for (String report : rateLimitedEvents(address)) {
      Matcher count = Pattern.compile("\"refused\":\"(\\d+)\"").matcher(report);
      assertThat(count.find()).as(report).isTrue();
      reported += Integer.parseInt(count.group(1));
    }
    return reported;
  }

  /** Twenty failures from five addresses, four each, so no per-address lock is involved. */
  private static void failFromManyAddresses(String email, int addresses) {
    for (int i = 0; i < addresses; i++) {
      fail(email, AuthApi.randomAddress(), 4);
    }
  }

  /** Signs in from a fresh address and returns the device token the login handed out. */
  private static String deviceTokenOf(String email) {
    Response login = AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress());
    login.then().statusCode(200);
    String token = login.path("device_token");
    assertThat(token).startsWith("wkdt1.");
    assertThat(login.getDetailedCookie("__Secure-wk-device").getValue()).isEqualTo(token);
    return token;
  }

  @Test
  void login_success_setsDeviceTokenAsStrictHttpOnlySecureCookieAndInBody() {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    Response login = AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress());
    login.then().statusCode(200);
    io.restassured.http.Cookie cookie = login.getDetailedCookie("__Secure-wk-device");
    assertThat(cookie.isHttpOnly()).isTrue();
    assertThat(cookie.isSecured()).isTrue();
    assertThat(cookie.getSameSite()).isEqualToIgnoringCase("Strict");
    assertThat(cookie.getPath()).isEqualTo("/auth/login");
    assertThat(cookie.getValue()).isEqualTo(login.<String>path("device_token"));
    // A failed login hands out nothing.
    Response failed = AuthApi.login(email, WRONG, AuthApi.randomAddress());
    failed.then().statusCode(401).body("$", not(hasKey("device_token")));
    assertThat(failed.getDetailedCookie("__Secure-wk-device")).isNull();
  }

  @Test
  void twentyFailuresFromManyAddresses_unknownDevicesRefused_ownerDevicesSignIn_thenExpires() {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    String ownerDevice = deviceTokenOf(email);
    failFromManyAddresses(email, 5);

    // Under attack: the right password from a client the account has never seen gets the same 401
    // as a wrong one; the owner's device gets in, from any address, by body or by cookie.
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress())
        .then()
        .statusCode(401)
        .body("type", equalTo("https://whispyrkeep.io/problems/invalid-credentials"));
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress(), ownerDevice, false)
        .then()
        .statusCode(200);
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress(), ownerDevice, true)
        .then()
        .statusCode(200);
    // ...and the owner's sign-ins did not lift the protection.
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).then().statusCode(401);

    String subject = subjectOf(email);
    List<String> locks = ServiceDatabase.eventPayloads("auth.lockout", subject);
    assertThat(locks).hasSize(1);
    assertThat(locks.get(0))
        .contains("\"severity\":\"CRITICAL\"")
        .contains("\"scope\":\"account\"");

    clock.advance(Duration.ofMinutes(16));
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).then().statusCode(200);
  }

  @Test
  void underAttack_foreignExpiredOrTamperedDeviceToken_refused() {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    String otherAccountsDevice = deviceTokenOf(AuthApi.newPlayer(AuthApi.randomAddress()));
    String ownDevice = deviceTokenOf(email);
    failFromManyAddresses(email, 5);

    int dot = ownDevice.lastIndexOf('.');
    char last = ownDevice.charAt(dot - 1);
    String tamperedPayload =
        ownDevice.substring(0, dot - 1) + (last == 'A' ? 'B' : 'A') + ownDevice.substring(dot);
    String noSignature = ownDevice.substring(0, dot + 1);
    for (String token :
        List.of(
            otherAccountsDevice,
            tamperedPayload,
            noSignature,
            "wkdt1.." + "A".repeat(10_000),
            "not-a-token")) {
      AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress(), token, false)
          .then()
          .statusCode(401);
    }
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress(), ownDevice, false)
        .then()
        .statusCode(200);

    // A device token expires (default 90 days) like any other.
    clock.advance(Duration.ofDays(91));
    failFromManyAddresses(email, 5);
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress(), ownDevice, false)
        .then()
        .statusCode(401);
  }

  @Test
  void protectionExpired_oneMoreFailure_doesNotRenewIt_freshThresholdDoes() {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    failFromManyAddresses(email, 5);
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).then().statusCode(401);

    clock.advance(Duration.ofMinutes(16));
    fail(email, AuthApi.randomAddress(), 1);
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).then().statusCode(200);

    clock.advance(Duration.ofMinutes(1));
    failFromManyAddresses(email, 5);
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).then().statusCode(401);
    assertThat(ServiceDatabase.eventPayloads("auth.lockout", subjectOf(email))).hasSize(2);
  }

  @Test
  void success_resetsCounters() {
    String address = AuthApi.randomAddress();
    String email = AuthApi.newPlayer(address);
    fail(email, address, 4);
    AuthApi.login(email, GOOD_PASSWORD, address).then().statusCode(200);
    fail(email, address, 4);
    AuthApi.login(email, GOOD_PASSWORD, address).then().statusCode(200);
    assertThat(ServiceDatabase.eventPayloads("auth.lockout", subjectOf(email))).isEmpty();
  }

  @Test
  void loginsAboveLimitFromOneAddress_429WithRetryAfter_thenOneEventPerWindowWithTheCount() {
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
    int refused = 1;
    for (int i = 0; i < 19; i++) {
      if (AuthApi.login("rate-more@example.com", WRONG, address).statusCode() == 429) {
        refused++;
      }
    }
    // One event per window once it has closed (reported by the scheduled job), with the count.
    clock.advance(Duration.ofMinutes(2));
    int refusedInTotal = refused;
    await().atMost(Duration.ofSeconds(30)).until(() -> reportedRefusals(address) == refusedInTotal);
    // The requests may have straddled two windows; never one event per refusal.
    assertThat(rateLimitedEvents(address)).hasSizeBetween(1, 2);
    // Another address is not affected.
    AuthApi.login("rate-x@example.com", WRONG, AuthApi.randomAddress()).then().statusCode(401);
  }

  @Test
  void loginsFromOneUntrustedPeer_rotatingForwardedFor_stillRateLimited() {
    // A client that talks to the service directly (not through the trusted proxy) cannot pick a
    // new address per request with X-Forwarded-For: every request counts against its own.
    String peer = LoopbackPeer.randomAddress();
    Response limited = null;
    for (int i = 0; i < 61 && limited == null; i++) {
      Response response =
          LoopbackPeer.from(peer)
              .header("X-Forwarded-For", AuthApi.randomAddress())
              .contentType(ContentType.JSON)
              .body(Map.of("email", "rotate-" + i + "@example.com", "password", WRONG))
              .post("/auth/login");
      if (response.statusCode() == 429) {
        limited = response;
      } else {
        response.then().statusCode(401);
      }
    }
    assertThat(limited).as("a 429 within 61 requests from one peer").isNotNull();
    // The refusals are reported against the peer itself once its window has closed.
    clock.advance(Duration.ofMinutes(2));
    await().atMost(Duration.ofSeconds(30)).until(() -> !rateLimitedEvents(peer).isEmpty());
  }
}
