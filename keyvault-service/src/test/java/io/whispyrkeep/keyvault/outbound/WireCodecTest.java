package io.whispyrkeep.keyvault.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireCodecTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final ChatRequest REQUEST =
      new ChatRequest(
          "model-x",
          List.of(
              ChatMessage.system("You narrate."),
              ChatMessage.user("I open the door."),
              ChatMessage.assistant("It creaks."),
              ChatMessage.system("Stay brief."),
              ChatMessage.user("I step in.")),
          300,
          0.7,
          0.9,
          List.of("END"));

  @Test
  void encode_openAi_keepsMessagesInOrderWithTheirRoles() throws Exception {
    JsonNode body = JSON.readTree(WireCodec.encode(WireFormat.OPENAI, REQUEST));

    assertThat(body.path("model").asText()).isEqualTo("model-x");
    assertThat(body.path("messages")).hasSize(5);
    assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
    assertThat(body.path("messages").get(4).path("content").asText()).isEqualTo("I step in.");
    assertThat(body.path("max_tokens").asInt()).isEqualTo(300);
    assertThat(body.path("temperature").asDouble()).isEqualTo(0.7);
    assertThat(body.path("top_p").asDouble()).isEqualTo(0.9);
    assertThat(body.path("stop").get(0).asText()).isEqualTo("END");
    assertThat(body.path("stream").asBoolean()).isFalse();
    assertThat(WireCodec.path(WireFormat.OPENAI)).isEqualTo("/chat/completions");
  }

  @Test
  void encode_anthropic_movesSystemPromptsToSystem() throws Exception {
    JsonNode body = JSON.readTree(WireCodec.encode(WireFormat.ANTHROPIC, REQUEST));

    assertThat(body.path("system").asText()).isEqualTo("You narrate.\n\nStay brief.");
    assertThat(body.path("messages")).hasSize(3);
    for (JsonNode message : body.path("messages")) {
      assertThat(message.path("role").asText()).isIn("user", "assistant");
    }
    assertThat(body.path("max_tokens").asInt()).isEqualTo(300);
    assertThat(body.path("stop_sequences").get(0).asText()).isEqualTo("END");
    assertThat(WireCodec.path(WireFormat.ANTHROPIC)).isEqualTo("/messages");
  }

  @Test
  void encode_anthropicWithoutMaxTokens_sendsTheDefault() throws Exception {
    JsonNode body =
        JSON.readTree(
            WireCodec.encode(
                WireFormat.ANTHROPIC, ChatRequest.of("m", List.of(ChatMessage.user("hi")))));

    assertThat(body.path("max_tokens").asInt()).isEqualTo(ChatRequest.DEFAULT_ANTHROPIC_MAX_TOKENS);
    assertThat(body.has("system")).isFalse();
  }

  @Test
  void decode_openAiAnswer_readsContentModelUsageAndFinishReason() {
    ChatCompletion completion =
        WireCodec.decode(
            WireFormat.OPENAI,
            bytes(
                "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-x\",\"choices\":[{\"index\":0,"
                    + "\"message\":{\"role\":\"assistant\",\"content\":\"Hello\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}"));

    assertThat(completion)
        .isEqualTo(new ChatCompletion("Hello", "gpt-x", new ChatCompletion.Usage(5, 2, 7), "stop"));
  }

  @Test
  void decode_anthropicAnswer_joinsTextBlocksAndSumsUsage() {
    ChatCompletion completion =
        WireCodec.decode(
            WireFormat.ANTHROPIC,
            bytes(
                "{\"id\":\"m1\",\"type\":\"message\",\"model\":\"claude-x\",\"content\":["
                    + "{\"type\":\"text\",\"text\":\"Hel\"},{\"type\":\"tool_use\",\"id\":\"t\"},"
                    + "{\"type\":\"text\",\"text\":\"lo\"}],\"stop_reason\":\"end_turn\","
                    + "\"usage\":{\"input_tokens\":10,\"output_tokens\":3}}"));

    assertThat(completion)
        .isEqualTo(
            new ChatCompletion(
                "Hello", "claude-x", new ChatCompletion.Usage(10, 3, 13), "end_turn"));
  }

  @Test
  void decode_missingUsage_isZero() {
    ChatCompletion completion =
        WireCodec.decode(
            WireFormat.OPENAI, bytes("{\"choices\":[{\"message\":{\"content\":\"x\"}}]}"));

    assertThat(completion.usage()).isEqualTo(ChatCompletion.Usage.NONE);
    assertThat(completion.model()).isNull();
  }

  @Test
  void decode_badShapes_areMalformed() {
    for (String body :
        List.of(
            "",
            "not json",
            "[]",
            "null",
            "{\"choices\":[{\"message\":{\"content\":\"x\"}}]",
            "{\"choices\":[]}",
            "{\"choices\":{}}",
            "{\"choices\":[{\"message\":{\"content\":42}}]}",
            "{\"choices\":[{\"message\":{\"content\":null}}]}",
            "{\"choices\":[{\"message\":\"x\"}]}",
            "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"prompt_tokens\":-1}}",
            "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"prompt_tokens\":1.5}}",
            "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":{\"prompt_tokens\":99999999999}}",
            "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":[]}",
            "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"model\":{}}",
            "{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"model\":\""
                + "m".repeat(300)
                + "\"}",
            "{\"choices\":[{\"message\":{\"content\":\"a\",\"content\":\"b\"}}]}",
            "{\"choices\":[{\"message\":{\"content\":\"a\"}}]} {\"choices\":[]}",
            "{\"choices\":[{\"message\":{\"content\":\"a\"}}]}garbage",
            "{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}")) {
      assertThatThrownBy(() -> WireCodec.decode(WireFormat.OPENAI, bytes(body)))
          .as(body)
          .isInstanceOfSatisfying(
              UpstreamException.class,
              e -> {
                assertThat(e.statusClass()).isEqualTo("malformed");
                assertThat(e.getCause()).isNull();
              });
    }
    for (String body :
        List.of(
            "{\"content\":\"x\"}",
            "{\"content\":[\"x\"]}",
            "{\"content\":[{\"type\":\"text\",\"text\":7}]}",
            "{\"content\":[],\"usage\":{\"input_tokens\":\"3\"}}")) {
      assertThatThrownBy(() -> WireCodec.decode(WireFormat.ANTHROPIC, bytes(body)))
          .as(body)
          .isInstanceOfSatisfying(
              UpstreamException.class, e -> assertThat(e.statusClass()).isEqualTo("malformed"));
    }
  }

  @Test
  void decode_malformedBody_neverQuotesIt() {
    assertThatThrownBy(
            () -> WireCodec.decode(WireFormat.OPENAI, bytes("{\"choices\": SECRET-BODY-TEXT")))
        .hasMessage("upstream failure: malformed")
        .hasNoCause();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
