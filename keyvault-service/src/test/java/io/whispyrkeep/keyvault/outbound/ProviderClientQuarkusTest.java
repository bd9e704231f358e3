package io.whispyrkeep.keyvault.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.narrator.OfflineNarrator;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.OfflineNarratorTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolationException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fault-tolerant provider calls in the running service, against the offline narrator (the
 * OpenAI-compatible stand-in for LLM providers) as the trusted offline provider. Shares its boot
 * with {@code KeyvaultServiceQuarkusTest} (same test resources). Attempt timeout, backoff and
 * breaker thresholds are shortened in {@code src/test/resources/application.properties}.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(
    value = OfflineNarratorTestResource.class,
    scope = TestResourceScope.MATCHING_RESOURCES)
class ProviderClientQuarkusTest {

  private static final String KEY = "sk-test-PLAYER-OWN-KEY-7c1e9a4b2d6f8e0a3c5b";

  private static OfflineNarrator narrator;

  @Inject ProviderClient client;
  @Inject BaseUrlGuard guard;
  @Inject CircuitBreakerMaintenance breakers;

  private final Map<String, List<InetAddress>> dns = new ConcurrentHashMap<>();

  @BeforeAll
  static void startNarrator() throws IOException {
    narrator =
        OfflineNarrator.start(
            "127.0.0.1",
            0,
            OfflineNarrator.Options.defaults().withSlowDelay(Duration.ofSeconds(15)));
  }

  @AfterAll
  static void stopNarrator() {
    narrator.close();
  }

  @BeforeEach
  void isolate() {
    breakers.reset("llm-offline");
    QuarkusMock.installMockForType(new StubResolver(dns), HostResolver.class);
  }

  @Test
  void chat_offline_narratorReceivesExactlyThePlayersKey() {
    ChatCompletion completion = join(client.chat(offline(), key(), request("I open the door.")));

    assertThat(narrator.lastAuthorization()).isEqualTo("Bearer " + KEY);
    assertThat(completion.content()).contains("\"patches\"");
    assertThat(completion.model()).isEqualTo("offline-narrator");
  }

  @Test
  void chat_rateLimitedOnce_isRetriedAndSucceeds() {
    long before = narrator.chatRequests();

    ChatCompletion completion =
        join(client.chat(offline(), key(), request("Again " + System.nanoTime() + " #429-once")));

    assertThat(completion.content()).isNotBlank();
    assertThat(narrator.chatRequests() - before).isEqualTo(2);
  }

  @Test
  void chat_serverErrorOnce_isRetriedAndSucceeds() {
    long before = narrator.chatRequests();

    ChatCompletion completion =
        join(client.chat(offline(), key(), request("Wobble " + System.nanoTime() + " #500-once")));

    assertThat(completion.content()).isNotBlank();
    assertThat(narrator.chatRequests() - before).isEqualTo(2);
  }

  @Test
  void chat_serverErrorEveryTime_isRetriedTwiceThenFailsWith5xxWithoutTheBody() {
    long before = narrator.chatRequests();

    Throwable failure = failureOf(client.chat(offline(), key(), request("Boom #500")));

    assertThat(failure).isInstanceOf(UpstreamException.class);
    assertThat(((UpstreamException) failure).statusClass()).isEqualTo("5xx");
    assertThat(narrator.chatRequests() - before).isEqualTo(3);
    assertThat(everything(failure))
        .doesNotContain("server had an error")
        .doesNotContain("offline narrator script")
        .doesNotContain(KEY);
  }

  @Test
  void chat_malformedAnswer_failsAsMalformedWithoutRetry() {
    long before = narrator.chatRequests();

    Throwable failure = failureOf(client.chat(offline(), key(), request("#malformed")));

    assertThat(((UpstreamException) failure).statusClass()).isEqualTo("malformed");
    assertThat(narrator.chatRequests() - before).isEqualTo(1);
  }

  @Test
  void chat_slowProvider_failsAsTimeoutWithoutRetry() {
    long before = narrator.chatRequests();

    Throwable failure = failureOf(client.chat(offline(), key(), request("Wait #slow")));

    assertThat(failure).isInstanceOf(UpstreamException.class);
    assertThat(((UpstreamException) failure).statusClass()).isEqualTo("timeout");
    assertThat(narrator.chatRequests() - before).isEqualTo(1);
  }

  @Test
  void chat_repeatedProviderFaults_openTheCircuitAndStopSending() {
    for (int i = 0; i < 2; i++) {
      assertThat(failureOf(client.chat(offline(), key(), request("Boom #500"))))
          .isInstanceOf(UpstreamException.class);
    }
    long before = narrator.chatRequests();

    Throwable failure = failureOf(client.chat(offline(), key(), request("Hello")));

    assertThat(((UpstreamException) failure).statusClass()).isEqualTo("circuit-open");
    assertThat(narrator.chatRequests()).isEqualTo(before);
  }

  @Test
  void chat_playersOwnRateLimits_neverOpenTheCircuit() {
    for (int i = 0; i < 2; i++) {
      // 429 (Retry-After: 1) on each of 3 attempts: retried, but never counted against the
      // provider, though 6 provider faults would open this breaker.
      assertThat(failureOf(client.chat(offline(), key(), request("Hi #429"))))
          .isInstanceOf(UpstreamException.class);
    }

    assertThat(join(client.chat(offline(), key(), request("Hello"))).content()).isNotBlank();
  }

