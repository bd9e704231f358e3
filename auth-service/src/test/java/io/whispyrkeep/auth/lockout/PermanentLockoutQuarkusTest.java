package io.whispyrkeep.auth.lockout;

import static io.restassured.RestAssured.given;
import static io.whispyrkeep.auth.support.AuthApi.GOOD_PASSWORD;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.whispyrkeep.auth.support.AuthApi;
import io.whispyrkeep.auth.support.AuthKeysTestResource;
import io.whispyrkeep.testsupport.db.ServiceDatabase;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import io.whispyrkeep.testsupport.time.MutableClock;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With permanent protection configured, unknown devices stay refused until an admin unlocks; the
 * owner's known device signs in all along.
 */
@QuarkusTest
@TestProfile(PermanentLockoutQuarkusTest.Permanent.class)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = AuthKeysTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class PermanentLockoutQuarkusTest {

  /** Permanent account lock after 3 failures from anywhere. */
  public static class Permanent implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "whispyrkeep.auth.lockout.permanent", "true",
          "whispyrkeep.auth.lockout.account-threshold", "3");
    }
  }

  @Inject MutableClock clock;

  @Test
  void permanentProtection_unknownDevicesRefusedUntilAdminUnlocks_knownDeviceSignsIn() {
    // Signed in before the clock moves, so the token's iat and exp agree with real time.
    String admin =
        AuthApi.login("root@whispyrkeep.test", "Bootstrap-Admin-Pass-42!", AuthApi.randomAddress())
            .then()
            .statusCode(200)
            .extract()
            .path("access_token");
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    String device =
        AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress())
            .then()
            .statusCode(200)
            .extract()
            .path("device_token");
    for (int i = 0; i < 3; i++) {
      AuthApi.login(email, "Wrong-Password-123!", AuthApi.randomAddress()).then().statusCode(401);
    }
    clock.advance(Duration.ofDays(2));
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).then().statusCode(401);
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress(), device, false)
        .then()
        .statusCode(200);

    String id =
        ServiceDatabase.strings("SELECT id::text FROM account WHERE email = ?", email).get(0);
    given().auth().oauth2(admin).post("/auth/users/" + id + "/unlock").then().statusCode(204);

    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).then().statusCode(200);
  }
}
