package io.whispyrkeep.audit.query;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.whispyrkeep.audit.support.DatabaseDownTestResource;
import io.whispyrkeep.devinfra.keys.TestTokens;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import org.junit.jupiter.api.Test;

/**
 * With PostgreSQL down, the security team gets a clear 503 problem with {@code Retry-After}, not a
 * 500 (and no query is answered without first being recorded); readiness reports the outage.
 */
@QuarkusTest
@WithTestResource(
    value = DatabaseDownTestResource.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class DatabaseDownQuarkusTest {

  @Test
  void queriesAnswer503WithRetryAfter_readinessIsDown() {
    for (String path : new String[] {"/audit/events", "/audit/verify", "/audit/alerts"}) {
      given()
          .auth()
          .oauth2(TestTokens.valid("analyst-3", "audit-service", "security"))
          .get(path)
          .then()
          .log()
          .ifValidationFails()
          .statusCode(503)
          .contentType("application/problem+json")
          .header("Retry-After", "5")
          .body("type", endsWith("/service-unavailable"))
          .body("status", equalTo(503))
          .body(not(containsString("Exception")))
          .body(not(containsString("127.0.0.1")));
    }
    given().get("/q/health/ready").then().statusCode(503);
  }
}
