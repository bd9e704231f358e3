package io.whispyrkeep.turn.patch;

import static io.whispyrkeep.turn.patch.PatchValidatorTest.json;
import static io.whispyrkeep.turn.patch.PatchValidatorTest.patch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.whispyrkeep.turn.narrator.NarratorAnswer;
import io.whispyrkeep.turn.narrator.NarratorAnswerParser;
import io.whispyrkeep.turn.patch.PatchRejection.Reason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StatePatcherTest {

  private final StatePatcher patcher = StatePatcher.withDefaults();
  private final NarratorAnswerParser parser = NarratorAnswerParser.withDefaults();

  private static final JsonNode STATE =
      json(
          "{\"scene\": {\"weather\": \"clear\", \"last_action\": \"none\", \"mood\": \"calm\"},"
              + " \"inventory\": {\"gold\": 10}, \"user\": {\"role\": \"player\"}}");

  private static final Duration NOON = Duration.ofHours(12);

  private PatchOutcome.Applied applied(PatchOutcome outcome) {
    assertThat(outcome).isInstanceOf(PatchOutcome.Applied.class);
    return (PatchOutcome.Applied) outcome;
  }

  private PatchRejection rejected(PatchOutcome outcome) {
    assertThat(outcome).isInstanceOf(PatchOutcome.Rejected.class);
    return ((PatchOutcome.Rejected) outcome).rejection();
  }

  @Test
  void apply_addReplaceRemoveAndTime_newStateAndTime() {
    PatchOutcome.Applied applied =
        applied(
            patcher.apply(
                STATE,
                NOON,
                patch(
                    "{\"op\": \"replace\", \"path\": \"/scene/weather\", \"value\": \"rain\"}",
                    "{\"op\": \"add\", \"path\": \"/inventory/rope\", \"value\": 1}",
                    "{\"op\": \"remove\", \"path\": \"/scene/mood\"}",
                    "{\"op\": \"advance_time\", \"path\": \"/time\", \"value\": {\"minutes\": 90}}")));

    assertThat(applied.state().at("/scene/weather").asText()).isEqualTo("rain");
    assertThat(applied.state().at("/inventory/rope").asInt()).isEqualTo(1);
    assertThat(applied.state().at("/scene").has("mood")).isFalse();
    assertThat(applied.gameTime()).isEqualTo(NOON.plusMinutes(90));
    assertThat(applied.state().has("time")).isFalse();
  }

  @Test
  void apply_neverChangesTheStatePassedIn() {
    JsonNode before = STATE.deepCopy();

    patcher.apply(
        STATE,
        NOON,
        patch("{\"op\": \"replace\", \"path\": \"/scene/weather\", \"value\": \"snow\"}"));
    patcher.apply(
        STATE,
        NOON,
        patch(
            "{\"op\": \"replace\", \"path\": \"/scene/weather\", \"value\": \"snow\"}",
            "{\"op\": \"remove\", \"path\": \"/missing\"}"));

    assertThat(STATE).isEqualTo(before);
  }

  @Test
  void apply_laterOperationFails_nothingAppliedAndTimeUnchanged() {
    PatchRejection rejection =
        rejected(
            patcher.apply(
                STATE,
                NOON,
                patch(
                    "{\"op\": \"replace\", \"path\": \"/scene/weather\", \"value\": \"snow\"}",
                    "{\"op\": \"advance_time\", \"path\": \"/time\", \"value\": \"PT1H\"}",
                    "{\"op\": \"add\", \"path\": \"/nowhere/deeper\", \"value\": 1}")));

    assertThat(rejection.reason()).isEqualTo(Reason.APPLY_FAILED);
    assertThat(rejection.operation()).isEqualTo(2);
  }

  @Test
  void apply_rfc6902Semantics_strict() {
    // replace and remove need an existing target; add replaces an existing member
    assertThat(
            rejected(
                    patcher.apply(
                        STATE,
                        NOON,
                        patch("{\"op\": \"replace\", \"path\": \"/scene/missing\", \"value\": 1}")))
                .reason())
        .isEqualTo(Reason.APPLY_FAILED);
    assertThat(
            rejected(
                    patcher.apply(
                        STATE, NOON, patch("{\"op\": \"remove\", \"path\": \"/scene/missing\"}")))
                .reason())
        .isEqualTo(Reason.APPLY_FAILED);
    assertThat(
            applied(
                    patcher.apply(
                        STATE,
                        NOON,
                        patch(
                            "{\"op\": \"add\", \"path\": \"/scene/weather\", \"value\": \"fog\"}")))
                .state()
                .at("/scene/weather")
                .asText())
        .isEqualTo("fog");
  }

  @Test
  void apply_pathThroughAScalar_applyFailed() {
    assertThat(
            rejected(
                    patcher.apply(
                        STATE,
                        NOON,
                        patch("{\"op\": \"add\", \"path\": \"/scene/weather/x\", \"value\": 1}")))
                .reason())
        .isEqualTo(Reason.APPLY_FAILED);
  }

  @Test
  void apply_pathIntoAnArrayByName_applyFailed() {
    JsonNode state = json("{\"items\": [1, 2]}");

    assertThat(
            rejected(
                    patcher.apply(
                        state,
                        NOON,
                        patch("{\"op\": \"add\", \"path\": \"/items/x\", \"value\": 1}")))
                .reason())
        .isEqualTo(Reason.APPLY_FAILED);
    assertThat(
            rejected(
                    patcher.apply(
                        state, NOON, patch("{\"op\": \"remove\", \"path\": \"/items/x\"}")))
                .reason())
        .isEqualTo(Reason.APPLY_FAILED);
  }

  @Test
  void apply_stateOverOneMebibyte_stateTooLarge() {
    String chunk = "a".repeat(60_000);
    String[] ops = new String[18];
    for (int i = 0; i < ops.length; i++) {
      ops[i] =
          "{\"op\": \"add\", \"path\": \"/chapter_"
              + (char) ('a' + i)
              + "\", \"value\": \""
              + chunk
              + "\"}";
    }

    PatchRejection rejection = rejected(patcher.apply(STATE, NOON, patch(ops)));

    assertThat(rejection.reason()).isEqualTo(Reason.STATE_TOO_LARGE);
  }

  @Test
  void apply_blockedUserPathPresentInState_stillUntouchable() {
    assertThat(
            rejected(
                    patcher.apply(
                        STATE,
                        NOON,
                        patch(
                            "{\"op\": \"replace\", \"path\": \"/user/role\", \"value\": \"admin\"}")))
                .reason())
        .isEqualTo(Reason.BLOCKED_PATH);
  }

  @Test
  void apply_gameTimeOverflow_badTime() {
    Duration almostForever = Duration.ofSeconds(Long.MAX_VALUE - 10);

    assertThat(
            rejected(
                    patcher.apply(
                        STATE,
                        almostForever,
                        patch(
                            "{\"op\": \"advance_time\", \"path\": \"/time\", \"value\": {\"minutes\": 1}}")))
                .reason())
        .isEqualTo(Reason.BAD_TIME);
  }

  @Test
  void apply_callerErrors_illegalArgument() {
    JsonNode empty = patch();
    assertThatThrownBy(() -> patcher.apply(json("[]"), NOON, empty))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> patcher.apply(null, NOON, empty))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> patcher.apply(STATE, Duration.ofSeconds(-1), empty))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---------------------------------------------------------------- the offline narrator's answers

  /** As offline-narrator's NarratorScript writes a completion: prose, then a fenced patch block. */
  private static String narratorAnswer(String patchJson) {
    return "The lantern gutters as you step forward; somewhere below, water drips. The path splits."
        + "\n\n```json\n"
        + patchJson
        + "\n```";
  }

  private PatchOutcome throughParserAndPatcher(String answer) {
    NarratorAnswer parsed = parser.parse(answer);
    assertThat(parsed.status()).isEqualTo(NarratorAnswer.Status.PATCH);
    return patcher.apply(STATE, NOON, parsed.patch());
  }

  @Test
  void offlineNarrator_normalPatch_applied() {
    PatchOutcome.Applied applied =
        applied(
            throughParserAndPatcher(
                narratorAnswer(
                    "{\"patches\":[{\"op\":\"replace\",\"path\":\"/scene/last_action\",\"value\":\"You listen.\"},"
                        + "{\"op\":\"advance_time\",\"path\":\"/time\",\"value\":{\"minutes\":15}}]}")));

    assertThat(applied.state().at("/scene/last_action").asText()).isEqualTo("You listen.");
    assertThat(applied.gameTime()).isEqualTo(NOON.plusMinutes(15));
  }

  @Test
  void offlineNarrator_hostilePatch_blockedPath() {
    PatchRejection rejection =
        rejected(
            throughParserAndPatcher(
                narratorAnswer(
                    "{\"patches\":[{\"op\":\"replace\",\"path\":\"/user/role\",\"value\":\"admin\"}]}")));

    assertThat(rejection.reason().code()).isEqualTo("blocked-path");
  }

  @Test
  void offlineNarrator_deepPatch_tooDeepPath() {
    PatchRejection rejection =
        rejected(
            throughParserAndPatcher(
                narratorAnswer(
                    "{\"patches\":[{\"op\":\"replace\",\"path\":\"/a/b/c/d/e/f/g/h/i/j/k/l\",\"value\":\"deep\"}]}")));

    assertThat(rejection.reason().code()).isEqualTo("too-deep-path");
  }

  @Test
  void offlineNarrator_badJson_badJsonAndNoChange() {
    NarratorAnswer parsed =
        parser.parse(
            narratorAnswer(
                "{\"patches\":[{\"op\":\"replace\",\"path\":\"/scene/mood\",\"value\":}]"));

    assertThat(parsed.status().code()).isEqualTo("bad-json");
    assertThat(parsed.patch()).isNull();
    assertThat(parsed.prose()).startsWith("The lantern gutters").doesNotContain("patches");
  }

  @Test
  void offlineNarrator_malformedPatchObject_schema() {
    PatchRejection rejection =
        rejected(
            throughParserAndPatcher(
                narratorAnswer("{\"patches\":[{\"op\":\"replace\",\"value\":1}]}")));

    assertThat(rejection.reason().code()).isEqualTo("schema");
  }

  @Test
  void offlineNarrator_hugePatch_valueTooLarge() {
    PatchRejection rejection =
        rejected(
            throughParserAndPatcher(
                narratorAnswer(
                    "{\"patches\":[{\"op\":\"replace\",\"path\":\"/scene/description\",\"value\":\""
                        + "a".repeat(80 * 1024)
                        + "\"}]}")));

    assertThat(rejection.reason().code()).isEqualTo("value-too-large");
  }
}
