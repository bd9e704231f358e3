package io.whispyrkeep.turn.patch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whispyrkeep.turn.patch.PatchRejection.Reason;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PatchValidatorTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final PatchValidator validator = PatchValidator.withDefaults();

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static JsonNode patch(String... operations) {
    return json("{\"patches\": [" + String.join(",", operations) + "]}");
  }

  private PatchRejection rejection(JsonNode document) {
    PatchValidation validation = validator.validate(document);
    assertThat(validation).isInstanceOf(PatchValidation.Invalid.class);
    return ((PatchValidation.Invalid) validation).rejection();
  }

  private Reason reason(JsonNode document) {
    return rejection(document).reason();
  }

  private ValidatedPatch valid(JsonNode document) {
    PatchValidation validation = validator.validate(document);
    assertThat(validation).isInstanceOf(PatchValidation.Valid.class);
    return ((PatchValidation.Valid) validation).patch();
  }

  @Test
  void validate_seedOperations_accepted() {
    ValidatedPatch patch =
        valid(
            patch(
                "{\"op\": \"add\", \"path\": \"/inventory/rope\", \"value\": {\"length\": 50}}",
                "{\"op\": \"replace\", \"path\": \"/scene/weather\", \"value\": \"rain\"}",
                "{\"op\": \"remove\", \"path\": \"/scene/fog\"}",
                "{\"op\": \"advance_time\", \"path\": \"/time\", \"value\": {\"minutes\": 30}}"));

    assertThat(patch.operations())
        .extracting(PatchOperation::op)
        .containsExactly(
            PatchOperation.Op.ADD,
            PatchOperation.Op.REPLACE,
            PatchOperation.Op.REMOVE,
            PatchOperation.Op.ADVANCE_TIME);
    assertThat(patch.operations().get(0).segments()).containsExactly("inventory", "rope");
    assertThat(patch.timeAdvance()).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void validate_emptyPatchList_validAndEmpty() {
    assertThat(valid(json("{\"patches\": []}")).operations()).isEmpty();
  }

  // ---------------------------------------------------------------- schema

  @ParameterizedTest
  @ValueSource(
      strings = {
        "null",
        "[]",
        "\"patches\"",
        "{}",
        "{\"patches\": {}}",
        "{\"patches\": [1]}",
        "{\"patches\": [], \"narration\": \"extra key\"}",
        "{\"patches\": [{\"op\": \"move\", \"from\": \"/a\", \"path\": \"/b\"}]}",
        "{\"patches\": [{\"op\": \"copy\", \"from\": \"/a\", \"path\": \"/b\"}]}",
        "{\"patches\": [{\"op\": \"test\", \"path\": \"/a\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"ADD\", \"path\": \"/a\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": \"/a\"}]}",
        "{\"patches\": [{\"op\": \"replace\", \"path\": \"/a\"}]}",
        "{\"patches\": [{\"op\": \"advance_time\", \"path\": \"/time\"}]}",
        "{\"patches\": [{\"path\": \"/a\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": \"/a\", \"value\": 1, \"from\": \"/b\"}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": 7, \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": \"\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": \"/\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": \"a/b\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": \"/Scene\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": \"/items/0\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": \"/items/-\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": \"/a~1b\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": \"/a%2fb\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": \"/a\\nb\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": \"/scene\\n\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": \"/sc\u00e9ne\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": \"/scene//x\", \"value\": 1}]}",
        "{\"patches\": [{\"op\": \"add\", \"path\": \"/scene/\", \"value\": 1}]}"
      })
  void validate_outsideTheSchema_schema(String document) {
    assertThat(reason(json(document))).isEqualTo(Reason.SCHEMA);
  }

  @Test
  void validate_schemaViolation_namesTheOperation() {
    PatchRejection rejection =
        rejection(
            patch(
                "{\"op\": \"remove\", \"path\": \"/a\"}",
                "{\"op\": \"remove\", \"path\": \"/b\"}",
                "{\"op\": \"move\", \"from\": \"/a\", \"path\": \"/c\"}"));

    assertThat(rejection.operation()).isEqualTo(2);
    assertThat(rejection.detail()).doesNotContain("move");
  }

  @Test
  void validate_pathWithLookAlikeLetters_schema() {
    // Cyrillic у and ѕ in "/user": not ASCII, so not a path at all
    assertThat(reason(patch("{\"op\": \"add\", \"path\": \"/\u0443\u0455er/role\", \"value\": 1}")))
        .isEqualTo(Reason.SCHEMA);
    // fullwidth solidus
    assertThat(reason(patch("{\"op\": \"add\", \"path\": \"/user\uFF0Frole\", \"value\": 1}")))
        .isEqualTo(Reason.SCHEMA);
  }

  // ---------------------------------------------------------------- blocked paths

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/user/role",
        "/user",
        "/users",
        "/user_profile/name",
        "/api_key",
        "/api_key_x",
        "/api_keys/openai",
        "/password",
        "/passwords",
        "/password_hash",
        "//user/role",
        "//",
        "///"
      })
  void validate_blockedOrAboveBlocked_blockedPath(String path) {
    for (String op : List.of("add", "replace", "remove", "advance_time")) {
      String value = op.equals("advance_time") ? "{\"minutes\": 5}" : "\"admin\"";
      assertThat(
              reason(
                  patch(
                      "{\"op\": \""
                          + op
                          + "\", \"path\": \""
                          + path
                          + "\", \"value\": "
                          + value
                          + "}")))
          .as(op + " " + path)
          .isEqualTo(Reason.BLOCKED_PATH);
    }
  }

  @Test
  void validate_blockedNamesDeeperDown_allowed() {
    valid(
        patch(
            "{\"op\": \"add\", \"path\": \"/npcs/gatekeeper/password\", \"value\": \"moonrise\"}"));
    valid(patch("{\"op\": \"add\", \"path\": \"/scene/user_notes\", \"value\": \"x\"}"));
  }

  @Test
  void validate_rootWithObjectHoldingUser_blockedPath() {
    assertThat(
            reason(
                patch(
                    "{\"op\": \"replace\", \"path\": \"//\", \"value\": {\"user\": {\"role\": \"admin\"}}}")))
        .isEqualTo(Reason.BLOCKED_PATH);
    assertThat(reason(patch("{\"op\": \"remove\", \"path\": \"//\"}")))
        .isEqualTo(Reason.BLOCKED_PATH);
  }

  @Test
  void validate_valueWithUserKeyBelowTopLevel_allowedBecauseItIsNotTheUserPath() {
    ValidatedPatch patch =
        valid(
            patch(
                "{\"op\": \"add\", \"path\": \"/profile\", \"value\": {\"user\": {\"role\": \"admin\"}}}"));

    assertThat(patch.operations().get(0).segments()).containsExactly("profile");
  }

  @Test
  void validate_configuredBlockedPath_coversItselfItsChildrenAndItsParents() {
    PatchValidator configured =
        new PatchValidator(withBlocked(BlockedPaths.of(List.of("/settings/llm"))));

    for (String path :
        List.of("/settings/llm", "/settings/llm/model", "/settings/llm_key", "/settings")) {
      PatchValidation validation =
          configured.validate(
              patch("{\"op\": \"add\", \"path\": \"" + path + "\", \"value\": {\"llm\": 1}}"));
      assertThat(((PatchValidation.Invalid) validation).rejection().reason())
          .as(path)
          .isEqualTo(Reason.BLOCKED_PATH);
    }
    assertThat(
            configured
                .validate(patch("{\"op\": \"add\", \"path\": \"/settings/volume\", \"value\": 3}"))
                .isValid())
        .isTrue();
    assertThat(
            configured
                .validate(patch("{\"op\": \"add\", \"path\": \"/settings_x\", \"value\": 3}"))
                .isValid())
        .isTrue();
  }

  private static PatchLimits withBlocked(BlockedPaths blocked) {
    PatchLimits d = PatchLimits.defaults();
    return new PatchLimits(
        d.maxOperations(),
        d.maxPathSegments(),
        d.maxValueBytes(),
        d.maxValueDepth(),
        d.maxStateBytes(),
        d.maxTimeAdvance(),
        d.maxTimeAdvancePerPatch(),
        blocked);
  }

  // ---------------------------------------------------------------- limits

  @Test
  void validate_tenSegmentsAcceptedEleven_tooDeepPath() {
    valid(patch("{\"op\": \"add\", \"path\": \"/a/b/c/d/e/f/g/h/i/j\", \"value\": 1}"));

    PatchRejection rejection =
        rejection(patch("{\"op\": \"add\", \"path\": \"/a/b/c/d/e/f/g/h/i/j/k\", \"value\": 1}"));

    assertThat(rejection.reason()).isEqualTo(Reason.TOO_DEEP_PATH);
    assertThat(rejection.operation()).isZero();
  }

  @Test
  void validate_fiftyOperationsAcceptedFiftyOne_tooManyOps() {
    String op = "{\"op\": \"remove\", \"path\": \"/a\"}";

    valid(patch(java.util.Collections.nCopies(50, op).toArray(String[]::new)));
    PatchRejection rejection =
        rejection(patch(java.util.Collections.nCopies(51, op).toArray(String[]::new)));

    assertThat(rejection.reason()).isEqualTo(Reason.TOO_MANY_OPS);
    assertThat(rejection.operation()).isEqualTo(-1);
  }

  @Test
  void validate_millionOperations_tooManyOpsWithoutSchemaWork() {
    ObjectNode document = JsonNodeFactory.instance.objectNode();
    ArrayNode patches = document.putArray("patches");
    for (int i = 0; i < 1_000_000; i++) {
      patches.add(1);
    }

    assertThat(reason(document)).isEqualTo(Reason.TOO_MANY_OPS);
  }

  @Test
  void validate_valueSizeAtAndOverLimit() {
    // "…" plus two quotes: exactly 64 KiB serialised
    String fits = "a".repeat(PatchLimits.DEFAULT_MAX_VALUE_BYTES - 2);
    valid(patch("{\"op\": \"add\", \"path\": \"/a\", \"value\": \"" + fits + "\"}"));

    assertThat(reason(patch("{\"op\": \"add\", \"path\": \"/a\", \"value\": \"" + fits + "a\"}")))
        .isEqualTo(Reason.VALUE_TOO_LARGE);
  }

  @Test
  void validate_valueSizeCountedInUtf8Bytes() {
    String dragons = "\uD83D\uDC09".repeat(PatchLimits.DEFAULT_MAX_VALUE_BYTES / 4); // 4 bytes each

    assertThat(reason(patch("{\"op\": \"add\", \"path\": \"/a\", \"value\": \"" + dragons + "\"}")))
        .isEqualTo(Reason.VALUE_TOO_LARGE);
  }

  @Test
  void validate_valueDepthTwentyAcceptedTwentyOne_valueTooDeep() {
    valid(
        patch(
            "{\"op\": \"add\", \"path\": \"/a\", \"value\": "
                + "[".repeat(20)
                + "]".repeat(20)
                + "}"));

    assertThat(
            reason(
                patch(
                    "{\"op\": \"add\", \"path\": \"/a\", \"value\": "
                        + "[".repeat(21)
                        + "]".repeat(21)
                        + "}")))
        .isEqualTo(Reason.VALUE_TOO_DEEP);
  }

  @Test
  void validate_deepValueBuiltInMemory_valueTooDeepWithoutRecursion() {
    ObjectNode document = JsonNodeFactory.instance.objectNode();
    ObjectNode op = document.putArray("patches").addObject().put("op", "add").put("path", "/a");
    ArrayNode value = op.putArray("value");
    for (int i = 0; i < 100_000; i++) {
      value = value.addArray();
    }

    assertThat(reason(document)).isEqualTo(Reason.VALUE_TOO_DEEP);
  }

  @Test
  void validate_infiniteNumber_valueTooLarge() {
    JsonNode document =
        io.whispyrkeep.turn.narrator.NarratorAnswerParser.withDefaults()
            .parse("{\"patches\": [{\"op\": \"add\", \"path\": \"/gold\", \"value\": 1e999999}]}")
            .patch();

    assertThat(reason(document)).isEqualTo(Reason.VALUE_TOO_LARGE);
  }

  @Test
  void validate_nulOrLoneSurrogateInAString_schemaBecauseTheStoreCannotHoldThem() {
    assertThat(reason(patch("{\"op\": \"add\", \"path\": \"/a\", \"value\": \"x\\u0000y\"}")))
        .isEqualTo(Reason.SCHEMA);
    assertThat(reason(patch("{\"op\": \"add\", \"path\": \"/a\", \"value\": [\"\\ud800\"]}")))
        .isEqualTo(Reason.SCHEMA);
    assertThat(reason(patch("{\"op\": \"add\", \"path\": \"/a\", \"value\": {\"k\\u0000\": 1}}")))
        .isEqualTo(Reason.SCHEMA);
    valid(patch("{\"op\": \"add\", \"path\": \"/a\", \"value\": \"\\ud83d\\udc09 dragon\"}"));
  }

  // ---------------------------------------------------------------- advance_time

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"minutes\": 5}",
        "{\"days\": 7}",
        "{\"days\": 6, \"hours\": 23, \"minutes\": 59, \"seconds\": 59}",
        "\"PT2H\"",
        "\"P7D\"",
        "\"PT0.5S\""
      })
  void validate_advanceTimeWithinSevenDays_accepted(String value) {
    valid(patch("{\"op\": \"advance_time\", \"path\": \"/time\", \"value\": " + value + "}"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"minutes\": 0}",
        "{\"minutes\": -5}",
        "{\"days\": 8}",
        "{\"days\": 7, \"seconds\": 1}",
        "{\"weeks\": 1}",
        "{\"minutes\": 1.5}",
        "{\"minutes\": \"5\"}",
        "{\"minutes\": 99999999999999999999999}",
        "{}",
        "5",
        "true",
        "[\"PT1H\"]",
        "\"PT-1H\"",
        "\"P8D\"",
        "\"P1W\"",
        "\"P1M\"",
        "\"PT99999999999999999999H\"",
        "\"tomorrow\"",
        "\"\"",
        "null"
      })
  void validate_advanceTimeOutsideTheBounds_badTime(String value) {
    assertThat(
            reason(
                patch("{\"op\": \"advance_time\", \"path\": \"/time\", \"value\": " + value + "}")))
        .isEqualTo(Reason.BAD_TIME);
  }

  @Test
  void validate_advanceTimeSummedOverThePatch_boundedToo() {
    String fourDays = "{\"op\": \"advance_time\", \"path\": \"/time\", \"value\": {\"days\": 4}}";

    PatchRejection rejection = rejection(patch(fourDays, fourDays));

    assertThat(rejection.reason()).isEqualTo(Reason.BAD_TIME);
    assertThat(rejection.operation()).isEqualTo(1);
  }

  @Test
  void validate_advanceTimeOnBlockedPath_blockedPath() {
    assertThat(
            reason(
                patch(
                    "{\"op\": \"advance_time\", \"path\": \"/user\", \"value\": {\"minutes\": 5}}")))
        .isEqualTo(Reason.BLOCKED_PATH);
  }

  @Test
  void rejectionDetail_neverRepeatsModelText() {
    String secret = "sk-proj-abcdefghijklmnop1234";
    List<JsonNode> documents =
        List.of(
            patch(
                "{\"op\": \"add\", \"path\": \"/"
                    + "a/".repeat(12)
                    + "b\", \"value\": \""
                    + secret
                    + "\"}"),
            patch("{\"op\": \"add\", \"path\": \"/user\", \"value\": \"" + secret + "\"}"),
            patch("{\"op\": \"" + secret + "\", \"path\": \"/a\"}"),
            patch("{\"op\": \"advance_time\", \"path\": \"/t\", \"value\": \"" + secret + "\"}"));

    for (JsonNode document : documents) {
      assertThat(rejection(document).detail()).doesNotContain(secret, "sk-", "/user");
    }
  }
}
