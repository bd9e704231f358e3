package io.whispyrkeep.turn.patch;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whispyrkeep.turn.narrator.NarratorAnswer;
import io.whispyrkeep.turn.narrator.NarratorAnswerParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;

/**
 * Fuzzes validation and application together: nothing is ever thrown for any patch, and whatever is
 * applied kept every limit and left the blocked parts of the state exactly as they were. Two
 * targets: raw model text (through {@link NarratorAnswerParser}), and patches built from fuzzer
 * choices over names that matter (blocked names, their look-alikes, existing members, RFC 6902 ops
 * we refuse), which reach deep into the patcher far more often than random text.
 */
class StatePatcherFuzzTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final NarratorAnswerParser PARSER = NarratorAnswerParser.withDefaults();
  private static final StatePatcher PATCHER = StatePatcher.withDefaults();
  private static final PatchLimits LIMITS = PatchLimits.defaults();
  private static final Duration START = Duration.ofDays(3);
  private static final JsonNode STATE = state();

  private static JsonNode state() {
    try {
      return JSON.readTree(
          "{\"scene\": {\"weather\": \"clear\", \"npcs\": {\"guard\": {\"mood\": \"bored\"}}},"
              + " \"inventory\": {\"gold\": 10, \"items\": [\"rope\", \"torch\"]},"
              + " \"user\": {\"role\": \"player\", \"id\": \"u-1\"},"
              + " \"api_key\": \"sk-test-not-a-key\", \"password\": \"x\", \"users\": [1]}");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @FuzzTest(maxDuration = "2m")
  void rawPatch(byte[] input) {
    NarratorAnswer answer = PARSER.parse(new String(input, StandardCharsets.UTF_8));
    if (answer.hasPatch()) {
      check(answer.patch());
    }
  }

  private static final List<String> OPS =
      List.of("add", "replace", "remove", "advance_time", "move", "copy", "test", "Add", "");

  private static final List<String> SEGMENTS =
      List.of(
          "user",
          "users",
          "user_x",
          "api_key",
          "api_keyx",
          "password",
          "passwords",
          "scene",
          "weather",
          "npcs",
          "guard",
          "mood",
          "inventory",
          "gold",
          "items",
          "time",
          "a",
          "b",
          "",
          "0",
          "-",
          "~1",
          "%2f",
          "User",
          "u\u0455er",
          "\u0443ser");

  @FuzzTest(maxDuration = "2m")
  void structuredPatch(FuzzedDataProvider data) {
    ObjectNode document = JsonNodeFactory.instance.objectNode();
    ArrayNode patches = document.putArray("patches");
    int count = data.consumeInt(0, 55);
    for (int i = 0; i < count && data.remainingBytes() > 0; i++) {
      ObjectNode op = patches.addObject();
      op.put("op", data.pickValue(OPS));
      StringBuilder path = new StringBuilder();
      int depth = data.consumeInt(0, 13);
      for (int d = 0; d < depth; d++) {
        path.append('/').append(data.pickValue(SEGMENTS));
      }
      if (data.consumeBoolean()) {
        path.append(data.consumeString(8));
      }
      op.put("path", path.toString());
      if (data.consumeBoolean()) {
        op.set("value", value(data, 0));
      }
      if (data.consumeProbabilityDouble() < 0.05) {
        op.put("from", "/scene");
      }
    }
    if (data.consumeProbabilityDouble() < 0.05) {
      document.put("extra", true);
    }
    check(document);
  }

  private static JsonNode value(FuzzedDataProvider data, int depth) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    switch (data.consumeInt(0, 9)) {
      case 0:
        return nodes.numberNode(data.consumeLong());
      case 1:
        return nodes.numberNode(data.consumeRegularDouble());
      case 2:
        return nodes.numberNode(
            data.pickValue(new double[] {Double.NaN, Double.POSITIVE_INFINITY, 1e308}));
      case 3:
        return nodes.textNode("x".repeat(data.consumeInt(0, 70_000)));
      case 4:
        {
          ObjectNode time = nodes.objectNode();
          time.put(
              data.pickValue(List.of("days", "hours", "minutes", "seconds", "weeks")),
              data.consumeLong());
          return time;
        }
      case 5:
        return nodes.textNode(
            data.pickValue(List.of("PT1H", "P7D", "P8D", "PT-1S", "P1W", "PT0S", "x")));
      case 6:
        {
          if (depth > 24) {
            return nodes.nullNode();
          }
          ArrayNode array = nodes.arrayNode();
          int n = data.consumeInt(0, 3);
          for (int i = 0; i < n; i++) {
            array.add(value(data, depth + 1));
          }
          return array;
        }
      case 7:
        {
          if (depth > 24) {
            return nodes.nullNode();
          }
          ObjectNode object = nodes.objectNode();
          int n = data.consumeInt(0, 3);
          for (int i = 0; i < n; i++) {
            object.set(data.pickValue(SEGMENTS), value(data, depth + 1));
          }
          return object;
        }
      case 8:
        return nodes.booleanNode(data.consumeBoolean());
      default:
        return nodes.textNode(data.consumeString(40));
    }
  }

  /**
   * Applies {@code document}; only the documented outcomes, and an applied patch kept every rule.
   */
  private static void check(JsonNode document) {
    JsonNode before = STATE.deepCopy();

    PatchOutcome outcome = PATCHER.apply(STATE, START, document);

    assertThat(STATE).as("the state passed in is never changed").isEqualTo(before);
    if (outcome instanceof PatchOutcome.Rejected rejected) {
      assertThat(rejected.rejection().reason()).isNotNull();
      return;
    }
    PatchOutcome.Applied applied = (PatchOutcome.Applied) outcome;
    ValidatedPatch patch = applied.patch();
    assertThat(patch.operations()).hasSizeLessThanOrEqualTo(LIMITS.maxOperations());
    for (PatchOperation operation : patch.operations()) {
      assertThat(LIMITS.blockedPaths().isBlocked(operation.segments())).isFalse();
      assertThat(operation.segments())
          .isNotEmpty()
          .hasSizeLessThanOrEqualTo(LIMITS.maxPathSegments());
      assertThat(operation.op()).isNotNull();
      if (operation.value() != null) {
        assertThat(JsonSize.isLargerThan(operation.value(), LIMITS.maxValueBytes())).isFalse();
        assertThat(JsonSize.isDeeperThan(operation.value(), LIMITS.maxValueDepth())).isFalse();
      }
    }
    assertThat(JsonSize.isLargerThan(applied.state(), LIMITS.maxStateBytes())).isFalse();
    assertThat(JsonSize.hasUnstorableText(applied.state()))
        .as("no NUL, no lone surrogate")
        .isFalse();
    assertThat(applied.gameTime()).isBetween(START, START.plus(LIMITS.maxTimeAdvancePerPatch()));
    // Blocked members are exactly as they were, and no new top-level member has a blocked name.
    for (String name : List.of("user", "api_key", "password", "users")) {
      assertThat(applied.state().get(name)).as(name).isEqualTo(STATE.get(name));
    }
    for (Iterator<String> names = applied.state().fieldNames(); names.hasNext(); ) {
      String name = names.next();
      assertThat(LIMITS.blockedPaths().isBlocked(List.of(name)) && !STATE.has(name))
          .as(name)
          .isFalse();
    }
  }
}
