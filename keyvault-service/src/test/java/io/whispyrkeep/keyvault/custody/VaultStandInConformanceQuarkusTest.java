package io.whispyrkeep.keyvault.custody;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.whispyrkeep.keyvault.KeyvaultEvents;
import io.whispyrkeep.keyvault.support.KeyvaultApi;
import io.whispyrkeep.testsupport.db.ServiceDatabase;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import io.whispyrkeep.testsupport.vault.VaultTransitStandIn;
import io.whispyrkeep.testsupport.vault.VaultTransitStandIn.Fault;
import io.whispyrkeep.testsupport.vault.VaultTransitStandInTestResource;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link VaultTransitEngine} through quarkus-vault's real client against {@link
 * VaultTransitStandIn}, a stand-in, not Vault: it proves the wiring (requests, answers, error
 * mapping, fault tolerance), not Vault's behaviour, which {@link LiveVaultConformanceQuarkusTest}
 * checks where a Vault runs. Vault's failure modes are injected into the stand-in; the profile
 * shortens the fault-tolerance bounds so no test waits long. The HTTP API is checked here too, on
 * the same boot: while the stand-in drops every connection, storing a key and the broker answer 503
 * {@code custody-unavailable} with {@code Retry-After}, and nothing is written.
 */
@QuarkusTest
@TestProfile(VaultStandInConformanceQuarkusTest.StandInVault.class)
class VaultStandInConformanceQuarkusTest extends TransitEngineConformance {