  @Test
  void chat_customUrlNowResolvingPrivate_isRefusedAtCallTime() throws Exception {
    dns.put("llm.player.example", List.of(InetAddress.getByName("93.184.216.34")));
    ResolvedTarget atRegistration = join(guard.check("https://llm.player.example/v1"));
    dns.put("llm.player.example", List.of(InetAddress.getByName("10.0.0.7")));
    long before = narrator.chatRequests();

    Throwable failure =
        failureOf(
            client.chat(
                ProviderEndpoint.custom(WireFormat.OPENAI, "https://llm.player.example/v1"),
                key(),
                request("Hello")));

    assertThat(atRegistration.connectAddress().getHostAddress()).isEqualTo("93.184.216.34");
    assertThat(failure)
        .isInstanceOfSatisfying(
            BaseUrlRefusedException.class,
            e -> assertThat(e.reason()).isEqualTo(BaseUrlRefusedException.Reason.NOT_PUBLIC));
    assertThat(narrator.chatRequests()).isEqualTo(before);
  }

  @Test
  void chat_customUrlToTheNarratorsLoopbackAddress_isRefused() {
    String url = "https://127.0.0.1:" + narrator.port() + "/v1";

    assertThat(
            failureOf(
                client.chat(ProviderEndpoint.custom(WireFormat.OPENAI, url), key(), request("Hi"))))
        .isInstanceOf(BaseUrlRefusedException.class);
    assertThat(
            failureOf(
                client.chat(
                    ProviderEndpoint.custom(WireFormat.OPENAI, narrator.baseUrl()),
                    key(),
                    request("Hi"))))
        .isInstanceOfSatisfying(
            BaseUrlRefusedException.class,
            e -> assertThat(e.reason()).isEqualTo(BaseUrlRefusedException.Reason.SCHEME));
  }

  @Test
  void chat_requestOverItsBounds_isRefusedBeforeSending() {
    long before = narrator.chatRequests();
    List<ChatMessage> tooMany = new ArrayList<>(Collections.nCopies(65, ChatMessage.user("x")));
    List<ChatMessage> tooLong =
        new ArrayList<>(Collections.nCopies(9, ChatMessage.user("y".repeat(32 * 1024))));

    for (ChatRequest request :
        List.of(
            ChatRequest.of("m", tooMany),
            ChatRequest.of("m", tooLong),
            ChatRequest.of("m", List.of(ChatMessage.user("z".repeat(32 * 1024 + 1)))),
            ChatRequest.of("m", List.of()),
            ChatRequest.of("bad model name", List.of(ChatMessage.user("x"))),
            new ChatRequest("m", List.of(ChatMessage.user("x")), 0, null, null, null),
            new ChatRequest("m", List.of(ChatMessage.user("x")), 8193, null, null, null),
            new ChatRequest("m", List.of(ChatMessage.user("x")), null, 2.5, null, null),
            new ChatRequest("m", List.of(ChatMessage.user("x")), null, null, 1.5, null))) {
      assertThat(failureOf(client.chat(offline(), key(), request)))
          .isInstanceOf(ConstraintViolationException.class);
    }
    assertThat(narrator.chatRequests()).isEqualTo(before);
  }

  @Test
  void chat_keyThatIsNotVisibleAscii_isRefusedWithoutQuotingIt() {
    byte[] injected = (KEY + "\r\nX-Evil: 1").getBytes(StandardCharsets.US_ASCII);

    assertThat(failureOf(client.chat(offline(), injected, request("Hi"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(KEY);
  }

  @Test
  void log_neverCarriesThePlayersKey() throws IOException {
    join(client.chat(offline(), key(), request("Hello there")));
    failureOf(client.chat(offline(), key(), request("Boom #500")));
    failureOf(client.chat(offline(), key(), request("#malformed")));

    Path log = Path.of("target/keyvault-test.log");
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(text).isNotEmpty().doesNotContain(KEY).doesNotContain("PLAYER-OWN-KEY");
  }

  /** Answers from the test's table; unknown names do not resolve. */
  static class StubResolver extends VertxHostResolver {
    private final Map<String, List<InetAddress>> answers;

    StubResolver(Map<String, List<InetAddress>> answers) {
      super(null, (io.vertx.core.dns.DnsClientOptions) null);
      this.answers = answers;
    }

    @Override
    public Uni<List<InetAddress>> resolve(String asciiHost) {
      List<InetAddress> answer = answers.get(asciiHost);
      if (answer == null) {
        return Uni.createFrom().failure(new UnknownHostException("stub"));
      }
      return Uni.createFrom().item(answer);
    }
  }

  private static ProviderEndpoint offline() {
    return ProviderEndpoint.operator(
        Provider.OFFLINE, WireFormat.OPENAI, URI.create(narrator.baseUrl()));
  }

  private static byte[] key() {
    return KEY.getBytes(StandardCharsets.US_ASCII);
  }

  private static ChatRequest request(String lastUserMessage) {
    return ChatRequest.of(
        "gpt-4o-mini",
        List.of(ChatMessage.system("You narrate."), ChatMessage.user(lastUserMessage)));
  }

  private static <T> T join(Uni<T> uni) {
    return uni.await().atMost(Duration.ofSeconds(60));
  }

  private static Throwable failureOf(Uni<?> uni) {
    try {
      join(uni);
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected the call to fail");
  }

  private static String everything(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      text.append(t).append('\n');
    }
    return text.toString();
  }
}
