package io.whispyrkeep.keyvault.support;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.devinfra.keys.TestTokens;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * keyvault-service as its callers use it; its database is read through test-support's {@code
 * ServiceDatabase}.
 */
public final class KeyvaultApi {

  public static final String AUDIENCE = "keyvault-service";

  private KeyvaultApi() {}

  /** A new player id (the {@code sub} of their tokens). */
  public static String newPlayer() {
    return UUID.randomUUID().toString();
  }

  /** A player's own access token (test signing key; audience keyvault-service). */
  public static String playerToken(String player) {
    return TestTokens.valid(player, AUDIENCE, "player");
  }

  public static String adminToken() {
    return TestTokens.valid("admin-" + UUID.randomUUID(), AUDIENCE, "player", "admin");
  }

  /**
   * A delegated token as auth-service's token exchange issues it (RFC 8693): the player as {@code
   * sub}, the acting service as {@code act.sub}, one audience, a scope, no groups.
   */
  public static String delegatedToken(String player, String caller, String scope) {
    return delegatedToken(player, Map.of("sub", caller), scope, Instant.now().plusSeconds(300));
  }

  public static String delegatedToken(
      String player, Map<String, ?> act, String scope, Instant expiresAt) {
    var claims =
        Jwt.issuer(TestTokens.ISSUER)
            .audience(AUDIENCE)
            .subject(player)
            .issuedAt(expiresAt.minusSeconds(300))
            .expiresAt(expiresAt)
            .claim("jti", UUID.randomUUID().toString());
    if (act != null) {
      claims.claim("act", act);
    }
    if (scope != null) {
      claims.claim("scope", scope);
    }
    return claims
        .jws()
        .keyId(TestJwtKeys.KEY_ID)
        .algorithm(SignatureAlgorithm.RS256)
        .sign(TestJwtKeys.privateKey());
  }

  /** An OpenAI-style chat request for the broker. */
  public static Map<String, Object> chat(String userText) {
    return Map.of(
        "model",
        "offline-narrator",
        "messages",
        List.of(Map.of("role", "user", "content", userText)));
  }

  public static Response brokerChat(String token, String provider, Object body) {
    return given()
        .auth()
        .oauth2(token)
        .contentType("application/json")
        .body(body)
        .when()
        .post("/internal/llm/" + provider + "/chat");
  }

  /** A random test key of the OpenAI shape, unique per call so it can be searched for. */
  public static String openAiKey() {
    return "sk-test" + UUID.randomUUID().toString().replace("-", "") + "Zq";
  }

  public static Response put(String player, String provider, String apiKey) {
    return given()
        .auth()
        .oauth2(playerToken(player))
        .contentType("application/json")
        .body(Map.of("apiKey", apiKey))
        .when()
        .put("/keys/" + provider);
  }

  public static Response put(String token, String provider, Map<String, ?> body) {
    return given()
        .auth()
        .oauth2(token)
        .contentType("application/json")
        .body(body)
        .when()
        .put("/keys/" + provider);
  }

  public static Response get(String player, String path) {
    return given().auth().oauth2(playerToken(player)).when().get(path);
  }

  public static Response delete(String player, String provider) {
    return given().auth().oauth2(playerToken(player)).when().delete("/keys/" + provider);
  }
}
