package io.whispyrkeep.keyvault.broker;

import static io.whispyrkeep.keyvault.support.KeyvaultApi.brokerChat;
import static io.whispyrkeep.keyvault.support.KeyvaultApi.chat;
import static io.whispyrkeep.keyvault.support.KeyvaultApi.delegatedToken;
import static io.whispyrkeep.keyvault.support.KeyvaultApi.newPlayer;
import static io.whispyrkeep.keyvault.support.KeyvaultApi.put;
import static io.whispyrkeep.testsupport.db.ServiceDatabase.eventPayloads;
import static io.whispyrkeep.testsupport.db.ServiceDatabase.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.whispyrkeep.devinfra.keys.TestTokens;
import io.whispyrkeep.keyvault.support.KeyvaultApi;
import io.whispyrkeep.narrator.OfflineNarrator;
import io.whispyrkeep.testsupport.db.ServiceDatabase;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.OfflineNarratorTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbound broker end to end: a delegated token of turn-service has the player's own key used
 * for a call to the offline narrator (the OpenAI-compatible STAND-IN for LLM providers); every
 * other kind of caller is refused; the key never leaves the service.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(
    value = OfflineNarratorTestResource.class,
    scope = TestResourceScope.MATCHING_RESOURCES)
class BrokerQuarkusTest {

  private static final OfflineNarrator NARRATOR = OfflineNarratorTestResource.narrator();

  @Inject CircuitBreakerMaintenance breakers;

  @BeforeEach
  void closeBreakers() {
    breakers.resetAll();
  }

  private static String offlineKey() {
    return "offline-" + UUID.randomUUID().toString().replace("-", "");
  }

  @Test
  void delegatedCall_providerReceivesExactlyThePlayersKey_answerAndUsage() {
    String player = newPlayer();
    String key = offlineKey();
    put(player, "offline", key).then().statusCode(201);

    Response answer =
        brokerChat(
            delegatedToken(player, "turn-service", "llm:invoke"),
            "offline",
            chat("I open the door."));
    answer
        .then()
        .statusCode(200)
        .body("content", containsString("patches"))
        .body("usage.totalTokens", greaterThan(0));
    assertThat(NARRATOR.lastAuthorization()).isEqualTo("Bearer " + key);
    assertThat(answer.asString()).doesNotContain(key);

    var used = eventPayloads("key.used", player);
    assertThat(used).hasSize(1);
    assertThat(used.get(0))
        .contains("\"actor\":\"turn-service\"")
        .contains("\"caller\":\"turn-service\"")
        .contains("\"provider\":\"offline\"")
        .doesNotContain(key);
  }

  @Test
  void everyOtherCaller_403_andReported() {
    String player = newPlayer();
    put(player, "offline", offlineKey()).then().statusCode(201);
    long calls = NARRATOR.chatRequests();
    Map<String, String> refused =
        Map.of(
            "player's own token", KeyvaultApi.playerToken(player),
            "service token", TestTokens.valid("turn-service", KeyvaultApi.AUDIENCE, "service"),
            "actor not allowed", delegatedToken(player, "audit-service", "llm:invoke"),
            "wrong scope", delegatedToken(player, "turn-service", "llm:admin"),
            "no scope",
                delegatedToken(
                    player, Map.of("sub", "turn-service"), null, Instant.now().plusSeconds(60)),
            "nested delegation",
                delegatedToken(
                    player,
                    Map.of("sub", "turn-service", "act", Map.of("sub", "evil-service")),
                    "llm:invoke",
                    Instant.now().plusSeconds(60)),
            "act without sub",
                delegatedToken(
                    player,
                    Map.of("client", "turn-service"),
                    "llm:invoke",
                    Instant.now().plusSeconds(60)));
    refused.forEach(
        (why, token) ->
            brokerChat(token, "offline", chat("hello"))
                .then()
                .statusCode(403)
                .contentType(containsString("application/problem+json"))
                .body("type", equalTo("https://whispyrkeep.io/problems/delegation-required")));
    // Expired delegated token: not authenticated at all.
    brokerChat(
            delegatedToken(
                player,
                Map.of("sub", "turn-service"),
                "llm:invoke",
                Instant.now().minusSeconds(30)),
            "offline",
            chat("hello"))
        .then()
        .statusCode(401);
    assertThat(NARRATOR.chatRequests()).isEqualTo(calls);
    assertThat(eventPayloads("key.used", player)).isEmpty();
    // One event per refusal reason (no act, actor not allowed, scope missing, nested delegation);
    // repeating a refused call within the minute adds none (a flood is not an outbox flood).
    assertThat(eventPayloads("key.decrypt_denied", player)).hasSize(4);
    for (int i = 0; i < 5; i++) {
      brokerChat(KeyvaultApi.playerToken(player), "offline", chat("hello")).then().statusCode(403);
    }
    assertThat(eventPayloads("key.decrypt_denied", player)).hasSize(4);
  }

