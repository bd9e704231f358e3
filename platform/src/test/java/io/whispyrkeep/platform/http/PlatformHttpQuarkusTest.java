package io.whispyrkeep.platform.http;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.devinfra.keys.TestTokens;
import io.whispyrkeep.testsupport.http.LoopbackPeer;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/** The shared HTTP behaviour every service inherits from the platform, against a running app. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
// The platform's test application publishes with the rights of a service that uses the platform.
@WithTestResource(
    value = KafkaTestResource.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS,
    initArgs = @ResourceArg(name = KafkaTestResource.PRINCIPAL, value = "auth-service"))
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class PlatformHttpQuarkusTest {

  private static final String AUDIENCE = "platform-test";
  private static final String PROBLEM = "application/problem+json";

  private static String player() {
    return TestTokens.valid("player-1", AUDIENCE, "player");
  }

  @Test
  void anonymousRequest_existingProtectedPath_401Problem() {
    given()
        .get("/widgets/count")
        .then()
        .statusCode(401)
        .contentType(PROBLEM)
        .header("WWW-Authenticate", containsString("Bearer"))
        .body("type", equalTo("https://whispyrkeep.io/problems/unauthorized"))
        .body("status", equalTo(401));
  }

  @Test
  void anonymousRequest_unknownPath_401NotNotFound() {
    given()
        .get("/no/such/thing")
        .then()
        .statusCode(401)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/unauthorized"));
  }

  @Test
  void anonymousRequest_permitAllEndpointNotOpenedInConfig_401() {
    given().get("/widgets/public-ping").then().statusCode(401).contentType(PROBLEM);
  }

  @Test
  void anonymousRequest_publicPathAndHealth_200() {
    given().get("/public/ping").then().statusCode(200).body("ok", equalTo(true));
    given().get("/q/health/ready").then().statusCode(200);
    given().get("/q/openapi").then().statusCode(200);
  }

  @Test
  void validToken_protectedPath_200() {
    given().auth().oauth2(player()).get("/widgets/count").then().statusCode(200);
  }

  @Test
  void validTokenWrongRole_adminPath_403Problem() {
    given()
        .auth()
        .oauth2(player())
        .get("/widgets/admin")
        .then()
        .statusCode(403)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/forbidden"));
  }

  @Test
  void forgedOrBrokenTokens_anyPath_401() {
    Instant past = Instant.now().minusSeconds(3600);
    String[] rejected = {
      TestTokens.algNone("player-1", AUDIENCE, "player"),
      TestTokens.hs256WithPublicKey("player-1", AUDIENCE, "player"),
      TestTokens.sign(
          "player-1",
          AUDIENCE,
          TestTokens.ISSUER,
          Instant.now().plusSeconds(300),
          TestJwtKeys.KEY_ID,
          TestJwtKeys.generate().getPrivate(),
          "player"),
      TestTokens.signed("player-1", AUDIENCE, TestTokens.ISSUER, past, "player"),
      TestTokens.signed(
          "player-1", AUDIENCE, "https://evil.example", Instant.now().plusSeconds(300), "player"),
      TestTokens.valid("player-1", "another-service", "player"),
      TestTokens.tampered("player-1", AUDIENCE),
      TestTokens.sign(
          "player-1",
          AUDIENCE,
          TestTokens.ISSUER,
          Instant.now().plusSeconds(300),
          null,
          TestJwtKeys.privateKey(),
          "player"),
      "not-a-jwt",
    };
    for (String token : rejected) {
      given()
          .auth()
          .oauth2(token)
          .get("/widgets/count")
          .then()
          .statusCode(401)
          .contentType(PROBLEM);
    }
  }

  @Test
  void authenticatedRequest_unknownPath_404Problem() {
    given()
        .auth()
        .oauth2(player())
        .get("/no/such/thing")
        .then()
        .statusCode(404)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/not-found"))
        .body("instance", equalTo("/no/such/thing"));
  }

  @Test
  void wrongMethod_405Problem() {
    given()
        .delete("/public/ping")
        .then()
        .statusCode(405)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/method-not-allowed"));
  }

  @Test
  void wrongContentType_415Problem() {
    given()
        .contentType(ContentType.XML)
        .body("<name>x</name>")
        .post("/public/echo")
        .then()
        .statusCode(415)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/unsupported-media-type"));
  }

  @Test
  void malformedJson_400Problem() {
    given()
        .contentType(ContentType.JSON)
        .body("{\"name\": ")
        .post("/public/echo")
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/malformed-json"));
  }

  @Test
  void invalidBody_400ProblemListingFields() {
    given()
        .auth()
        .oauth2(player())
        .contentType(ContentType.JSON)
        .body("{\"name\": \"\"}")
        .post("/widgets")
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/validation-failed"))
        .body("errors.field", hasItem("name"));
  }

  @Test
  void unexpectedError_500ProblemWithoutInternals() {
    given()
        .get("/public/boom")
        .then()
        .statusCode(500)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/internal-error"))
        .body(not(containsString("IllegalStateException")))
        .body(not(containsString("eyJ")))
        .body(not(containsString("at io.")));
  }

  @Test
  void bodyAboveLimit_413Problem() {
    String big = "{\"name\": \"" + "a".repeat(20_000) + "\"}";
    given()
        .contentType(ContentType.JSON)
        .body(big)
        .post("/public/echo")
        .then()
        .statusCode(413)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/payload-too-large"));
  }

  @Test
  void bodyBelowLimit_accepted() {
    given()
        .contentType(ContentType.JSON)
        .body("{\"name\": \"" + "a".repeat(15_000) + "\"}")
        .post("/public/echo")
        .then()
        .statusCode(200);
  }

  @Test
  void requestId_wellFormed_echoedOnResponseAndProblem() {
    given()
        .header("X-Request-ID", "trace-abc.123")
        .get("/no/such/thing")
        .then()
        .header("X-Request-ID", "trace-abc.123")
        .body("requestId", equalTo("trace-abc.123"));
  }

  @Test
  void requestId_missingOrMalformed_replacedByGeneratedId() {
    given().get("/public/ping").then().header("X-Request-ID", not(emptyOrNullString()));
    given()
        .header("X-Request-ID", "bad id\r\nSet-Cookie: x")
        .get("/public/ping")
        .then()
        .header("X-Request-ID", not(containsString(" ")))
        .header("X-Request-ID", notNullValue());
  }

  @Test
  void everyResponse_carriesSecurityHeaders() {
    for (var response :
        new io.restassured.response.Response[] {
          given().get("/public/ping"), given().get("/widgets/count"), given().get("/q/health")
        }) {
      response
          .then()
          .header("Content-Security-Policy", containsString("default-src 'self'"))
          .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
          .header("X-Content-Type-Options", "nosniff")
          .header("X-Frame-Options", "DENY")
          .header("Strict-Transport-Security", containsString("max-age="))
          .header("Referrer-Policy", "no-referrer")
          .header("Cache-Control", "no-store");
    }
  }

  @Test
  void cors_configuredOrigin_allowedWithRequestIdExposed() {
    given()
        .header("Origin", "https://game.whispyrkeep.test")
        .header("Access-Control-Request-Method", "POST")
        .options("/widgets")
        .then()
        .header("Access-Control-Allow-Origin", "https://game.whispyrkeep.test");
    given()
        .header("Origin", "https://game.whispyrkeep.test")
        .get("/public/ping")
        .then()
        .header("Access-Control-Expose-Headers", containsString("X-Request-ID"));
  }

  @Test
  void plantedSecrets_neverReachTheLog() throws Exception {
    String planted = "planted-" + java.util.UUID.randomUUID();
    org.jboss.logging.Logger.getLogger("io.whispyrkeep.test")
        .infof("login attempt with password=%s and Bearer %s", planted, planted + "-token");
    given().get("/public/boom").then().statusCode(500);
    given()
        .auth()
        .oauth2(player())
        .contentType(ContentType.JSON)
        .body("{\"name\":\"x\"}")
        .post("/widgets/failing")
        .then()
        .statusCode(500);

    String log =
        java.nio.file.Files.readString(java.nio.file.Path.of("target", "platform-test.log"));
    org.assertj.core.api.Assertions.assertThat(log)
        .contains("login attempt with password=[REDACTED]")
        .contains("unhandled error")
        .doesNotContain(planted)
        .doesNotContain("hunter2-planted")
        .doesNotContain("eyJzdWIiOiJ4In0");
  }

  @Test
  void customMethodOf4000Chars_publicPath_fastCapped405Problem() {
    // The method is echoed in the 405 detail; it took 16 s of event-loop CPU to redact.
    String method = "pass-".repeat(800);
    String detail =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () ->
                given()
                    .request(method, "/public/ping")
                    .then()
                    .statusCode(405)
                    .contentType(PROBLEM)
                    .body("type", equalTo("https://whispyrkeep.io/problems/method-not-allowed"))
                    .extract()
                    .path("detail"));
    assertThat(detail)
        .hasSizeLessThanOrEqualTo(ProblemWriter.MAX_DETAIL)
        // the client sends the method upper-cased; redaction ignores case all the same
        .startsWithIgnoringCase("Method pass-pass-")
        .doesNotContainIgnoringCase("pass-".repeat(ProblemWriter.MAX_QUOTED / 5 + 1));
  }

  @Test
  void logMessageWithCrLfAndAnsiEscape_escapedInTheLogFile() throws Exception {
    String marker = "forged-" + UUID.randomUUID();
    Logger.getLogger("io.whispyrkeep.test")
        .infof("header value %s", "x\r\n" + marker + " INFO fake line\u001b[31m red\u0000");
    Path logFile = Path.of("target", "platform-test.log");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(logFile).contains(marker));
    String log = Files.readString(logFile, StandardCharsets.UTF_8);
    assertThat(log)
        .contains("header value x\\u000D\\u000A" + marker + " INFO fake line\\u001B[31m red\\u0000")
        .doesNotContain("\n" + marker)
        .doesNotContain("\u001b[31m")
        .doesNotContain("\u0000");
  }

  @Test
  void cors_otherOrigin_403ProblemWithSecurityHeaders() {
    io.restassured.response.Response[] refused = {
      given().header("Origin", "https://evil.example").get("/public/ping"),
      given()
          .header("Origin", "https://evil.example")
          .header("Access-Control-Request-Method", "POST")
          .options("/widgets"),
      given().header("Origin", "null").auth().oauth2(player()).get("/widgets/count"),
      // an allowed origin, but a method outside quarkus.http.cors.methods
      given().header("Origin", "https://game.whispyrkeep.test").request("PROPFIND", "/public/ping"),
    };
    for (io.restassured.response.Response response : refused) {
      response
          .then()
          .statusCode(403)
          .contentType(PROBLEM)
          .body("type", equalTo("https://whispyrkeep.io/problems/origin-not-allowed"))
          .body("status", equalTo(403))
          .body("requestId", notNullValue())
          .header("Access-Control-Allow-Origin", emptyOrNullString())
          .header("Content-Security-Policy", containsString("default-src 'self'"))
          .header("X-Content-Type-Options", "nosniff")
          .header("X-Frame-Options", "DENY")
          .header("Cache-Control", "no-store");
    }
  }

  @Test
  void cors_sameOriginWithoutConfiguredOrigin_allowed() {
    String self = "http://localhost:" + io.restassured.RestAssured.port;
    given().header("Origin", self).get("/public/ping").then().statusCode(200);
  }

  @Test
  void directUntrustedPeer_forwardedFor_ignored() {
    String peer = LoopbackPeer.randomAddress();
    LoopbackPeer.from(peer)
        .header("X-Forwarded-For", "203.0.113.9")
        .header("Forwarded", "for=203.0.113.10")
        .header("X-Real-IP", "203.0.113.11")
        .get("/public/client-address")
        .then()
        .statusCode(200)
        .body("clientIp", equalTo(peer));
  }

  @Test
  void trustedProxy_spoofedLeftmostHop_rightmostUntrustedHopWins() {
    given()
        .header("X-Forwarded-For", "6.6.6.6, 203.0.113.9")
        .get("/public/client-address")
        .then()
        .statusCode(200)
        .body("clientIp", equalTo("203.0.113.9"));
  }

  @Test
  void trustedProxy_forwardedHeaderOnly_proxyAddress() {
    given()
        .header("Forwarded", "for=203.0.113.10")
        .get("/public/client-address")
        .then()
        .statusCode(200)
        .body("clientIp", equalTo("127.0.0.1"));
  }
}
