package io.whispyrkeep.keyvault.key;

import static io.restassured.RestAssured.given;
import static io.whispyrkeep.keyvault.support.KeyvaultApi.delete;
import static io.whispyrkeep.keyvault.support.KeyvaultApi.get;
import static io.whispyrkeep.keyvault.support.KeyvaultApi.newPlayer;
import static io.whispyrkeep.keyvault.support.KeyvaultApi.openAiKey;
import static io.whispyrkeep.keyvault.support.KeyvaultApi.put;
import static io.whispyrkeep.testsupport.db.ServiceDatabase.eventPayloads;
import static io.whispyrkeep.testsupport.db.ServiceDatabase.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.whispyrkeep.devinfra.keys.TestTokens;
import io.whispyrkeep.keyvault.support.KeyvaultApi;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.OfflineNarratorTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import io.whispyrkeep.testsupport.time.RateWindows;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The key store's contract against real PostgreSQL and Kafka, with the embedded transit engine:
 * stored, replaced, listed, deleted, only ever the caller's own, never echoed, never in a log.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(
    value = OfflineNarratorTestResource.class,
    scope = TestResourceScope.MATCHING_RESOURCES)
class KeyStoreQuarkusTest {

  /** The clock the service counts rate-limit windows with. */
  @Inject Clock clock;

  @Test
  void put_newThenReplaced_201Then200_metadataOnly() {
    String player = newPlayer();
    String first = openAiKey();
    Response created = put(player, "openai", first);
    created
        .then()
        .statusCode(201)
        .body("provider", equalTo("openai"))
        .body("last4", equalTo(first.substring(first.length() - 4)))
        .body("fingerprint", startsWith("hmac-sha256:"))
        .body("keyVersion", notNullValue())
        .body("createdAt", notNullValue())
        .body("updatedAt", notNullValue());
    assertThat(created.asString()).doesNotContain(first).doesNotContain("vault:v");

    String second = openAiKey();
    Response replaced = put(player, "openai", second);
    replaced.then().statusCode(200).body("last4", equalTo(second.substring(second.length() - 4)));
    assertThat(replaced.asString()).doesNotContain(second);
    assertThat(replaced.jsonPath().getString("createdAt"))
        .isEqualTo(created.jsonPath().getString("createdAt"));
    assertThat(replaced.jsonPath().getString("fingerprint"))
        .isNotEqualTo(created.jsonPath().getString("fingerprint"));

    get(player, "/keys/openai")
        .then()
        .statusCode(200)
        .body("last4", equalTo(second.substring(second.length() - 4)));
    get(player, "/keys").then().statusCode(200).body("provider", hasSize(1));
  }