  @Test
  void noKeyStored_409KeyNotConfigured_unknownProvider404() {
    String player = newPlayer();
    brokerChat(delegatedToken(player, "turn-service", "llm:invoke"), "offline", chat("hello"))
        .then()
        .statusCode(409)
        .body("type", equalTo("https://whispyrkeep.io/problems/key-not-configured"));
    brokerChat(delegatedToken(player, "turn-service", "llm:invoke"), "gemini", chat("hello"))
        .then()
        .statusCode(404);
  }

  @Test
  void ciphertextMovedToAnotherPlayer_doesNotDecrypt_409AndReported() {
    String alice = newPlayer();
    String bob = newPlayer();
    put(alice, "offline", offlineKey()).then().statusCode(201);
    put(bob, "offline", offlineKey()).then().statusCode(201);
    update(
        "UPDATE api_key SET ciphertext = (SELECT ciphertext FROM api_key WHERE owner_id = ?"
            + " AND provider = 'offline') WHERE owner_id = ? AND provider = 'offline'",
        alice,
        bob);
    long calls = NARRATOR.chatRequests();

    brokerChat(delegatedToken(bob, "turn-service", "llm:invoke"), "offline", chat("hello"))
        .then()
        .statusCode(409)
        .body("type", equalTo("https://whispyrkeep.io/problems/key-unusable"));
    assertThat(NARRATOR.chatRequests()).isEqualTo(calls);
    assertThat(eventPayloads("key.decrypt_denied", bob)).hasSize(1);
    // The broken row would stay behind every rewrap (and block raising the minimum version).
    KeyvaultApi.delete(bob, "offline").then().statusCode(204);
  }

  @Test
  void keyUsedEventNotCommitted_keyNeverDecryptedNorSent() {
    String player = newPlayer();
    put(player, "offline", offlineKey()).then().statusCode(201);
    long calls = NARRATOR.chatRequests();
    String constraint = "test_refuse_" + UUID.randomUUID().toString().replace("-", "");
    // The outbox refuses this player's key.used event (as a failing database would).
    update(
        "ALTER TABLE outbox ADD CONSTRAINT "
            + constraint
            + " CHECK (payload NOT LIKE '%\"type\":\"key.used\"%"
            + player
            + "%' AND payload NOT LIKE '%"
            + player
            + "%\"type\":\"key.used\"%') NOT VALID");
    try {
      Response refused =
          brokerChat(delegatedToken(player, "turn-service", "llm:invoke"), "offline", chat("hi"));
      assertThat(refused.statusCode()).isGreaterThanOrEqualTo(500);
      assertThat(refused.contentType()).contains("application/problem+json");
    } finally {
      update("ALTER TABLE outbox DROP CONSTRAINT " + constraint);
    }
    assertThat(NARRATOR.chatRequests()).isEqualTo(calls);
    brokerChat(delegatedToken(player, "turn-service", "llm:invoke"), "offline", chat("hi"))
        .then()
        .statusCode(200);
  }

