package io.whispyrkeep.turn.support;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import io.whispyrkeep.testsupport.db.ServiceDatabase;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * turn-service as its callers use it: players registered and logged in at the real auth-service,
 * their provider keys stored at the real keyvault-service; direct reads of turn-service's database
 * for what a caller cannot see (the outbox).
 */
public final class TurnApi {

  private TurnApi() {}

  /** A player: their id ({@code sub}) and access token from auth-service's login. */
  public record Player(String id, String token) {}

  /** Registers and logs in a new player at auth-service. */
  public static Player newPlayer() {
    String email = "player-" + UUID.randomUUID() + "@example.com";
    String password = "Turn-Test-" + UUID.randomUUID() + "-9x!";
    given()
        .baseUri(NarratorPathTestResource.authUrl())
        .contentType("application/json")
        .body(Map.of("email", email, "password", password, "displayName", "Test Player"))
        .post("/auth/register")
        .then()
        .statusCode(201);
    Response login =
        given()
            .baseUri(NarratorPathTestResource.authUrl())
            .contentType("application/json")
            .body(Map.of("email", email, "password", password))
            .post("/auth/login");
    login.then().statusCode(200);
    String token = login.jsonPath().getString("access_token");
    String sub =
        given()
            .baseUri(NarratorPathTestResource.authUrl())
            .auth()
            .oauth2(token)
            .get("/auth/me")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getString("id");
    return new Player(sub, token);
  }

  /** A player with an {@code offline} key stored at keyvault-service. */
  public static Player newPlayerWithKey() {
    Player player = newPlayer();
    storeOfflineKey(player, offlineKey());
    return player;
  }

  public static String offlineKey() {
    return "offline-" + UUID.randomUUID().toString().replace("-", "");
  }

  public static void storeOfflineKey(Player player, String key) {
    given()
        .baseUri(NarratorPathTestResource.keyvaultUrl())
        .auth()
        .oauth2(player.token())
        .contentType("application/json")
        .body(Map.of("apiKey", key))
        .put("/keys/offline")
        .then()
        .statusCode(201);
  }

  public static Response createCampaign(Player player, String name, String provider) {
    return given()
        .auth()
        .oauth2(player.token())
        .contentType("application/json")
        .body(Map.of("name", name, "provider", provider))
        .post("/campaigns");
  }

  /** A new {@code offline} campaign of the player; its id. */
  public static String newCampaign(Player player) {
    return createCampaign(player, "The Sunken Keep", "offline")
        .then()
        .statusCode(201)
        .extract()
        .jsonPath()
        .getString("id");
  }

  public static Response get(Player player, String path) {
    return given().auth().oauth2(player.token()).get(path);
  }

  public static Response turn(Player player, String campaignId, String key, String userInput) {
    var request =
        given()
            .auth()
            .oauth2(player.token())
            .contentType("application/json")
            .body(Map.of("userInput", userInput));
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return request.post("/campaigns/" + campaignId + "/turns");
  }

  public static Response turn(Player player, String campaignId, String userInput) {
    return turn(player, campaignId, UUID.randomUUID().toString(), userInput);
  }

  /** Outbox payloads of {@code type} that contain {@code fragment} (a campaign id, say). */
  public static List<String> eventPayloads(String type, String fragment) {
    return ServiceDatabase.eventPayloads(type, fragment);
  }

  public static List<String> strings(String sql, Object... parameters) {
    return ServiceDatabase.strings(sql, parameters);
  }
}
