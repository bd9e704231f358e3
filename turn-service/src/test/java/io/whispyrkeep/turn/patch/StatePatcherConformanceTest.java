package io.whispyrkeep.turn.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.flipkart.zjsonpatch.CompatibilityFlags;
import com.flipkart.zjsonpatch.JsonPatch;
import com.flipkart.zjsonpatch.JsonPatchApplicationException;
import io.whispyrkeep.turn.SharedCorpora;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The RFC 6902 conformance records of json-patch/json-patch-tests ({@code
 * ../shared/corpora/json-patch-tests}): every record using move, copy or test (or an unknown op) is
 * refused by our validator; every record using only add, replace and remove gives the expected
 * document or an error, through zjsonpatch with the flags {@link StatePatcher} uses, and through
 * {@link StatePatcher} itself when its document and paths are ones a narrator may use.
 */
class StatePatcherConformanceTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> OURS = Set.of("add", "replace", "remove");
  private static final EnumSet<CompatibilityFlags> FLAGS =
      EnumSet.of(CompatibilityFlags.FORBID_REMOVE_MISSING_OBJECT);

  private final PatchValidator validator = PatchValidator.withDefaults();
  private final StatePatcher patcher = new StatePatcher(validator);

  @TestFactory
  Stream<DynamicTest> records_conformToRfc6902OrAreRefused() throws IOException {
    Stream<DynamicTest> tests = Stream.empty();
    for (String file : new String[] {"tests.json", "spec_tests.json"}) {
      JsonNode records =
          JSON.readTree(SharedCorpora.dir("json-patch-tests").resolve(file).toFile());
      tests =
          Stream.concat(
              tests,
              StreamSupport.stream(records.spliterator(), false)
                  .filter(record -> !record.path("disabled").asBoolean(false))
                  .map(
                      record ->
                          DynamicTest.dynamicTest(
                              file + ": " + record.path("comment").asText("(no comment)"),
                              () -> check(record))));
    }
    return tests;
  }

  private void check(JsonNode record) {
    JsonNode doc = record.get("doc");
    JsonNode operations = record.get("patch");
    boolean oursOnly =
        StreamSupport.stream(operations.spliterator(), false)
            .allMatch(op -> OURS.contains(op.path("op").asText()));
    JsonNode document = JsonNodeFactory.instance.objectNode().set("patches", operations);
    if (!oursOnly) {
      assertThat(validator.validate(document).isValid())
          .as("move, copy, test or unknown op refused")
          .isFalse();
      return;
    }
    boolean expectError = record.has("error");
    Throwable failure = catchThrowable(() -> JsonPatch.apply(operations, doc, FLAGS));
    if (expectError) {
      // zjsonpatch reports a member name used on an array as IllegalStateException and a path
      // without a leading slash as IllegalArgumentException (our schema refuses such paths first)
      assertThat(failure)
          .as(record.get("error").asText())
          .isInstanceOfAny(
              JsonPatchApplicationException.class,
              IllegalStateException.class,
              IllegalArgumentException.class);
    } else {
      assertThat(failure).isNull();
      assertThat(JsonPatch.apply(operations, doc, FLAGS)).isEqualTo(record.get("expected"));
    }
    if (doc.isObject() && validator.validate(document).isValid()) {
      PatchOutcome outcome = patcher.apply(doc, Duration.ZERO, document);
      if (expectError) {
        assertThat(outcome.isApplied()).isFalse();
      } else {
        assertThat(((PatchOutcome.Applied) outcome).state()).isEqualTo(record.get("expected"));
      }
    }
  }
}
