package io.whispyrkeep.testsupport.contract;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

  /**
   * Every endpoint is documented: a summary, and the platform's problem+json error responses beside
   * its own outcomes, with the shared {@code Problem} schema.
   */
  @Test
  void openApi_everyOperationHasSummaryAndProblemResponses() {
    JsonPath document =
        given()
            .queryParam("format", "json")
            .get("/q/openapi")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    Map<String, Object> problem = document.getMap("components.schemas.Problem.properties");
    assertNotNull(problem, "Problem schema");
    for (String field : List.of("type", "title", "status", "detail")) {
      assertTrue(problem.containsKey(field), "Problem schema field " + field);
    }
    Map<String, Map<String, Map<String, Object>>> paths = document.getMap("paths");
    if (paths == null) {
      return; // a service without endpoints yet
    }
    paths.forEach(
        (path, operations) ->
            operations.forEach(
                (method, operation) -> {
                  String where = method.toUpperCase(Locale.ROOT) + " " + path;
                  Object summary = operation.get("summary");
                  assertTrue(
                      summary instanceof String text && !text.isBlank(), where + " has a summary");
                  @SuppressWarnings("unchecked")
                  Map<String, Map<String, Object>> responses =
                      (Map<String, Map<String, Object>>) operation.get("responses");
                  for (String status : List.of("400", "401", "500")) {
                    assertTrue(responses.containsKey(status), where + " documents " + status);
                  }
                  Object content = responses.get("500").get("content");
                  assertTrue(
                      content instanceof Map<?, ?> types && types.containsKey(PROBLEM),
                      where + " answers errors as problem+json");
                }));
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
