package io.whispyrkeep.auth.exchange;

import static io.restassured.RestAssured.given;
import static io.whispyrkeep.auth.support.AuthApi.GOOD_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import io.whispyrkeep.auth.support.AuthApi;
import io.whispyrkeep.auth.support.AuthKeysTestResource;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.devinfra.keys.TestTokens;
import io.whispyrkeep.platform.event.SecurityEventSchema;
import io.whispyrkeep.platform.event.SecurityEventTopics;
import io.whispyrkeep.testsupport.db.ServiceDatabase;
import io.whispyrkeep.testsupport.kafka.SecurityEventReader;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Token exchange (RFC 8693) at {@code POST /auth/token}: turn-service trades a player's access
 * token for a delegated keyvault-service token, and every kind of token or request that must not be
 * exchanged is refused with its RFC 6749 error. Shares one application and database with the
 * classes that declare the same resources (see {@link PostgresTestResource}).
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthKeysTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class TokenExchangeQuarkusTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROBLEM = "application/problem+json";
  private static final String GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
  private static final String ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
  private static final String TURN_SERVICE = basic("turn-service", "test");
  private static final Duration ARRIVAL = Duration.ofSeconds(60);

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  private static String basic(String id, String secret) {
    return Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
  }

  /** A player's access token and id, from a real registration and login. */
  private record Player(String id, String email, String accessToken) {}

  private static Player newPlayer() {
    String email = AuthApi.newPlayer(AuthApi.randomAddress());
    String token =
        AuthApi.login(email, GOOD_PASSWORD, AuthApi.randomAddress())
            .then()
            .statusCode(200)
            .extract()
            .path("access_token");
    return new Player(claims(token).path("sub").asText(), email, token);
  }

  /** The form of a valid exchange of {@code subjectToken}; tests change one parameter. */
  private static Map<String, List<String>> form(String subjectToken) {
    Map<String, List<String>> form = new LinkedHashMap<>();
    form.put("grant_type", List.of(GRANT));
    form.put("subject_token", List.of(subjectToken));
    form.put("subject_token_type", List.of(ACCESS_TOKEN));
    form.put("audience", List.of("keyvault-service"));
    form.put("scope", List.of("llm:invoke"));
    return form;
  }

  /** Posts the form (repeated parameters as repeated fields) from a fresh client address. */
  private static Response post(String basic, Map<String, List<String>> form) {
    RequestSpecification request =
        given().header("X-Forwarded-For", AuthApi.randomAddress()).contentType(ContentType.URLENC);
    if (basic != null) {
      request = request.header("Authorization", "Basic " + basic);
    }
    for (Map.Entry<String, List<String>> parameter : form.entrySet()) {
      request = request.formParam(parameter.getKey(), parameter.getValue().toArray());
    }
    return request.post("/auth/token");
  }

  private static Response exchange(Map<String, List<String>> form) {
    return post(TURN_SERVICE, form);
  }

  private static void assertRefused(Response response, int status, String error) {
    response
        .then()
        .statusCode(status)
        .contentType(PROBLEM)
        .body("type", equalTo("https://whispyrkeep.io/problems/" + error.replace('_', '-')))
        .body("error", equalTo(error));
  }

  /**
   * Asserts the refusal and returns the reason recorded on its {@code auth.token_exchange_refused}
   * event (found by the response's request id), which the client is not told.
   */
  private static String refusedFor(Response response, String error) {
    assertRefused(response, 400, error);
    String requestId = response.header("X-Request-ID");
    List<String> events =
        ServiceDatabase.eventPayloads(
            "auth.token_exchange_refused", "\"requestId\":\"" + requestId + "\"");
    assertThat(events).hasSize(1);
    JsonNode event = parse(events.get(0));
    assertThat(event.path("actor").asText()).isNotBlank();
    assertThat(event.path("details").path("error").asText()).isEqualTo(error);
    assertThat(events.get(0)).doesNotContain("eyJ");
    return event.path("details").path("reason").asText();
  }

  private static JsonNode claims(String jwt) {
    try {
      return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> audiences(JsonNode claims) {
    JsonNode aud = claims.path("aud");
    List<String> values = new ArrayList<>();
    if (aud.isArray()) {
      aud.forEach(value -> values.add(value.asText()));
    } else {
      values.add(aud.asText());
    }
    return values;
  }

  /** A token like a player's, signed with auth-service's still-published previous key. */
  private static String signedByAuthService(
      String subject, String audience, String issuer, Instant expiresAt, String... roles) {
    return TestTokens.sign(
        subject,
        audience,
        issuer,
        expiresAt,
        AuthKeysTestResource.oldKeyId(),
        AuthKeysTestResource.oldPrivateKey(),
        roles);
  }

  @Test
  void exchange_playerToken_delegatedTokenForKeyvaultOnlyAndEventWithoutTokens() {
    Player player = newPlayer();
    Instant before = Instant.now();

    Response response = exchange(form(player.accessToken()));

    response
        .then()
        .statusCode(200)
        .body("issued_token_type", equalTo(ACCESS_TOKEN))
        .body("token_type", equalTo("Bearer"))
        .body("scope", equalTo("llm:invoke"));
    String delegated = response.path("access_token");
    long expiresIn = response.<Integer>path("expires_in");
    JsonNode claims = claims(delegated);
    JsonNode subjectClaims = claims(player.accessToken());
    assertThat(claims.path("sub").asText()).isEqualTo(player.id());
    assertThat(claims.path("act").path("sub").asText()).isEqualTo("turn-service");
    assertThat(audiences(claims)).containsExactly("keyvault-service");
    assertThat(claims.path("scope").asText()).isEqualTo("llm:invoke");
    assertThat(claims.path("iss").asText()).isEqualTo(subjectClaims.path("iss").asText());
    assertThat(claims.has("groups")).as("no roles in a delegated token").isFalse();
    assertThat(claims.has("upn")).as("no email in a delegated token").isFalse();
    long exp = claims.path("exp").asLong();
    assertThat(exp).isLessThanOrEqualTo(Instant.now().plus(Duration.ofMinutes(5)).getEpochSecond());
    assertThat(exp).isGreaterThanOrEqualTo(before.getEpochSecond() + 299);
    assertThat(exp).isLessThanOrEqualTo(subjectClaims.path("exp").asLong());
    assertThat(expiresIn).isBetween(1L, 300L);

    // Meant for keyvault-service only: auth-service itself refuses it.
    given().auth().oauth2(delegated).get("/auth/me").then().statusCode(401);

    List<JsonNode> events = kafkaEvents("auth.token_exchanged", player.id(), 1);
    assertThat(events).hasSize(1);
    JsonNode event = events.get(0);
    assertThat(SecurityEventSchema.load().validate(event)).isEmpty();
    assertThat(event.path("actor").asText()).isEqualTo("turn-service");
    assertThat(event.path("details").path("audience").asText()).isEqualTo("keyvault-service");
    assertThat(event.path("details").path("scope").asText()).isEqualTo("llm:invoke");
    assertThat(event.path("details").path("expiresAt").asText())
        .isEqualTo(Instant.ofEpochSecond(exp).toString());
    String raw = event.toString();
    assertThat(raw)
        .doesNotContain(player.accessToken())
        .doesNotContain(delegated)
        .doesNotContain(player.accessToken().split("\\.")[2])
        .doesNotContain(delegated.split("\\.")[2])
        .doesNotContain("eyJ");
  }

  @Test
  void exchange_subjectTokenAboutToExpire_delegatedTokenExpiresWithIt() {
    Player player = newPlayer();
    Instant subjectExpiry = Instant.now().plusSeconds(30);
    String subject =
        signedByAuthService(
            player.id(), "turn-service", TestTokens.ISSUER, subjectExpiry, "player");

    Response response = exchange(form(subject));

    response.then().statusCode(200);
    assertThat(claims(response.path("access_token")).path("exp").asLong())
        .isEqualTo(subjectExpiry.getEpochSecond());
    assertThat(response.<Integer>path("expires_in")).isBetween(1, 30);
  }

  @Test
  void exchange_expiredSubjectToken_invalidGrantAndRefusalRecorded() {
    Player player = newPlayer();
    String expired =
        signedByAuthService(
            player.id(),
            "turn-service",
            TestTokens.ISSUER,
            Instant.now().minusSeconds(5),
            "player");

    assertRefused(exchange(form(expired)), 400, "invalid_grant");

    List<String> refusals =
        ServiceDatabase.eventPayloads("auth.token_exchange_refused", player.id());
    assertThat(refusals).hasSize(1);
    JsonNode event = parse(refusals.get(0));
    assertThat(event.path("actor").asText()).isEqualTo("turn-service");
    assertThat(event.path("details").path("error").asText()).isEqualTo("invalid_grant");
    assertThat(event.path("details").path("reason").asText()).isEqualTo("expired");
    assertThat(refusals.get(0)).doesNotContain(expired.split("\\.")[2]);
  }

  @Test
  void exchange_subjectTokenSignedByForeignKey_invalidGrant() {
    Player player = newPlayer();
    Instant exp = Instant.now().plusSeconds(300);
    String foreign =
        TestTokens.sign(
            player.id(),
            "turn-service",
            TestTokens.ISSUER,
            exp,
            TestJwtKeys.KEY_ID,
            TestJwtKeys.privateKey(),
            "player");
    String foreignClaimingOurKid =
        TestTokens.sign(
            player.id(),
            "turn-service",
            TestTokens.ISSUER,
            exp,
            AuthKeysTestResource.newKeyId(),
            TestJwtKeys.privateKey(),
            "player");

    assertThat(refusedFor(exchange(form(foreign)), "invalid_grant")).isEqualTo("unverifiable");
    assertThat(refusedFor(exchange(form(foreignClaimingOurKid)), "invalid_grant"))
        .isEqualTo("bad_signature");
  }

  @Test
  void exchange_forgedAlgorithms_invalidGrant() {
    Player player = newPlayer();
    String hs256 =
        TestTokens.hs256WithKey(
            player.accessToken(),
            AuthKeysTestResource.newPublicKey().getEncoded(),
            AuthKeysTestResource.newKeyId());

    assertThat(refusedFor(exchange(form(hs256)), "invalid_grant")).isEqualTo("unverifiable");
    assertThat(
            refusedFor(exchange(form(TestTokens.algNone(player.accessToken()))), "invalid_grant"))
        .isEqualTo("unverifiable");
    assertThat(
            refusedFor(exchange(form(TestTokens.tampered(player.accessToken()))), "invalid_grant"))
        .isEqualTo("bad_signature");
    // auth-service's other signed and opaque tokens are not access tokens.
    Response login = AuthApi.login(player.email(), GOOD_PASSWORD, AuthApi.randomAddress());
    assertThat(refusedFor(exchange(form(login.path("device_token"))), "invalid_grant"))
        .isEqualTo("unverifiable");
    assertThat(refusedFor(exchange(form(login.path("refresh_token"))), "invalid_grant"))
        .isEqualTo("malformed");
  }

  @Test
  void exchange_subjectTokenOfForeignIssuer_invalidGrant() {
    Player player = newPlayer();
    String foreignIssuer =
        signedByAuthService(
            player.id(),
            "turn-service",
            "https://auth.evil.example",
            Instant.now().plusSeconds(300),
            "player");

    assertThat(refusedFor(exchange(form(foreignIssuer)), "invalid_grant"))
        .isEqualTo("foreign_issuer");
  }

  @Test
  void exchange_subjectTokenNotMeantForTheClient_invalidGrant() {
    Player player = newPlayer();
    String forKeyvaultOnly =
        signedByAuthService(
            player.id(),
            "keyvault-service",
            TestTokens.ISSUER,
            Instant.now().plusSeconds(300),
            "player");

    assertThat(refusedFor(exchange(form(forKeyvaultOnly)), "invalid_grant"))
        .isEqualTo("not_for_client");
  }

  @Test
  void exchange_serviceTokens_invalidGrant() {
    // A real client-credentials token (aud keyvault-service, groups [service]).
    String clientToken =
        post(TURN_SERVICE, Map.of("grant_type", List.of("client_credentials")))
            .then()
            .statusCode(200)
            .extract()
            .path("access_token");
    assertThat(refusedFor(exchange(form(clientToken)), "invalid_grant"))
        .isEqualTo("not_for_client");

    // A service token that does name turn-service as audience.
    String serviceForTurn =
        signedByAuthService(
            "audit-service",
            "turn-service",
            TestTokens.ISSUER,
            Instant.now().plusSeconds(300),
            "service");
    assertThat(refusedFor(exchange(form(serviceForTurn)), "invalid_grant"))
        .isEqualTo("service_token");
  }

  @Test
  void exchange_alreadyDelegatedToken_invalidGrant() {
    Player player = newPlayer();
    String delegated =
        exchange(form(player.accessToken())).then().statusCode(200).extract().path("access_token");

    // No chained delegation: neither the delegated token itself...
    assertThat(refusedFor(exchange(form(delegated)), "invalid_grant")).isEqualTo("not_for_client");
    // ...nor one that carries act while naming the client as audience.
    String withAct =
        Jwt.issuer(TestTokens.ISSUER)
            .audience("turn-service")
            .subject(player.id())
            .groups(Set.of("player"))
            .claim("act", Map.of("sub", "other-service"))
            .issuedAt(Instant.now())
            .expiresAt(Instant.now().plusSeconds(120))
            .jws()
            .keyId(AuthKeysTestResource.oldKeyId())
            .sign(AuthKeysTestResource.oldPrivateKey());
    assertThat(refusedFor(exchange(form(withAct)), "invalid_grant")).isEqualTo("delegated_token");
  }

  @Test
  void exchange_accountDeletedAfterLogin_invalidGrant() throws Exception {
    Player player = newPlayer();
    try (Connection connection = ServiceDatabase.connect();
        PreparedStatement delete =
            connection.prepareStatement("DELETE FROM account WHERE id = ?")) {
      delete.setObject(1, UUID.fromString(player.id()));
      assertThat(delete.executeUpdate()).isEqualTo(1);
    }

    assertRefused(exchange(form(player.accessToken())), 400, "invalid_grant");
    assertThat(ServiceDatabase.eventPayloads("auth.token_exchange_refused", player.id()))
        .singleElement()
        .satisfies(
            payload ->
                assertThat(parse(payload).path("details").path("reason").asText())
                    .isEqualTo("unknown_account"));
  }

  @Test
  void exchange_clientNotConfiguredForExchange_unauthorizedClient() {
    Player player = newPlayer();

    assertThat(
            refusedFor(
                post(basic("audit-service", "test"), form(player.accessToken())),
                "unauthorized_client"))
        .isEqualTo("client_not_allowed");
  }

  @Test
  void exchange_audienceNotAllowedOrTwo_invalidTarget() {
    Player player = newPlayer();
    Map<String, List<String>> authService = form(player.accessToken());
    authService.put("audience", List.of("auth-service"));
    Map<String, List<String>> two = form(player.accessToken());
    two.put("audience", List.of("keyvault-service", "audit-service"));
    Map<String, List<String>> spaceSeparated = form(player.accessToken());
    spaceSeparated.put("audience", List.of("keyvault-service audit-service"));

    assertThat(refusedFor(exchange(authService), "invalid_target"))
        .isEqualTo("audience_not_allowed");
    assertThat(refusedFor(exchange(two), "invalid_target")).isEqualTo("multiple_audiences");
    assertThat(refusedFor(exchange(spaceSeparated), "invalid_target"))
        .isEqualTo("audience_not_allowed");
  }

  @Test
  void exchange_scopeNotAllowedOrSmuggled_invalidScope() {
    Player player = newPlayer();
    Map<String, String> reasons =
        Map.of(
            "admin", "scope_not_allowed",
            "llm:invoke admin", "scope_not_allowed",
            "llm:invoke\tadmin", "malformed_scope",
            " llm:invoke", "malformed_scope",
            // sent as %2520: a literal percent sign, so one unknown scope token, not two
            "llm:invoke%20admin", "scope_not_allowed");
    reasons.forEach(
        (scope, reason) -> {
          Map<String, List<String>> form = form(player.accessToken());
          form.put("scope", List.of(scope));
          assertThat(refusedFor(exchange(form), "invalid_scope")).as(scope).isEqualTo(reason);
        });
    // Scope repeated as a parameter: not a second scope, a malformed request.
    Map<String, List<String>> repeated = form(player.accessToken());
    repeated.put("scope", List.of("llm:invoke", "admin"));
    assertThat(refusedFor(exchange(repeated), "invalid_request")).isEqualTo("repeated_parameter");
  }

  @Test
  void exchange_parametersInTheQueryString_ignored() {
    Player player = newPlayer();
    RequestSpecification request =
        given()
            .header("X-Forwarded-For", AuthApi.randomAddress())
            .header("Authorization", "Basic " + TURN_SERVICE)
            .contentType(ContentType.URLENC)
            .queryParam("audience", "auth-service")
            .queryParam("scope", "admin");
    for (Map.Entry<String, List<String>> parameter : form(player.accessToken()).entrySet()) {
      request = request.formParam(parameter.getKey(), parameter.getValue().toArray());
    }

    Response response = request.post("/auth/token");

    response.then().statusCode(200).body("scope", equalTo("llm:invoke"));
    assertThat(audiences(claims(response.path("access_token"))))
        .containsExactly("keyvault-service");
  }

  @Test
  void exchange_missingOrWrongParameters_invalidRequest() {
    Player player = newPlayer();
    Map<String, List<String>> noSubject = form(player.accessToken());
    noSubject.remove("subject_token");
    Map<String, List<String>> refreshType = form(player.accessToken());
    refreshType.put(
        "subject_token_type", List.of("urn:ietf:params:oauth:token-type:refresh_token"));
    Map<String, List<String>> noType = form(player.accessToken());
    noType.remove("subject_token_type");
    Map<String, List<String>> twoSubjects = form(player.accessToken());
    twoSubjects.put("subject_token", List.of(player.accessToken(), newPlayer().accessToken()));
    Map<String, List<String>> huge = form("a".repeat(9000));

    for (Map<String, List<String>> form :
        List.of(noSubject, refreshType, noType, twoSubjects, huge)) {
      Response response = exchange(form);
      assertThat(refusedFor(response, "invalid_request")).isNotBlank();
      assertThat(response.asString()).doesNotContain(player.accessToken());
    }
    // Longer than the body limit: refused before any parsing.
    exchange(form("a".repeat(17 * 1024))).then().statusCode(413).contentType(PROBLEM);
  }

  @Test
  void exchange_badClientSecretOrNoClient_invalidClient401() {
    Player player = newPlayer();

    assertRefused(
        post(basic("turn-service", "wrong"), form(player.accessToken())), 401, "invalid_client");
    assertRefused(post(null, form(player.accessToken())), 401, "invalid_client");
    assertThat(ServiceDatabase.eventPayloads("auth.token_exchanged", player.id())).isEmpty();
  }

  @Test
  void token_repeatedOrUnknownGrantType_unsupportedGrantType() {
    Player player = newPlayer();
    Map<String, List<String>> repeated = form(player.accessToken());
    repeated.put("grant_type", List.of(GRANT, "client_credentials"));
    Map<String, List<String>> unknown = form(player.accessToken());
    unknown.put("grant_type", List.of("urn:ietf:params:oauth:grant-type:jwt-bearer"));

    assertRefused(exchange(repeated), 400, "unsupported_grant_type");
    assertRefused(exchange(unknown), 400, "unsupported_grant_type");
  }

  /** Distinct events of a type about a subject on security.events (the relay may repeat one). */
  private List<JsonNode> kafkaEvents(String type, String subject, int expected) {
    Map<String, JsonNode> byId = new LinkedHashMap<>();
    SecurityEventReader.read(
            bootstrapServers,
            SecurityEventTopics.SECURITY_EVENTS,
            record ->
                record.value() != null
                    && record.value().contains("\"type\":\"" + type + "\"")
                    && record.value().contains(subject),
            expected,
            ARRIVAL)
        .stream()
        .map(record -> parse(record.value()))
        .filter(event -> type.equals(event.path("type").asText()))
        .filter(event -> subject.equals(event.path("subject").asText()))
        .forEach(event -> byId.putIfAbsent(event.path("id").asText(), event));
    return List.copyOf(byId.values());
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void exchange_addressOverTheTokenLimit_authenticatedClientStillExchanges() {
    Player player = newPlayer();
    String address = AuthApi.randomAddress();
    // Anyone at the service's address, without credentials, uses up the per-address limit...
    int status = 0;
    for (int i = 0; i < 100 && status != 429; i++) {
      status =
          given()
              .header("X-Forwarded-For", address)
              .contentType(ContentType.URLENC)
              .formParam("grant_type", GRANT)
              .post("/auth/token")
              .statusCode();
    }
    assertThat(status).isEqualTo(429);
    // ...which must not stop the service's exchanges for players.
    RequestSpecification request =
        given()
            .header("X-Forwarded-For", address)
            .header("Authorization", "Basic " + TURN_SERVICE)
            .contentType(ContentType.URLENC);
    for (Map.Entry<String, List<String>> parameter : form(player.accessToken()).entrySet()) {
      request = request.formParam(parameter.getKey(), parameter.getValue().toArray());
    }
    request.post("/auth/token").then().statusCode(200).body("token_type", equalTo("Bearer"));
  }
}
