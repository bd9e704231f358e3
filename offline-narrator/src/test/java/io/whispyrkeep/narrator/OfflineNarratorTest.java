package io.whispyrkeep.narrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OfflineNarratorTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "sk-test-PLANTED-4f1d2c9e8b7a6f5e4d3c2b1a0f9e8d7c";
  private static final Pattern PATCH_BLOCK =
      Pattern.compile("\n\n```json\n(.*)\n```\\z", Pattern.DOTALL);
  private static final Pattern TURN_PATH = Pattern.compile("^/[a-z_/]+$");
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private OfflineNarrator narrator;

  @BeforeEach
  void start() throws IOException {
    narrator =
        OfflineNarrator.start(
            "127.0.0.1",
            0,
            OfflineNarrator.Options.defaults()
                .withSlowDelay(Duration.ofMillis(50))
                .withMaxRequestBytes(64 * 1024)
                .withClock(Clock.fixed(NOW, ZoneOffset.UTC)));
  }

  @AfterEach
  void stop() {
    narrator.close();
  }

  @Test
  void chat_withBearerKey_answersInOpenAiFormat() throws Exception {
    HttpResponse<String> response = chat("Bearer " + KEY, body("I open the door."));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode completion = JSON.readTree(response.body());
    assertThat(completion.path("id").asText()).startsWith("chatcmpl-");
    assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
    assertThat(completion.path("created").asLong()).isEqualTo(NOW.getEpochSecond());
    assertThat(completion.path("model").asText()).isEqualTo("offline-narrator");
    JsonNode choice = completion.path("choices").get(0);
    assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(choice.path("message").path("content").asText()).isNotBlank();
    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
    JsonNode usage = completion.path("usage");
    assertThat(usage.path("prompt_tokens").asInt()).isPositive();
    assertThat(usage.path("completion_tokens").asInt()).isPositive();
    assertThat(usage.path("total_tokens").asInt())
        .isEqualTo(usage.path("prompt_tokens").asInt() + usage.path("completion_tokens").asInt());
  }

  @Test
  void chat_sameLastMessage_answersTheSame() throws Exception {
    String first = content(chat("Bearer " + KEY, body("I light a torch.")));
    String second = content(chat("Bearer other-key", body("I light a torch.")));

    assertThat(second).isEqualTo(first);
  }

  @Test
  void chat_answer_endsWithPatchBlockInTurnServiceFormat() throws Exception {
    JsonNode patches =
        patchBlock(content(chat("Bearer " + KEY, body("I listen.")))).path("patches");

    assertThat(patches.isArray()).isTrue();
    assertThat(patches.size()).isEqualTo(2);
    for (JsonNode patch : patches) {
      assertThat(patch.path("op").asText()).isIn("add", "replace", "remove", "advance_time");
      assertThat(patch.path("path").asText()).matches(TURN_PATH);
    }
    assertThat(patches.get(0).path("path").asText()).isEqualTo("/scene/last_action");
    assertThat(patches.get(1).path("op").asText()).isEqualTo("advance_time");
    assertThat(patches.get(1).path("value").path("minutes").asInt()).isPositive();
  }

  @Test
  void chat_messageWithKeyLikeText_neverEchoesIt() throws Exception {
    String secretInPrompt = "sk-proj-ECHOME0123456789abcdefABCDEF0123456789";
    HttpResponse<String> response =
        chat("Bearer " + KEY, body("My key is " + secretInPrompt + " please repeat it " + KEY));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).doesNotContain(secretInPrompt).doesNotContain(KEY);
  }

  @Test
  void chat_withoutAuthorization_answers401InOpenAiErrorFormat() throws Exception {
    HttpResponse<String> response = chat(null, body("Hello"));

    assertThat(response.statusCode()).isEqualTo(401);
    JsonNode error = JSON.readTree(response.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("code").asText()).isEqualTo("invalid_api_key");
  }

  @Test
  void chat_withNonBearerOrEmptyToken_answers401() throws Exception {
    assertThat(chat("Basic dXNlcjpwYXNz", body("Hello")).statusCode()).isEqualTo(401);
    assertThat(chat("Bearer ", body("Hello")).statusCode()).isEqualTo(401);
    assertThat(chat("Bearer two words", body("Hello")).statusCode()).isEqualTo(401);
  }

  @Test
  void chat_bodyOverTheBound_answers413() throws Exception {
    String big = body("x".repeat(70 * 1024));

    assertThat(chat("Bearer " + KEY, big).statusCode()).isEqualTo(413);
  }

  @Test
  void chat_chunkedBodyOverTheBound_answers413() throws Exception {
    byte[] big = body("y".repeat(70 * 1024)).getBytes(StandardCharsets.UTF_8);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(narrator.baseUrl() + "/chat/completions"))
            .header("Authorization", "Bearer " + KEY)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
            .build();

    assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(413);
  }

  @Test
  void chat_invalidJsonOrNoMessages_answers400() throws Exception {
    assertThat(chat("Bearer " + KEY, "{not json").statusCode()).isEqualTo(400);
    assertThat(chat("Bearer " + KEY, "{\"messages\":[]}").statusCode()).isEqualTo(400);
  }

  @Test
  void chat_getInsteadOfPost_answers405() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(narrator.baseUrl() + "/chat/completions"))
            .header("Authorization", "Bearer " + KEY)
            .GET()
            .build();

    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("POST");
  }

  @Test
  void lastAuthorization_isExactlyTheValueReceived() throws Exception {
    assertThat(narrator.lastAuthorization()).isNull();

    chat("Bearer " + KEY, body("Hello"));

    assertThat(narrator.lastAuthorization()).isEqualTo("Bearer " + KEY);
    assertThat(narrator.chatRequests()).isEqualTo(1);
  }

  @Test
  void lastAuthorizationSha256_givesTheDigestNeverTheValue() throws Exception {
    HttpResponse<String> before = get("/_narrator/last-authorization-sha256");
    chat("Bearer " + KEY, body("Hello"));

    HttpResponse<String> after = get("/_narrator/last-authorization-sha256");

    assertThat(before.statusCode()).isEqualTo(404);
    assertThat(after.statusCode()).isEqualTo(200);
    String expected =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(("Bearer " + KEY).getBytes(StandardCharsets.UTF_8)));
    assertThat(after.body()).isEqualTo(expected).doesNotContain(KEY);
  }

  @Test
  void health_answers200() throws Exception {
    HttpResponse<String> response = get("/health");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).path("status").asText()).isEqualTo("UP");
  }

  @Test
  void unknownPath_answers404() throws Exception {
    assertThat(get("/v1/models").statusCode()).isEqualTo(404);
  }

  @Test
  void marker429_answers429WithRetryAfterAndOpenAiError() throws Exception {
    HttpResponse<String> first = chat("Bearer " + KEY, body("Attack! #429"));
    HttpResponse<String> second = chat("Bearer " + KEY, body("Attack! #429"));

    for (HttpResponse<String> response : List.of(first, second)) {
      assertThat(response.statusCode()).isEqualTo(429);
      assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(JSON.readTree(response.body()).path("error").path("code").asText())
          .isEqualTo("rate_limit_exceeded");
    }
  }

  @Test
  void marker429Once_failsOnceThenAnswers() throws Exception {
    assertThat(chat("Bearer " + KEY, body("Try again #429-once")).statusCode()).isEqualTo(429);
    assertThat(chat("Bearer " + KEY, body("Try again #429-once")).statusCode()).isEqualTo(200);
  }

  @Test
  void marker500_answers500WithOpenAiError() throws Exception {
    HttpResponse<String> response = chat("Bearer " + KEY, body("Boom #500"));

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(JSON.readTree(response.body()).path("error").path("type").asText())
        .isEqualTo("server_error");
  }

  @Test
  void marker500Once_failsOnceThenAnswers() throws Exception {
    assertThat(chat("Bearer " + KEY, body("Wobble #500-once")).statusCode()).isEqualTo(500);
    assertThat(chat("Bearer " + KEY, body("Wobble #500-once")).statusCode()).isEqualTo(200);
  }

  @Test
  void markerMalformed_answers200WithInvalidJson() throws Exception {
    HttpResponse<String> response = chat("Bearer " + KEY, body("#malformed please"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> JSON.readTree(response.body())).isInstanceOf(IOException.class);
  }

  @Test
  void markerSlow_stillAnswers() throws Exception {
    HttpResponse<String> response = chat("Bearer " + KEY, body("Wait for it #slow"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(patchBlock(content(response)).path("patches").size()).isEqualTo(2);
  }

  @Test
  void markerHold_withoutHolds_answersAtOnce() throws Exception {
    HttpResponse<String> response = chat("Bearer " + KEY, body("Hold it #hold"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(patchBlock(content(response)).path("patches").size()).isEqualTo(2);
  }

  @Test
  void markerHold_withHolds_answersOnlyOnceReleased() throws Exception {
    narrator.close();
    narrator =
        OfflineNarrator.start("127.0.0.1", 0, OfflineNarrator.Options.defaults().withHolds());
    CompletableFuture<HttpResponse<String>> held =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return chat("Bearer " + KEY, body("Hold it #hold"));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    await().atMost(Duration.ofSeconds(10)).until(() -> narrator.chatRequests() == 1);
    // Received, and still not answered: it waits for the release, however long that takes.
    assertThatThrownBy(() -> held.get(300, TimeUnit.MILLISECONDS))
        .isInstanceOf(TimeoutException.class);

    narrator.releaseHeld();

    assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void markerHostilePatch_writesUserRole() throws Exception {
    JsonNode patch =
        patchBlock(content(chat("Bearer " + KEY, body("#hostile-patch")))).path("patches").get(0);

    assertThat(patch.path("path").asText()).isEqualTo("/user/role");
  }

  @Test
  void markerDeepPatch_hasTwelveSegments() throws Exception {
    JsonNode patch =
        patchBlock(content(chat("Bearer " + KEY, body("go #deep-patch")))).path("patches").get(0);

    String path = patch.path("path").asText();
    assertThat(path).matches(TURN_PATH);
    assertThat(path.substring(1).split("/")).hasSize(12);
  }

  @Test
  void markerBadJson_patchBlockIsNotJson() throws Exception {
    String content = content(chat("Bearer " + KEY, body("go #bad-json")));
    Matcher block = PATCH_BLOCK.matcher(content);

    assertThat(block.find()).isTrue();
    assertThat(block.group(1)).startsWith("{\"patches\"");
    assertThatThrownBy(() -> JSON.readTree(block.group(1))).isInstanceOf(IOException.class);
  }

  @Test
  void markerHugePatch_valueIsOver64KiB() throws Exception {
    JsonNode patch =
        patchBlock(content(chat("Bearer " + KEY, body("go #huge-patch")))).path("patches").get(0);

    assertThat(patch.path("value").asText().length()).isGreaterThan(64 * 1024);
  }

  @Test
  void markerInsideAWord_isNotAMarker() throws Exception {
    assertThat(chat("Bearer " + KEY, body("issue#500 is fixed")).statusCode()).isEqualTo(200);
  }

  @Test
  void logsAndStandardStreams_neverCarryTheAuthorizationValue() throws Exception {
    Logger logger = Logger.getLogger(OfflineNarrator.class.getName());
    Level previous = logger.getLevel();
    StringBuilder logged = new StringBuilder();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            synchronized (logged) {
              logged.append(record.getMessage());
              if (record.getParameters() != null) {
                for (Object parameter : record.getParameters()) {
                  logged.append(' ').append(parameter);
                }
              }
              logged.append('\n');
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    capture.setLevel(Level.ALL);
    logger.setLevel(Level.ALL);
    logger.addHandler(capture);
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream streams = new ByteArrayOutputStream();
    PrintStream tee = new PrintStream(streams, true, StandardCharsets.UTF_8);
    System.setOut(tee);
    System.setErr(tee);
    try {
      chat("Bearer " + KEY, body("Hello"));
      chat("Bearer " + KEY, body("Boom #500"));
      chat("Bearer " + KEY, body("#malformed"));
      chat("Bearer " + KEY, "{not json");
      chat("Basic " + KEY, body("Hello"));
      get("/_narrator/last-authorization-sha256");
    } finally {
      System.setOut(out);
      System.setErr(err);
      logger.removeHandler(capture);
      logger.setLevel(previous);
    }

    String everything = logged + streams.toString(StandardCharsets.UTF_8);
    assertThat(logged.toString()).contains("/v1/chat/completions");
    assertThat(everything).doesNotContain(KEY).doesNotContain("PLANTED");
  }

  @Test
  void close_stopsListening() throws Exception {
    String health = narrator.baseUrl().replace("/v1", "/health");
    narrator.close();

    assertThatThrownBy(
            () ->
                http.send(
                    HttpRequest.newBuilder(URI.create(health)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }

  private HttpResponse<String> chat(String authorization, String json) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(narrator.baseUrl() + "/chat/completions"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    String root = narrator.baseUrl().substring(0, narrator.baseUrl().length() - "/v1".length());
    return http.send(
        HttpRequest.newBuilder(URI.create(root + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String body(String lastUserMessage) throws Exception {
    var root = JSON.createObjectNode();
    root.put("model", "gpt-4o-mini");
    var messages = root.putArray("messages");
    messages.addObject().put("role", "system").put("content", "You are the narrator.");
    messages.addObject().put("role", "user").put("content", lastUserMessage);
    root.put("max_tokens", 256);
    return JSON.writeValueAsString(root);
  }

  private static String content(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).isEqualTo(200);
    return JSON.readTree(response.body())
        .path("choices")
        .get(0)
        .path("message")
        .path("content")
        .asText();
  }

  private static JsonNode patchBlock(String content) throws Exception {
    Matcher block = PATCH_BLOCK.matcher(content);
    assertThat(block.find()).as("content ends with a fenced json patch block").isTrue();
    return JSON.readTree(block.group(1));
  }
}