  @Test
  void put_storedOnlyAsCiphertext_neverPlaintextInDatabaseOrEvents() {
    String player = newPlayer();
    String key = openAiKey();
    put(player, "openai", key).then().statusCode(201);

    var rows = strings("SELECT ciphertext FROM api_key WHERE owner_id = ?", player);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0)).startsWith("vault:v").doesNotContain(key);
    assertThat(strings("SELECT count(*) FROM api_key WHERE ciphertext LIKE ?", "%" + key + "%"))
        .containsExactly("0");

    var stored = eventPayloads("key.stored", player);
    assertThat(stored).hasSize(1);
    assertThat(stored.get(0)).contains("\"provider\":\"openai\"").contains("hmac-sha256:");
    assertThat(stored.get(0)).doesNotContain(key).doesNotContain("vault:v");
  }

  @Test
  void fingerprint_sameKeySameFingerprint_keyedSoNotAPlainHash() throws Exception {
    String key = openAiKey();
    String a = put(newPlayer(), "openai", key).then().statusCode(201).extract().path("fingerprint");
    String b = put(newPlayer(), "openai", key).then().statusCode(201).extract().path("fingerprint");
    assertThat(a).isEqualTo(b);
    byte[] plain =
        java.security.MessageDigest.getInstance("SHA-256")
            .digest(key.getBytes(StandardCharsets.UTF_8));
    assertThat(a).doesNotContain(java.util.HexFormat.of().formatHex(plain, 0, 16));
  }

  @Test
  void put_badShapes_400WithoutEchoingTheKey() {
    String player = newPlayer();
    String noPrefix = "pk-" + openAiKey().substring(3);
    assertInvalid(put(player, "openai", noPrefix), noPrefix);
    assertInvalid(put(player, "anthropic", openAiKey()), "sk-test");
    assertInvalid(put(player, "openai", "sk-short"), "sk-short");
    String spaces = "sk-with spaces and\u0000control" + "x".repeat(20);
    assertInvalid(put(player, "openai", spaces), "with spaces");
    String huge = "sk-" + "a".repeat(5000);
    assertInvalid(put(player, "openai", huge), "aaaaaaaaaa");
    assertInvalid(put(KeyvaultApi.playerToken(player), "openai", Map.of()), "zzzz");
    // A key sent as a number or an object is not a key.
    put(KeyvaultApi.playerToken(player), "openai", Map.of("apiKey", Map.of("a", 1)))
        .then()
        .statusCode(400)
        .contentType(containsString("application/problem+json"));
    // openai-compatible needs a base URL; the others refuse one.
    assertInvalid(put(player, "openai-compatible", openAiKey()), "zzzz");
    assertInvalid(
        put(
            KeyvaultApi.playerToken(player),
            "openai",
            Map.of("apiKey", openAiKey(), "baseUrl", "https://api.example.com/v1")),
        "zzzz");
    get(player, "/keys").then().statusCode(200).body("$", empty());
  }

  private static void assertInvalid(Response response, String mustNotAppear) {
    response
        .then()
        .statusCode(400)
        .contentType(containsString("application/problem+json"))
        .body("type", equalTo("https://whispyrkeep.io/problems/validation-failed"));
    assertThat(response.asString()).doesNotContain(mustNotAppear);
  }

  @Test
  void unknownOrOddProvider_404_beforeAnythingElse() {
    String player = newPlayer();
    for (String provider : new String[] {"gemini", "OPENAI", "openai%00", "a".repeat(60)}) {
      put(player, provider, openAiKey())
          .then()
          .statusCode(404)
          .contentType(containsString("application/problem+json"));
      get(player, "/keys/" + provider).then().statusCode(404);
      delete(player, provider).then().statusCode(404);
    }
  }

  @Test
  void keys_onlyTheOwnersEver() {
    String alice = newPlayer();
    String bob = newPlayer();
    put(alice, "openai", openAiKey()).then().statusCode(201);

    get(bob, "/keys").then().statusCode(200).body("$", empty());
    get(bob, "/keys/openai").then().statusCode(404);
    delete(bob, "openai").then().statusCode(404);
    get(alice, "/keys/openai").then().statusCode(200);
  }

  @Test
  void delete_rowIsGone_thenNotFound() {
    String player = newPlayer();
    put(player, "openai", openAiKey()).then().statusCode(201);
    delete(player, "openai").then().statusCode(204);
    assertThat(strings("SELECT count(*) FROM api_key WHERE owner_id = ?", player))
        .containsExactly("0");
    get(player, "/keys/openai").then().statusCode(404);
    delete(player, "openai").then().statusCode(404);
    assertThat(eventPayloads("key.deleted", player)).hasSize(1);
  }

  @Test
  void serviceOrDelegatedOrAnonymous_cannotManageKeys() {
    String serviceToken = TestTokens.valid("turn-service", KeyvaultApi.AUDIENCE, "service");
    given()
        .auth()
        .oauth2(serviceToken)
        .contentType("application/json")
        .body(Map.of("apiKey", openAiKey()))
        .put("/keys/openai")
        .then()
        .statusCode(403);
    given().when().get("/keys").then().statusCode(401);
    given()
        .auth()
        .oauth2(TestTokens.valid(newPlayer(), "turn-service", "player"))
        .get("/keys")
        .then()
        .statusCode(401);
  }

  @Test
  void keyChanges_tenPerHour_then429WithRetryAfterAndAnEvent() {
    String player = newPlayer();
    // The eleven changes must fall in one hour window, or neither window goes over the limit.
    RateWindows.awaitRoom(clock, Duration.ofHours(1), Duration.ofSeconds(30));
    for (int i = 0; i < 10; i++) {
      Response change = i % 3 == 2 ? delete(player, "openai") : put(player, "openai", openAiKey());
      assertThat(change.statusCode()).isIn(200, 201, 204);
    }
    Response refused = put(player, "openai", openAiKey());
    refused
        .then()
        .statusCode(429)
        .header("Retry-After", notNullValue())
        .body("type", equalTo("https://whispyrkeep.io/problems/rate-limited"));
    assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 3600L);
    delete(player, "openai").then().statusCode(429);
    // Reading is not a change.
    get(player, "/keys").then().statusCode(200);
    assertThat(eventPayloads("key.rate_limited", player))
        .singleElement()
        .satisfies(
            event ->
                assertThat(event)
                    .contains(
                        "\"provider\":\"openai\"",
                        "\"limit\":\"10\"",
                        "\"windowSeconds\":\"3600\""));
    // Another player is not affected.
    put(newPlayer(), "openai", openAiKey()).then().statusCode(201);
  }

  @Test
  void plantedKey_neverInTheLog() throws Exception {
    String player = newPlayer();
    String planted = "sk-PLANTED" + java.util.UUID.randomUUID().toString().replace("-", "");
    put(player, "openai", planted).then().statusCode(201);
    put(player, "openai", planted + "!").then().statusCode(400);
    put(player, "anthropic", planted).then().statusCode(400);
    Path log = Path.of("target/keyvault-test.log");
    assertThat(log).exists();
    assertThat(Files.readString(log)).doesNotContain(planted).doesNotContain(planted.substring(10));
  }
}
