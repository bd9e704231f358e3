package io.whispyrkeep.keyvault.outbound;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Translates {@link ChatRequest} into OpenAI's or Anthropic's request JSON and their answers back
 * into {@link ChatCompletion}. Answers are parsed defensively: nesting, string and number lengths
 * bounded, duplicate keys and trailing content refused (two parsers must not read two different
 * answers), every field type-checked. Anything unexpected is {@link
 * UpstreamException.Failure#MALFORMED}, without a cause (a Jackson message can quote the body).
 */
final class WireCodec {

  /** The Anthropic API version this codec speaks. */
  static final String ANTHROPIC_VERSION = "2023-06-01";

  /** Longest model name or finish reason taken from an answer. */
  private static final int MAX_LABEL_CHARS = 256;

  private static final ObjectMapper JSON =
      new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(32)
                          .maxNumberLength(32)
                          .maxStringLength(2 * 1024 * 1024)
                          .build())
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                  .build())
          // "{...} {...}": two answers in one body would let two readers disagree.
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private WireCodec() {}

  /** The path under the base URL: {@code /chat/completions} or {@code /messages}. */
  static String path(WireFormat format) {
    return format == WireFormat.ANTHROPIC ? "/messages" : "/chat/completions";
  }

  static byte[] encode(WireFormat format, ChatRequest request) {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", request.model());
    if (format == WireFormat.ANTHROPIC) {
      encodeAnthropic(root, request);
    } else {
      encodeOpenAi(root, request);
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  private static void encodeOpenAi(ObjectNode root, ChatRequest request) {
    ArrayNode messages = root.putArray("messages");
    for (ChatMessage message : request.messages()) {
      messages.addObject().put("role", message.role().wireName()).put("content", message.content());
    }
    if (request.maxTokens() != null) {
      root.put("max_tokens", request.maxTokens());
    }
    if (request.temperature() != null) {
      root.put("temperature", request.temperature());
    }
    if (request.topP() != null) {
      root.put("top_p", request.topP());
    }
    if (request.stop() != null && !request.stop().isEmpty()) {
      ArrayNode stop = root.putArray("stop");
      request.stop().forEach(stop::add);
    }
    root.put("stream", false);
  }

  /** System messages move to {@code system} (joined by a blank line); the rest keep their order. */
  private static void encodeAnthropic(ObjectNode root, ChatRequest request) {
    List<String> system = new ArrayList<>();
    ArrayNode messages = JSON.createArrayNode();
    for (ChatMessage message : request.messages()) {
      if (message.role() == ChatMessage.Role.SYSTEM) {
        system.add(message.content());
      } else {
        messages
            .addObject()
            .put("role", message.role().wireName())
            .put("content", message.content());
      }
    }
    if (!system.isEmpty()) {
      root.put("system", String.join("\n\n", system));
    }
    root.set("messages", messages);
    root.put(
        "max_tokens",
        request.maxTokens() != null
            ? request.maxTokens()
            : ChatRequest.DEFAULT_ANTHROPIC_MAX_TOKENS);
    if (request.temperature() != null) {
      root.put("temperature", request.temperature());
    }
    if (request.topP() != null) {
      root.put("top_p", request.topP());
    }
    if (request.stop() != null && !request.stop().isEmpty()) {
      ArrayNode stop = root.putArray("stop_sequences");
      request.stop().forEach(stop::add);
    }
  }

  /**
   * The completion in {@code body}.
   *
   * @throws ProviderFaultException {@code malformed} when the body is not the promised shape
   */
  static ChatCompletion decode(WireFormat format, byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw malformed();
    }
    if (root == null || !root.isObject()) {
      throw malformed();
    }
    return format == WireFormat.ANTHROPIC ? decodeAnthropic(root) : decodeOpenAi(root);
  }

  private static ChatCompletion decodeOpenAi(JsonNode root) {
    JsonNode choices = root.get("choices");
    if (choices == null || !choices.isArray() || choices.isEmpty()) {
      throw malformed();
    }
    JsonNode choice = choices.get(0);
    JsonNode message = choice == null ? null : choice.get("message");
    if (message == null || !message.isObject()) {
      throw malformed();
    }
    JsonNode content = message.get("content");
    if (content == null || !content.isTextual()) {
      throw malformed();
    }
    JsonNode usage = root.get("usage");
    ChatCompletion.Usage counts = ChatCompletion.Usage.NONE;
    if (usage != null && !usage.isNull()) {
      if (!usage.isObject()) {
        throw malformed();
      }
      int prompt = count(usage.get("prompt_tokens"));
      int completion = count(usage.get("completion_tokens"));
      JsonNode total = usage.get("total_tokens");
      counts =
          new ChatCompletion.Usage(
              prompt, completion, total == null ? saturatedSum(prompt, completion) : count(total));
    }
    return new ChatCompletion(
        content.textValue(), label(root.get("model")), counts, label(choice.get("finish_reason")));
  }

  private static ChatCompletion decodeAnthropic(JsonNode root) {
    JsonNode content = root.get("content");
    if (content == null || !content.isArray()) {
      throw malformed();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode block : content) {
      if (!block.isObject()) {
        throw malformed();
      }
      JsonNode type = block.get("type");
      if (type != null && "text".equals(type.textValue())) {
        JsonNode value = block.get("text");
        if (value == null || !value.isTextual()) {
          throw malformed();
        }
        text.append(value.textValue());
      }
    }
    JsonNode usage = root.get("usage");
    ChatCompletion.Usage counts = ChatCompletion.Usage.NONE;
    if (usage != null && !usage.isNull()) {
      if (!usage.isObject()) {
        throw malformed();
      }
      int input = count(usage.get("input_tokens"));
      int output = count(usage.get("output_tokens"));
      counts = new ChatCompletion.Usage(input, output, saturatedSum(input, output));
    }
    return new ChatCompletion(
        text.toString(), label(root.get("model")), counts, label(root.get("stop_reason")));
  }

  /** A non-negative int count; absent or null is 0; anything else is malformed. */
  private static int count(JsonNode node) {
    if (node == null || node.isNull()) {
      return 0;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0) {
      throw malformed();
    }
    return node.intValue();
  }

  private static int saturatedSum(int a, int b) {
    long sum = (long) a + b;
    return sum > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) sum;
  }

  /** A short string field, or null when absent or null; anything else is malformed. */
  private static String label(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual() || node.textValue().length() > MAX_LABEL_CHARS) {
      throw malformed();
    }
    return node.textValue();
  }

  private static ProviderFaultException malformed() {
    return new ProviderFaultException(UpstreamException.Failure.MALFORMED);
  }
}