  /**
   * The Vault engine against the stand-in, with no master key (the local engine never starts).
   * Fault-tolerance bounds shortened globally: the annotations sit on methods, which class-level
   * settings do not reach, and this application has no other guarded calls.
   */
  public static class StandInVault implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "whispyrkeep.keyvault.custody.engine",
          "vault",
          "whispyrkeep.keyvault.custody.local.master-key",
          "",
          // This boot has no offline narrator; the HTTP tests use the openai provider.
          "whispyrkeep.keyvault.providers.offline.enabled",
          "false",
          "quarkus.fault-tolerance.global.timeout.value",
          "5000",
          "quarkus.fault-tolerance.global.circuit-breaker.request-volume-threshold",
          "4",
          "quarkus.fault-tolerance.global.circuit-breaker.delay",
          "300",
          "quarkus.fault-tolerance.global.retry.delay",
          "10",
          "quarkus.fault-tolerance.global.retry.jitter",
          "5",
          // No scheduled rewrap check here: its background calls to the stand-in would move the
          // request counts the tests assert and feed the breakers they exercise.
          "whispyrkeep.keyvault.rewrap.resume-every",
          "1h");
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(
          new TestResourceEntry(PostgresTestResource.class),
          new TestResourceEntry(KafkaTestResource.class),
          new TestResourceEntry(JwtTestResource.class),
          new TestResourceEntry(VaultTransitStandInTestResource.class));
    }
  }

  @Inject VaultTransitClient client;
  @Inject TransitEngine applicationEngine;
  @Inject CustodyConfig config;
  @Inject CircuitBreakerMaintenance circuitBreakers;

  @ConfigProperty(name = "quarkus.vault.url")
  String standIn;

  @ConfigProperty(name = "quarkus.vault.authentication.client-token")
  String token;

  /**
   * Fewer concurrent calls than against the embedded engine: quarkus-vault's client keeps 5
   * connections to Vault and the stand-in answers on a small pool, so 200 at once on a 2-core build
   * machine measure queueing against the shortened timeouts of this profile, not the engine.
   */
  @Override
  protected int concurrentCalls() {
    return 50;
  }

  @Override
  protected TransitEngine newKey() {
    String name = "conformance-" + UUID.randomUUID();
    await(client.createDerivedKey(name));
    return new VaultTransitEngine(name, client);
  }

  @BeforeEach
  @AfterEach
  void noFaults() {
    VaultTransitStandIn.clear(standIn);
    circuitBreakers.resetAll();
  }

  @Test
  void application_vaultEngineSelected_roundTripsThroughVault() {
    assertThat(applicationEngine).isInstanceOf(VaultTransitEngine.class);
    await(client.createDerivedKey(config.keyName()));
    String user = user();
    long before = VaultTransitStandIn.requests(standIn);

    String made = await(applicationEngine.encrypt(user, bytes("sk-vault")));

    assertThat(await(applicationEngine.decrypt(user, made))).isEqualTo(bytes("sk-vault"));
    assertThat(VaultTransitStandIn.requests(standIn)).isGreaterThan(before);
  }

  @Test
  void sealedVault_503_unavailable() {
    TransitEngine engine = newKey();
    VaultTransitStandIn.inject(standIn, Fault.SEALED, -1, Duration.ZERO);

    assertThat(catchFailure(engine.encrypt(user(), bytes("x"))))
        .isInstanceOf(CustodyUnavailableException.class)
        .hasMessageContaining("503");
  }

  @Test
  void permissionDenied_403_unavailable() {
    TransitEngine engine = newKey();
    String user = user();
    String made = await(engine.encrypt(user, bytes("x")));
    VaultTransitStandIn.inject(standIn, Fault.DENIED, -1, Duration.ZERO);

    assertThat(catchFailure(engine.decrypt(user, made)))
        .isInstanceOf(CustodyUnavailableException.class)
        .hasMessageContaining("403");
  }

  @Test
  void serverError_persistent500_unavailable() {
    TransitEngine engine = newKey();
    String user = user();
    String made = await(engine.encrypt(user, bytes("x")));
    VaultTransitStandIn.inject(standIn, Fault.SERVER_ERROR, -1, Duration.ZERO);

    assertThat(catchFailure(engine.rewrap(user, made)))
        .isInstanceOf(CustodyUnavailableException.class)
        .hasMessageContaining("500");
  }

  @Test
  void serverError_oneTransient500_retriedAndAnswered() {
    TransitEngine engine = newKey();
    String user = user();
    String made = await(engine.encrypt(user, bytes("worth a retry")));
    VaultTransitStandIn.inject(standIn, Fault.SERVER_ERROR, 1, Duration.ZERO);

    assertThat(await(engine.decrypt(user, made))).isEqualTo(bytes("worth a retry"));
  }

  @Test
  void slowVault_beyondTimeout_unavailable() {
    TransitEngine engine = newKey();
    String user = user();
    String made = await(engine.encrypt(user, bytes("x")));
    VaultTransitStandIn.inject(standIn, Fault.SLOW, -1, Duration.ofSeconds(8));

    assertThat(catchFailure(engine.decrypt(user, made)))
        .isInstanceOf(CustodyUnavailableException.class)
        .hasCauseInstanceOf(TimeoutException.class);
  }

  @Test
  void droppedConnections_unavailable() {
    TransitEngine engine = newKey();
    String user = user();
    String made = await(engine.encrypt(user, bytes("x")));
    VaultTransitStandIn.inject(standIn, Fault.DROP, -1, Duration.ZERO);

    assertThat(catchFailure(engine.decrypt(user, made)))
        .isInstanceOf(CustodyUnavailableException.class);
  }

  @Test
  void circuit_opensAfterRepeatedFailures_stopsCallingVault_thenCloses() {
    TransitEngine engine = newKey();
    String user = user();
    String made = await(engine.encrypt(user, bytes("x")));
    VaultTransitStandIn.inject(standIn, Fault.SERVER_ERROR, -1, Duration.ZERO);
    for (int i = 0; i < 2; i++) {
      assertThat(catchFailure(engine.decrypt(user, made)))
          .isInstanceOf(CustodyUnavailableException.class);
    }
    long reachedVault = VaultTransitStandIn.requests(standIn);

    Throwable open = catchFailure(engine.decrypt(user, made));

    assertThat(open)
        .isInstanceOf(CustodyUnavailableException.class)
        .hasCauseInstanceOf(CircuitBreakerOpenException.class);
    assertThat(VaultTransitStandIn.requests(standIn)).isEqualTo(reachedVault);
    VaultTransitStandIn.clear(standIn);
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(TransitEngineConformance.await(engine.decrypt(user, made)))
                    .isEqualTo(bytes("x")));
  }

  @Test
  void refusedCiphertexts_neverOpenTheCircuit() {
    TransitEngine engine = newKey();
    String user = user();
    String made = await(engine.encrypt(user, bytes("x")));
    String altered = flipBodyCharacter(made);
    long before = VaultTransitStandIn.requests(standIn);

    for (int i = 0; i < 12; i++) {
      assertThat(refusal(engine.decrypt(user, altered)))
          .isEqualTo(CiphertextRefusedException.Reason.AUTHENTICATION_FAILED);
    }

    // 12 requests, none retried (36 if refusals were retried); the stand-in also counts the
    // client's own background calls (token lookup), hence the small margin.
    assertThat(VaultTransitStandIn.requests(standIn) - before).isBetween(12L, 15L);
    assertThat(await(engine.decrypt(user, made))).isEqualTo(bytes("x"));
  }

  @Test
  void nonDerivedKey_refusedBeforeAnyEncryption() throws Exception {
    String name = "not-derived-" + UUID.randomUUID();
    HttpResponse<String> created =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(standIn + "/v1/transit/keys/" + name))
                    .header("X-Vault-Token", token)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"derived\":false}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).isEqualTo(204);
    TransitEngine engine = new VaultTransitEngine(name, client);

    assertThat(catchFailure(engine.encrypt(user(), bytes("x"))))
        .isInstanceOf(CustodyUnavailableException.class)
        .hasMessageContaining("not a derived");
  }

  // ---- the HTTP API while Vault cannot be reached ---------------------------------------------

  @Test
  void putKey_vaultDroppingConnections_503WithRetryAfterAndNothingStored() {
    await(client.createDerivedKey(config.keyName()));
    String player = KeyvaultApi.newPlayer();
    String apiKey = KeyvaultApi.openAiKey();
    VaultTransitStandIn.inject(standIn, Fault.DROP, -1, Duration.ZERO);

    Response response = KeyvaultApi.put(player, "openai", apiKey);

    assertCustodyUnavailable(response);
    assertThat(response.asString()).doesNotContain(apiKey);
    assertThat(ServiceDatabase.strings("SELECT id::text FROM api_key WHERE owner_id = ?", player))
        .isEmpty();
    assertThat(ServiceDatabase.eventPayloads(KeyvaultEvents.STORED, player)).isEmpty();
    VaultTransitStandIn.clear(standIn);
    circuitBreakers.resetAll();
    KeyvaultApi.get(player, "/keys/openai").then().statusCode(404);
  }

  @Test
  void putKey_replacingWhileVaultDropsConnections_503AndTheOldKeyAndItsEventsStay() {
    await(client.createDerivedKey(config.keyName()));
    String player = KeyvaultApi.newPlayer();
    KeyvaultApi.put(player, "openai", KeyvaultApi.openAiKey()).then().statusCode(201);
    List<String> before =
        ServiceDatabase.strings("SELECT ciphertext FROM api_key WHERE owner_id = ?", player);
    VaultTransitStandIn.inject(standIn, Fault.DROP, -1, Duration.ZERO);

    assertCustodyUnavailable(KeyvaultApi.put(player, "openai", KeyvaultApi.openAiKey()));

    assertThat(ServiceDatabase.strings("SELECT ciphertext FROM api_key WHERE owner_id = ?", player))
        .isEqualTo(before);
    assertThat(ServiceDatabase.eventPayloads(KeyvaultEvents.STORED, player)).hasSize(1);
    assertThat(ServiceDatabase.eventPayloads(KeyvaultEvents.REPLACED, player)).isEmpty();
  }

  @Test
  void brokerCall_vaultDroppingConnections_503WithRetryAfter() {
    await(client.createDerivedKey(config.keyName()));
    String player = KeyvaultApi.newPlayer();
    KeyvaultApi.put(player, "openai", KeyvaultApi.openAiKey()).then().statusCode(201);
    VaultTransitStandIn.inject(standIn, Fault.DROP, -1, Duration.ZERO);

    Response response =
        KeyvaultApi.brokerChat(
            KeyvaultApi.delegatedToken(player, "turn-service", "llm:invoke"),
            "openai",
            KeyvaultApi.chat("Hello"));

    assertCustodyUnavailable(response);
  }

  private static void assertCustodyUnavailable(Response response) {
    response
        .then()
        .statusCode(503)
        .contentType("application/problem+json")
        .header("Retry-After", notNullValue())
        .body("type", equalTo("https://whispyrkeep.io/problems/custody-unavailable"));
  }

  @Test
  void missingKey_unavailableNotRefused() {
    TransitEngine engine = new VaultTransitEngine("missing-" + UUID.randomUUID(), client);

    assertThat(catchFailure(engine.decrypt(user(), "vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")))
        .isInstanceOf(CustodyUnavailableException.class)
        .hasMessageContaining("404");
  }
}
