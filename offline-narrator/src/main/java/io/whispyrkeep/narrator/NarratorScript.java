package io.whispyrkeep.narrator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the offline narrator answers to a chat-completion request body: a deterministic story
 * sentence chosen by the SHA-256 of the last user message, followed by a state patch block, or a
 * scripted failure when that message holds a marker. No request text is ever copied into an answer
 * (so neither a key nor anything that looks like one can come back).
 *
 * <p>The answer's {@code content} is the story, a blank line, then a fenced block with the patch:
 *
 * <pre>
 * The lantern gutters as you step forward; somewhere below, water drips.
 *
 * ```json
 * {"patches":[{"op":"replace","path":"/scene/last_action","value":"explore"},
 *             {"op":"advance_time","path":"/time","value":{"minutes":5}}]}
 * ```
 * </pre>
 *
 * (the JSON is on one line). The patch follows the turn-service format: {@code op} one of {@code
 * add}, {@code replace}, {@code remove}, {@code advance_time}; {@code path} matching {@code
 * ^/[a-z_/]+$}; {@code advance_time} carries {@code {"minutes": n}}.
 *
 * <p>Markers (whole words of the last user message), the first match in this order wins:
 *
 * <ul>
 *   <li>{@code #hold}: the normal answer once a test calls {@link OfflineNarrator#releaseHeld()}
 *       (when {@link OfflineNarrator.Options#holds()} is on; at once otherwise)
 *   <li>{@code #slow}: the normal answer after {@link OfflineNarrator.Options#slowDelay()}
 *   <li>{@code #429-once}: 429 the first time this exact message is seen, the normal answer after
 *   <li>{@code #429}: 429 with {@code Retry-After: 1} and OpenAI's error JSON, every time
 *   <li>{@code #500-once}: 500 the first time this exact message is seen, the normal answer after
 *   <li>{@code #500}: 500 with OpenAI's error JSON, every time
 *   <li>{@code #malformed}: status 200 with a truncated, invalid JSON body
 *   <li>{@code #hostile-patch}: a patch that writes {@code /user/role}
 *   <li>{@code #deep-patch}: a patch whose path has 12 segments
 *   <li>{@code #bad-json}: a patch block that is not valid JSON
 *   <li>{@code #huge-patch}: a patch value of 80 KiB (over the 64 KiB a patch value may have)
 * </ul>
 */
final class NarratorScript {

  /** Model name in every completion; the requested model is not echoed. */
  static final String MODEL = "offline-narrator";

  /** Size of the {@code #huge-patch} value: 80 KiB, over the 64 KiB bound on a patch value. */
  static final int HUGE_VALUE_CHARS = 80 * 1024;

  private static final int REMEMBERED_ONCE_MESSAGES = 1024;

  private static final List<String> OPENINGS =
      List.of(
          "The lantern gutters as you step forward; somewhere below, water drips.",
          "A cold wind slips through the broken shutters and the candles bow.",
          "The innkeeper sets down a mug and watches you without a word.",
          "Far off, a bell tolls twice, then falls silent.",
          "Moss muffles your steps as the old road bends into the forest.",
          "The map's ink has faded, but one mark still glows faintly.",
          "A raven lands on the milestone and tilts its head at you.",
          "Dust rises from the vault floor where no foot has fallen in years.");

  private static final List<String> CLOSINGS =
      List.of(
          "What do you do next?",
          "The moment waits on your choice.",
          "Something stirs just beyond the light.",
          "The path ahead splits in two.",
          "You hear footsteps, and then nothing.",
          "The air smells of rain.");

  private static final List<String> ACTIONS =
      List.of("explore", "listen", "rest", "search", "speak", "wait", "travel", "observe");

  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
              .build());

  private final Clock clock;

  /** Messages already answered with a {@code *-once} failure; bounded, oldest forgotten first. */
  private final Set<String> failedOnce =
      Collections.newSetFromMap(
          Collections.synchronizedMap(
              new LinkedHashMap<>(64, 0.75f, false) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                  return size() > REMEMBERED_ONCE_MESSAGES;
                }
              }));

  NarratorScript(Clock clock) {
    this.clock = clock;
  }

  /**
   * What to answer: the reply, whether to sleep before sending it ({@code #slow}), and whether to
   * wait until the test releases held requests ({@code #hold}).
   */
  record Outcome(OfflineNarrator.Reply reply, boolean sleep, boolean hold) {
    Outcome(OfflineNarrator.Reply reply, boolean sleep) {
      this(reply, sleep, false);
    }
  }

  Outcome answer(byte[] requestBody) {
    JsonNode request;
    try {
      request = JSON.readTree(requestBody);
    } catch (IOException e) {
      return new Outcome(
          OfflineNarrator.Replies.openAiError(
              400,
              "We could not parse the JSON body of your request.",
              "invalid_request_error",
              null),
          false);
    }
    JsonNode messages = request == null ? null : request.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      return new Outcome(
          OfflineNarrator.Replies.openAiError(
              400, "'messages' must be a non-empty array.", "invalid_request_error", null),
          false);
    }
    String lastUser = lastUserMessage(messages);
    byte[] hash = sha256(lastUser);
    String hashHex = HexFormat.of().formatHex(hash);
    Set<String> markers = markers(lastUser);

    if (markers.contains("#hold")) {
      return new Outcome(completion(messages, hash, normalPatch(hash)), false, true);
    }
    if (markers.contains("#slow")) {
      return new Outcome(completion(messages, hash, normalPatch(hash)), true);
    }
    if (markers.contains("#429-once")) {
      return new Outcome(
          failedOnce.add("429:" + hashHex)
              ? OfflineNarrator.Replies.rateLimited()
              : completion(messages, hash, normalPatch(hash)),
          false);
    }
    if (markers.contains("#429")) {
      return new Outcome(OfflineNarrator.Replies.rateLimited(), false);
    }
    if (markers.contains("#500-once")) {
      return new Outcome(
          failedOnce.add("500:" + hashHex)
              ? serverError()
              : completion(messages, hash, normalPatch(hash)),
          false);
    }
    if (markers.contains("#500")) {
      return new Outcome(serverError(), false);
    }
    if (markers.contains("#malformed")) {
      return new Outcome(
          OfflineNarrator.Replies.json(
              200, "{\"id\":\"chatcmpl-" + hashHex.substring(0, 24) + "\",\"choices\":[{\"mess"),
          false);
    }
    String patch;
    if (markers.contains("#hostile-patch")) {
      patch = patchBlock(List.of(op("replace", "/user/role", text("admin"))));
    } else if (markers.contains("#deep-patch")) {
      patch = patchBlock(List.of(op("replace", "/a/b/c/d/e/f/g/h/i/j/k/l", text("deep"))));
    } else if (markers.contains("#bad-json")) {
      patch = "{\"patches\":[{\"op\":\"replace\",\"path\":\"/scene/mood\",\"value\":}]";
    } else if (markers.contains("#huge-patch")) {
      patch =
          patchBlock(
              List.of(op("replace", "/scene/description", text("a".repeat(HUGE_VALUE_CHARS)))));
    } else {
      patch = normalPatch(hash);
    }
    return new Outcome(completion(messages, hash, patch), false);
  }

  private static OfflineNarrator.Reply serverError() {
    return OfflineNarrator.Replies.openAiError(
        500,
        "The server had an error while processing your request (offline narrator script).",
        "server_error",
        null);
  }

  private String normalPatch(byte[] hash) {
    int minutes = 5 * (1 + (hash[3] & 0x03));
    ObjectNode time = JsonNodeFactory.instance.objectNode().put("minutes", minutes);
    return patchBlock(
        List.of(
            op("replace", "/scene/last_action", text(pick(ACTIONS, hash[2]))),
            op("advance_time", "/time", time)));
  }

  private OfflineNarrator.Reply completion(JsonNode messages, byte[] hash, String patchJson) {
    String content =
        pick(OPENINGS, hash[0])
            + " "
            + pick(CLOSINGS, hash[1])
            + "\n\n```json\n"
            + patchJson
            + "\n```";
    int promptTokens = estimateTokens(promptCharacters(messages));
    int completionTokens = estimateTokens(content.length());
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("id", "chatcmpl-" + HexFormat.of().formatHex(hash, 0, 12));
    root.put("object", "chat.completion");
    root.put("created", clock.instant().getEpochSecond());
    root.put("model", MODEL);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", content);
    choice.put("finish_reason", "stop");
    ObjectNode usage = root.putObject("usage");
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
    return OfflineNarrator.Replies.json(200, write(root));
  }

  /** The text of the last message with role {@code user}; empty when there is none. */
  static String lastUserMessage(JsonNode messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      JsonNode message = messages.get(i);
      if (message != null && "user".equals(message.path("role").asText())) {
        return contentText(message.get("content"));
      }
    }
    return "";
  }

  /** A content string, or the concatenated {@code text} parts of a content array. */
  private static String contentText(JsonNode content) {
    if (content == null) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    if (content.isArray()) {
      StringBuilder text = new StringBuilder();
      for (JsonNode part : content) {
        if ("text".equals(part.path("type").asText())) {
          text.append(part.path("text").asText()).append(' ');
        }
      }
      return text.toString();
    }
    return "";
  }

  private static long promptCharacters(JsonNode messages) {
    long chars = 0;
    for (JsonNode message : messages) {
      chars += contentText(message.get("content")).length();
    }
    return chars;
  }

  /** Roughly four characters a token, the usual rule of thumb for English text; at least 1. */
  private static int estimateTokens(long characters) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (characters + 3) / 4));
  }

  /** The whitespace-separated words of {@code text} that start with {@code #}, in lower case. */
  static Set<String> markers(String text) {
    Set<String> markers = new java.util.HashSet<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      while (i < n && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i > start && text.charAt(start) == '#' && i - start <= 32) {
        markers.add(text.substring(start, i).toLowerCase(java.util.Locale.ROOT));
      }
    }
    return markers;
  }

  private static ObjectNode op(String op, String path, JsonNode value) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("op", op);
    node.put("path", path);
    node.set("value", value);
    return node;
  }

  private static JsonNode text(String value) {
    return JsonNodeFactory.instance.textNode(value);
  }

  private static String patchBlock(List<ObjectNode> ops) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode patches = root.putArray("patches");
    ops.forEach(patches::add);
    return write(root);
  }

  private static String pick(List<String> options, byte selector) {
    return options.get((selector & 0xff) % options.size());
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  static String quote(String text) {
    return write(JsonNodeFactory.instance.textNode(text));
  }

  private static String write(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }
}
