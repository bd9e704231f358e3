package io.whispyrkeep.auth.login;

import static io.restassured.RestAssured.given;
import static io.whispyrkeep.auth.support.AuthApi.GOOD_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.whispyrkeep.auth.support.AuthApi;
import io.whispyrkeep.auth.support.AuthKeysTestResource;
import io.whispyrkeep.devinfra.keys.TestTokens;
import io.whispyrkeep.testsupport.db.ServiceDatabase;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Registration, login, tokens, refresh rotation, logout, JWKS and discovery, end to end. Shares one
 * application and database with the classes that declare the same resources (see {@link
 * PostgresTestResource}).
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthKeysTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class AuthFlowQuarkusTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROBLEM = "application/problem+json";

  private static JsonNode claims(String jwt) throws Exception {
    return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
  }

  private static JsonNode header(String jwt) throws Exception {
    return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]));
  }

  @Test
  void register_validRequest_201WithNormalisedEmailAndPlayerRole() {
    String email = "  Mixed.Case-" + System.nanoTime() + "@Example.ORG ";
    AuthApi.register(email, GOOD_PASSWORD, AuthApi.randomAddress())
        .then()
        .statusCode(201)
        .body("email", equalTo(email.trim().replace("@Example.ORG", "@example.org")))
        .body("displayName", equalTo("Test Player"))
        .body("roles", containsInAnyOrder("player"))
        .body("id", org.hamcrest.Matchers.notNullValue())
        .body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("passwordHash")));
  }

  @Test
  void register_sameEmailTwice_409() {
    String email = AuthApi.uniqueEmail();
    AuthApi.register(email, GOOD_PASSWORD, AuthApi.randomAddress()).then().statusCode(201);
    AuthApi.register(email, GOOD_PASSWORD, AuthApi.randomAddress())
        .then()
        .statusCode(409)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/email-taken"));
  }

  @Test
  void register_sameEmailInOtherCase_409_storedAsTyped_loginInAnyCase() {
    String local = "Case.Sensitive-" + System.nanoTime();
    String typed = local + "@Example.com";
    AuthApi.register(typed, GOOD_PASSWORD, AuthApi.randomAddress())
        .then()
        .statusCode(201)
        .body("email", equalTo(local + "@example.com"));
    AuthApi.register(local.toLowerCase() + "@example.com", GOOD_PASSWORD, AuthApi.randomAddress())
        .then()
        .statusCode(409)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/email-taken"));
    AuthApi.register(local.toUpperCase() + "@EXAMPLE.COM", GOOD_PASSWORD, AuthApi.randomAddress())
        .then()
        .statusCode(409);
    assertThat(
            ServiceDatabase.strings(
                "SELECT email FROM account WHERE lower(email) = ?",
                (local + "@example.com").toLowerCase()))
        .containsExactly(local + "@example.com");
    for (String casing :
        List.of(local.toLowerCase() + "@example.com", local.toUpperCase() + "@Example.COM")) {
      AuthApi.login(casing, GOOD_PASSWORD, AuthApi.randomAddress()).then().statusCode(200);
    }
  }

  @Test
  void register_sameEmailInOtherCaseInParallel_exactlyOneAccount() throws Exception {
    String local = "Race-" + System.nanoTime();
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<Integer>> statuses = new java.util.ArrayList<>();
      for (String casing :
          List.of(local, local.toLowerCase(), local.toUpperCase(), "r" + local.substring(1))) {
        statuses.add(
            pool.submit(
                () ->
                    AuthApi.register(
                            casing + "@example.com", GOOD_PASSWORD, AuthApi.randomAddress())
                        .statusCode()));
      }
      List<Integer> codes = new java.util.ArrayList<>();
      for (var status : statuses) {
        codes.add(status.get());
      }
      assertThat(codes).containsOnly(201, 409).containsOnlyOnce(201);
    } finally {
      pool.shutdown();
    }
  }

  /** Request bodies are checked at the boundary (Bean Validation) before any work is done. */
  @Test
  void missingOrOversizedFields_400ValidationProblemNamingEachField() {
    for (String path : List.of("/auth/login", "/auth/refresh", "/auth/register")) {
      given()
          .contentType(ContentType.JSON)
          .post(path)
          .then()
          .statusCode(400)
          .contentType(PROBLEM)
          .body("type", equalTo("https://whispyrkeep.io/problems/validation-failed"));
    }
    given()
        .contentType(ContentType.JSON)
        .body("{}")
        .post("/auth/login")
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/validation-failed"))
        .body("errors.field", hasItems("email", "password"));
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("email", "someone@example.com", "password", "p".repeat(2_000)))
        .post("/auth/login")
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", hasItem("password"))
        .body(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("ppppp")));
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("refresh_token", "r".repeat(2_000)))
        .post("/auth/refresh")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("refreshToken"));
  }

  @Test
  void register_weakPasswords_400ListingEveryViolatedRule() {
    AuthApi.register("weak-" + System.nanoTime() + "@example.com", "short", AuthApi.randomAddress())
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/validation-failed"))
        .body(
            "errors.message",
            hasItems(
                startsWith("must be at least 12 characters"),
                startsWith("must contain an upper-case letter"),
                startsWith("must contain a digit"),
                startsWith("must contain a symbol")));
    AuthApi.register("weak2@example.com", "Password123!", AuthApi.randomAddress())
        .then()
        .statusCode(400)
        .body("errors.message", hasItem(org.hamcrest.Matchers.containsString("common_password")));
    AuthApi.register("dragonslayer@example.com", "Dragonslayer-2024!", AuthApi.randomAddress())
        .then()
        .statusCode(400)
        .body("errors.message", hasItem(org.hamcrest.Matchers.containsString("contains_email")));
    AuthApi.register("long@example.com", "Aa1!" + "x".repeat(130), AuthApi.randomAddress())
        .then()
        .statusCode(400)
        .body("errors.message", hasItem(startsWith("must be at most 128 characters")));
    AuthApi.register("not-an-email", GOOD_PASSWORD, AuthApi.randomAddress())
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("email"));
  }

  @Test
  void login_validCredentials_tokensWithTheContractClaims() throws Exception {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    Response response = AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress());
    response
        .then()
        .statusCode(200)
        .body("token_type", equalTo("Bearer"))
        .body("expires_in", equalTo(900))
        .body("refresh_token", startsWith("wkrt_"));
    String access = response.path("access_token");
    JsonNode claims = claims(access);
    JsonNode header = header(access);
    assertThat(header.get("alg").asText()).isEqualTo("RS256");
    assertThat(header.get("kid").asText()).isEqualTo(AuthKeysTestResource.newKeyId());
    assertThat(claims.get("iss").asText()).isEqualTo(TestTokens.ISSUER);
    assertThat(claims.get("upn").asText()).isEqualTo(email);
    assertThat(claims.get("jti").asText()).isNotBlank();
    assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(900);
    assertThat(JSON.convertValue(claims.get("aud"), List.class))
        .contains("auth-service", "keyvault-service", "turn-service", "audit-service");
    assertThat(JSON.convertValue(claims.get("groups"), List.class)).containsExactly("player");
    given()
        .auth()
        .oauth2(access)
        .get("/auth/me")
        .then()
        .statusCode(200)
        .body("email", equalTo(email))
        .body("id", equalTo(claims.get("sub").asText()));
  }

  @Test
  void login_wrongPasswordUnknownEmailLocked_identical401() {
    String address = AuthApi.randomAddress();
    String email = AuthApi.newPlayer(address);
    Response wrong = AuthApi.login(email, "Wrong-Password-123!", address);
    Response unknown =
        AuthApi.login("nobody-" + System.nanoTime() + "@example.com", GOOD_PASSWORD, address);
    for (int i = 0; i < 5; i++) {
      AuthApi.login(email, "Wrong-Password-123!", address);
    }
    Response locked = AuthApi.login(email, GOOD_PASSWORD, address);
    for (Response response : List.of(wrong, unknown, locked)) {
      response.then().statusCode(401).contentType(PROBLEM);
      assertThat(response.path("type").toString())
          .isEqualTo("https://whispyrkeep.io/problems/invalid-credentials");
      assertThat((String) response.path("detail")).isEqualTo(wrong.path("detail"));
      assertThat((String) response.path("title")).isEqualTo(wrong.path("title"));
    }
  }

  @Test
  void login_hashWithOldParameters_upgradedOnSuccess() throws Exception {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    String weak =
        new io.whispyrkeep.auth.password.Argon2idPasswordHasher(8192, 1, 1)
            .hash(GOOD_PASSWORD.toCharArray());
    try (var connection = ServiceDatabase.connect();
        var update =
            connection.prepareStatement("UPDATE account SET password_hash = ? WHERE email = ?")) {
      update.setString(1, weak);
      update.setString(2, email);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).then().statusCode(200);
    assertThat(ServiceDatabase.strings("SELECT password_hash FROM account WHERE email = ?", email))
        .singleElement()
        .satisfies(hash -> assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$"));
    AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).then().statusCode(200);
  }

  @Test
  void tokenSignedByOlderPublishedKey_stillAccepted() {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    String sub =
        claimsUnchecked(
                AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).path("access_token"))
            .get("sub")
            .asText();
    String fromOldKey =
        TestTokens.sign(
            sub,
            "auth-service",
            TestTokens.ISSUER,
            Instant.now().plusSeconds(300),
            AuthKeysTestResource.oldKeyId(),
            AuthKeysTestResource.oldPrivateKey(),
            "player");
    given().auth().oauth2(fromOldKey).get("/auth/me").then().statusCode(200);
  }

  @Test
  void refresh_rotates_oldTokenStopsWorking_reuseRevokesFamily() {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    String first =
        AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).path("refresh_token");

    Response rotated = AuthApi.refresh(first);
    rotated.then().statusCode(200).body("access_token", org.hamcrest.Matchers.notNullValue());
    String second = rotated.path("refresh_token");
    assertThat(second).isNotEqualTo(first).startsWith("wkrt_");

    // The old token is reuse: 401, and the family (including the new token) is revoked.
    AuthApi.refresh(first)
        .then()
        .statusCode(401)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/invalid-refresh-token"));
    AuthApi.refresh(second).then().statusCode(401);
    String sub = claimsUnchecked(rotated.path("access_token")).get("sub").asText();
    assertThat(ServiceDatabase.eventPayloads("auth.refresh_reuse_detected", sub)).hasSize(1);
  }

  @Test
  void forgedOrBrokenTokens_rejected() {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    String genuine =
        AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).path("access_token");
    String sub = claimsUnchecked(genuine).get("sub").asText();
    Instant soon = Instant.now().plusSeconds(300);
    String[] rejected = {
      TestTokens.algNone(genuine),
      TestTokens.hs256WithKey(
          genuine,
          AuthKeysTestResource.newPublicKey().getEncoded(),
          AuthKeysTestResource.newKeyId()),
      TestTokens.sign(
          sub,
          "auth-service",
          TestTokens.ISSUER,
          soon,
          AuthKeysTestResource.newKeyId(),
          io.whispyrkeep.devinfra.keys.TestJwtKeys.generate().getPrivate(),
          "player"),
      TestTokens.sign(
          sub,
          "auth-service",
          TestTokens.ISSUER,
          Instant.now().minusSeconds(120),
          AuthKeysTestResource.oldKeyId(),
          AuthKeysTestResource.oldPrivateKey(),
          "player"),
      TestTokens.sign(
          sub,
          "auth-service",
          "https://evil.example",
          soon,
          AuthKeysTestResource.oldKeyId(),
          AuthKeysTestResource.oldPrivateKey(),
          "player"),
      TestTokens.sign(
          sub,
          "some-other-service",
          TestTokens.ISSUER,
          soon,
          AuthKeysTestResource.oldKeyId(),
          AuthKeysTestResource.oldPrivateKey(),
          "player"),
      TestTokens.sign(
          sub,
          "auth-service",
          TestTokens.ISSUER,
          soon,
          null,
          AuthKeysTestResource.oldPrivateKey(),
          "player"),
      TestTokens.tampered(genuine),
    };
    given().auth().oauth2(genuine).get("/auth/me").then().statusCode(200);
    for (String token : rejected) {
      given().auth().oauth2(token).get("/auth/me").then().statusCode(401).contentType(PROBLEM);
    }
  }

  @Test
  void cachedToken_afterItsExpiry_401() {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    String sub =
        claimsUnchecked(
                AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).path("access_token"))
            .get("sub")
            .asText();
    // Long enough for the two calls below on a loaded machine; the wait after it is what it costs.
    Instant expiry = Instant.now().plusSeconds(6);
    String shortLived =
        TestTokens.sign(
            sub,
            "auth-service",
            TestTokens.ISSUER,
            expiry,
            AuthKeysTestResource.oldKeyId(),
            AuthKeysTestResource.oldPrivateKey(),
            "player");
    // Verified, then served from the cache of verified tokens.
    given().auth().oauth2(shortLived).get("/auth/me").then().statusCode(200);
    given().auth().oauth2(shortLived).get("/auth/me").then().statusCode(200);

    // smallrye-jwt checks expiry on real time, so the test waits for it (clock skew is 1 s here).
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(20))
        .until(() -> Instant.now().isAfter(expiry.plusMillis(1500)));
    given().auth().oauth2(shortLived).get("/auth/me").then().statusCode(401).contentType(PROBLEM);
  }

  @Test
  void alteredSignature_afterGenuineTokenCached_401() {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    String genuine =
        AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress()).path("access_token");
    given().auth().oauth2(genuine).get("/auth/me").then().statusCode(200);
    given().auth().oauth2(genuine).get("/auth/me").then().statusCode(200);

    int at = genuine.lastIndexOf('.') + 10;
    char replacement = genuine.charAt(at) == 'A' ? 'B' : 'A';
    String altered = genuine.substring(0, at) + replacement + genuine.substring(at + 1);

    given().auth().oauth2(altered).get("/auth/me").then().statusCode(401).contentType(PROBLEM);
    given().auth().oauth2(genuine).get("/auth/me").then().statusCode(200);
  }

  @Test
  void refresh_garbageOrMissingToken_401() {
    AuthApi.refresh("wkrt_not-a-real-token").then().statusCode(401).contentType(PROBLEM);
    AuthApi.refresh("").then().statusCode(401);
  }

  @Test
  void logout_revokesFamily_204() {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    Response login = AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress());
    String refresh = login.path("refresh_token");
    given()
        .auth()
        .oauth2((String) login.path("access_token"))
        .contentType(ContentType.JSON)
        .body(Map.of("refresh_token", refresh))
        .post("/auth/logout")
        .then()
        .statusCode(204);
    AuthApi.refresh(refresh).then().statusCode(401);
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("refresh_token", refresh))
        .post("/auth/logout")
        .then()
        .statusCode(401);
  }

  @Test
  void jwksAndDiscovery_publishBothKeysForRotation() {
    given()
        .get("/auth/jwks")
        .then()
        .statusCode(200)
        .body(
            "keys.kid",
            containsInAnyOrder(AuthKeysTestResource.oldKeyId(), AuthKeysTestResource.newKeyId()))
        .body("keys.alg", hasItems("RS256"))
        .body("keys.use", hasItems("sig"))
        .body("keys.kty", hasItems("RSA"))
        .body("keys[0]", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("d")));
    given()
        .get("/.well-known/openid-configuration")
        .then()
        .statusCode(200)
        .body("issuer", equalTo(TestTokens.ISSUER))
        .body("jwks_uri", org.hamcrest.Matchers.endsWith("/auth/jwks"))
        .body("token_endpoint", org.hamcrest.Matchers.endsWith("/auth/token"));
  }

  @Test
  void events_carryActorAddressAgentRequestId_andNoSecret() throws Exception {
    String address = AuthApi.randomAddress();
    String email = AuthApi.newPlayer(address);
    Response login = AuthApi.login(email, GOOD_PASSWORD, address);
    String sub = claimsUnchecked(login.path("access_token")).get("sub").asText();
    List<String> success = ServiceDatabase.eventPayloads("auth.login_success", sub);
    assertThat(success).hasSize(1);
    JsonNode event = JSON.readTree(success.get(0));
    assertThat(event.get("actor").asText()).isEqualTo(sub);
    assertThat(event.get("clientIp").asText()).isEqualTo(address);
    assertThat(event.get("userAgent").asText()).isEqualTo("auth-tests/1.0");
    assertThat(event.get("requestId").asText()).isNotBlank();
    assertThat(ServiceDatabase.eventPayloads("auth.register", sub)).hasSize(1);
    List<String> all = ServiceDatabase.strings("SELECT payload FROM outbox");
    assertThat(String.join("\n", all))
        .doesNotContain(GOOD_PASSWORD)
        .doesNotContain((String) login.path("refresh_token"))
        .doesNotContain((String) login.path("access_token"));
  }

  @Test
  void logs_neverContainPasswordsOrTokens() throws Exception {
    String planted = "Planted-Secret-" + System.nanoTime() + "!";
    String email = AuthApi.uniqueEmail();
    AuthApi.register(email, planted, AuthApi.randomAddress());
    Response login = AuthApi.login(email, planted, AuthApi.randomAddress());
    AuthApi.login(email, planted + "x", AuthApi.randomAddress());
    String refresh = login.path("refresh_token");
    AuthApi.refresh(refresh);
    AuthApi.refresh(refresh);
    String log = Files.readString(Path.of("target", "auth-test.log"), StandardCharsets.UTF_8);
    assertThat(log).doesNotContain(planted).doesNotContain(refresh);
    assertThat(log).doesNotContain((String) login.path("access_token"));
  }

  private static JsonNode claimsUnchecked(String jwt) {
    try {
      return claims(jwt);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
