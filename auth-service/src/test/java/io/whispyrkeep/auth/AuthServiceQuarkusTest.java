package io.whispyrkeep.auth;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.whispyrkeep.auth.support.AuthKeysTestResource;
import io.whispyrkeep.testsupport.contract.ServiceContractTests;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;

/**
 * auth-service starts against real PostgreSQL and Kafka and keeps the suite's HTTP contract. Shares
 * one application and database with the classes that declare the same resources (see {@link
 * PostgresTestResource}).
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthKeysTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class AuthServiceQuarkusTest extends ServiceContractTests {

  @org.junit.jupiter.api.Test
  void anonymousRequest_publicAuthPath_notDenied() {
    // Opened on purpose: registration, login, refresh and the JWKS need no token.
    io.restassured.RestAssured.given()
        .get("/auth/jwks")
        .then()
        .statusCode(org.hamcrest.Matchers.not(401));
  }

  @org.junit.jupiter.api.Test
  void bodyAbove16KiB_413Problem() {
    io.restassured.RestAssured.given()
        .contentType("application/json")
        .body("{\"email\":\"" + "a".repeat(17 * 1024) + "\"}")
        .post("/auth/login")
        .then()
        .statusCode(413)
        .contentType("application/problem+json");
  }
}