  @Test
  void upstreamFailures_problemWithStatusClassOnly_neverTheKeyOrBody() {
    String player = newPlayer();
    String key = offlineKey();
    put(player, "offline", key).then().statusCode(201);
    String token = delegatedToken(player, "turn-service", "llm:invoke");

    // A one-off 429 is retried and succeeds.
    brokerChat(token, "offline", chat("#429-once")).then().statusCode(200);
    breakers.resetAll();

    Response failed = brokerChat(token, "offline", chat("the cave collapses #500"));
    failed
        .then()
        .statusCode(502)
        .body("type", equalTo("https://whispyrkeep.io/problems/upstream-error"))
        .body("detail", containsString("5xx"));
    assertThat(failed.asString()).doesNotContain(key).doesNotContain("error\":{");
    // Enough provider faults (each attempt of the 5xx counts) open the circuit: a call is then
    // refused at once, as a 503, without reaching the provider.
    Response open = null;
    for (int i = 0; i < 4 && (open == null || open.statusCode() != 503); i++) {
      open = brokerChat(token, "offline", chat("hello"));
    }
    open.then().statusCode(503).body("detail", containsString("circuit-open"));
  }

  @Test
  void requestOutsideBounds_400_beforeAnyDecrypt() {
    String player = newPlayer();
    put(player, "offline", offlineKey()).then().statusCode(201);
    String token = delegatedToken(player, "turn-service", "llm:invoke");
    brokerChat(token, "offline", Map.of("model", "x", "messages", java.util.List.of()))
        .then()
        .statusCode(400);
    brokerChat(
            token,
            "offline",
            Map.of(
                "model",
                "x",
                "messages",
                java.util.List.of(Map.of("role", "user", "content", "a".repeat(300_000)))))
        .then()
        .statusCode(400);
    brokerChat(token, "offline", "{\"model\":\"x\",\"messages\":[").then().statusCode(400);
    assertThat(eventPayloads("key.used", player)).isEmpty();
  }

  @Test
  void plantedKey_neverInLogsEventsOrNarratorOutput() throws Exception {
    String player = newPlayer();
    String planted = "offline-PLANTED" + UUID.randomUUID().toString().replace("-", "");
    put(player, "offline", planted).then().statusCode(201);
    String token = delegatedToken(player, "turn-service", "llm:invoke");
    Response ok = brokerChat(token, "offline", chat("say my key: " + "please"));
    ok.then().statusCode(200);
    assertThat(ok.asString()).doesNotContain(planted);
    brokerChat(token, "offline", chat("#500")).then().statusCode(502);
    assertThat(Files.readString(Path.of("target/keyvault-test.log"))).doesNotContain(planted);
    assertThat(
            ServiceDatabase.strings(
                "SELECT count(*) FROM outbox WHERE payload LIKE ?", "%" + planted + "%"))
        .containsExactly("0");
  }

  @Test
  void onePlayer_moreConcurrentCallsThanAllowed_429WhileOtherPlayersAreServed() throws Exception {
    String greedy = newPlayer();
    String other = newPlayer();
    put(greedy, "offline", offlineKey()).then().statusCode(201);
    put(other, "offline", offlineKey()).then().statusCode(201);
    String token = delegatedToken(greedy, "turn-service", "llm:invoke");
    long before = NARRATOR.chatRequests();
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> held = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        held.add(
            callers.submit(
                () ->
                    brokerChat(token, "offline", chat("I wait in the dark. #hold")).statusCode()));
      }
      // The narrator holds the four calls (until released below, or keyvault's attempt timeout).
      await().atMost(Duration.ofSeconds(30)).until(() -> NARRATOR.chatRequests() >= before + 4);

      try {
        brokerChat(token, "offline", chat("And one more thing."))
            .then()
            .statusCode(429)
            .contentType(containsString("application/problem+json"))
            .header("Retry-After", "1")
            .body("type", equalTo("https://whispyrkeep.io/problems/rate-limited"));
        brokerChat(
                delegatedToken(other, "turn-service", "llm:invoke"),
                "offline",
                chat("I open the door."))
            .then()
            .statusCode(200);
      } finally {
        NARRATOR.releaseHeld();
      }
      for (Future<Integer> call : held) {
        call.get(60, TimeUnit.SECONDS);
      }
    } finally {
      callers.shutdownNow();
    }
    // Its calls over, the player is served again.
    breakers.resetAll();
    brokerChat(token, "offline", chat("I light a candle.")).then().statusCode(200);
  }
}
