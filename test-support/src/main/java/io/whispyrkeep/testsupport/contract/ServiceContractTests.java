package io.whispyrkeep.testsupport.contract;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

/**
 * What every service of the suite promises from its first day, checked against the running
 * application: health, metrics and OpenAPI answer; anything else is denied to anonymous callers
 * with problem+json; security headers and the request id are on every response. A service's
 * {@code @QuarkusTest} extends this and adds its own tests.
 */
public abstract class ServiceContractTests {

  private static final String PROBLEM = "application/problem+json";

  @Test
  void health_liveReadyStarted_up() {
    for (String probe : new String[] {"/q/health/live", "/q/health/ready", "/q/health/started"}) {
      given().get(probe).then().statusCode(200).body("status", equalTo("UP"));
    }
  }

  @Test
  void metrics_prometheusFormat() {
    given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
  }

  @Test
  void openApi_served() {
    given().get("/q/openapi").then().statusCode(200).body(containsString("openapi"));
  }

  @Test
  void anonymousRequest_anyOtherPath_401Problem() {
    given()
        .get("/anything/not/public")
        .then()
        .statusCode(401)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/unauthorized"));
  }

  @Test
  void anyResponse_securityHeadersAndRequestId() {
    given()
        .header("X-Request-ID", "contract-check-1")
        .get("/q/health/live")
        .then()
        .header("X-Request-ID", "contract-check-1")
        .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
        .header("X-Content-Type-Options", "nosniff")
        .header("X-Frame-Options", "DENY")
        .header("Strict-Transport-Security", containsString("max-age="))
        .header("Referrer-Policy", "no-referrer")
        .header("Cache-Control", "no-store");
  }
}
