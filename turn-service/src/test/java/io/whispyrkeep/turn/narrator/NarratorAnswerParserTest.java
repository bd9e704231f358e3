package io.whispyrkeep.turn.narrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.whispyrkeep.turn.narrator.NarratorAnswer.Status;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NarratorAnswerParserTest {

  private final NarratorAnswerParser parser = NarratorAnswerParser.withDefaults();

  private static final String PATCH =
      "{\"patches\": [{\"op\": \"replace\", \"path\": \"/scene/weather\", \"value\": \"rain\"}]}";

  @Test
  void parse_fencedJsonAfterProse_proseAndPatch() {
    NarratorAnswer answer =
        parser.parse("The rain begins to fall.\n\n```json\n" + PATCH + "\n```\n");

    assertThat(answer.status()).isEqualTo(Status.PATCH);
    assertThat(answer.prose()).isEqualTo("The rain begins to fall.");
    assertThat(answer.patch().at("/patches/0/value").asText()).isEqualTo("rain");
  }

  @Test
  void parse_bareJsonBetweenProse_proseJoined() {
    NarratorAnswer answer = parser.parse("Before.\n" + PATCH + "\nAfter.");

    assertThat(answer.status()).isEqualTo(Status.PATCH);
    assertThat(answer.prose()).isEqualTo("Before.\n\nAfter.");
  }

  @Test
  void parse_twoBlocks_lastWinsAndFirstStaysInProse() {
    String first = "{\"patches\": [{\"op\": \"remove\", \"path\": \"/a\"}]}";

    NarratorAnswer answer = parser.parse("Draft: " + first + " Correction: " + PATCH);

    assertThat(answer.patch().at("/patches/0/op").asText()).isEqualTo("replace");
    assertThat(answer.prose()).startsWith("Draft: {\"patches\"").endsWith("Correction:");
  }

  @Test
  void parse_noBlock_noPatchNotAnError() {
    NarratorAnswer answer = parser.parse("  The door creaks open. {not json} \n");

    assertThat(answer.status()).isEqualTo(Status.NO_PATCH);
    assertThat(answer.hasPatch()).isFalse();
    assertThat(answer.patch()).isNull();
    assertThat(answer.prose()).isEqualTo("The door creaks open. {not json}");
  }

  @Test
  void parse_nullOrEmpty_noPatch() {
    assertThat(parser.parse(null).status()).isEqualTo(Status.NO_PATCH);
    assertThat(parser.parse("").prose()).isEmpty();
  }

  @Test
  void parse_whitespaceInsideTheOpening_stillFound() {
    assertThat(parser.parse("x {\n  \"patches\"\t :\n []}").status()).isEqualTo(Status.PATCH);
  }

  @Test
  void parse_malformedBlock_badJsonWithProseBefore() {
    NarratorAnswer answer = parser.parse("The spell fizzles. {\"patches\": [{\"op\": \"add\",]}");

    assertThat(answer.status()).isEqualTo(Status.BAD_JSON);
    assertThat(answer.prose()).isEqualTo("The spell fizzles.");
  }

  @Test
  void parse_unterminatedBlock_badJson() {
    assertThat(parser.parse("{\"patches\": [").status()).isEqualTo(Status.BAD_JSON);
  }

  @Test
  void parse_duplicateKeys_badJson() {
    assertThat(
            parser
                .parse("{\"patches\": [], \"patches\": [{\"op\":\"remove\",\"path\":\"/x\"}]}")
                .status())
        .isEqualTo(Status.BAD_JSON);
    assertThat(
            parser
                .parse("{\"patches\": [{\"op\":\"add\",\"op\":\"remove\",\"path\":\"/x\"}]}")
                .status())
        .isEqualTo(Status.BAD_JSON);
  }

  @Test
  void parse_lenientJsonExtensions_badJson() {
    assertThat(parser.parse("{\"patches\": [{'op': 'add'}]}").status()).isEqualTo(Status.BAD_JSON);
    assertThat(parser.parse("{\"patches\": [/* hi */]}").status()).isEqualTo(Status.BAD_JSON);
    assertThat(parser.parse("{\"patches\": [NaN]}").status()).isEqualTo(Status.BAD_JSON);
    assertThat(parser.parse("{\"patches\": [1,]}").status()).isEqualTo(Status.BAD_JSON);
  }

  @Test
  void parse_hugeExponent_parsedAsInfinityForTheValidatorToRefuse() {
    NarratorAnswer answer = parser.parse("{\"patches\": [1e999999]}");

    assertThat(answer.status()).isEqualTo(Status.PATCH);
    assertThat(answer.patch().at("/patches/0").isDouble()).isTrue();
    assertThat(Double.isInfinite(answer.patch().at("/patches/0").doubleValue())).isTrue();
  }

  @Test
  void parse_overlongNumber_tooLarge() {
    assertThat(parser.parse("{\"patches\": [" + "9".repeat(200) + "]}").status())
        .isEqualTo(Status.TOO_LARGE);
  }

  @Test
  void parse_deepNesting_tooLargeWithoutStackOverflow() {
    String deep = "[".repeat(50_000) + "]".repeat(50_000);

    NarratorAnswer answer = parser.parse("{\"patches\": " + deep + "}");

    assertThat(answer.status()).isEqualTo(Status.TOO_LARGE);
  }

  @Test
  void parse_answerOverLimit_tooLargeUnread() {
    NarratorAnswer answer =
        parser.parse("a".repeat(NarratorAnswerParser.DEFAULT_MAX_ANSWER_CHARS + 1));

    assertThat(answer.status()).isEqualTo(Status.TOO_LARGE);
    assertThat(answer.prose()).isEmpty();
  }

  @Test
  void parse_blockOverLimit_tooLarge() {
    String value = "x".repeat(NarratorAnswerParser.DEFAULT_MAX_PATCH_CHARS);
    String block =
        "{\"patches\": [{\"op\": \"add\", \"path\": \"/a\", \"value\": \"" + value + "\"}]}";

    assertThat(parser.parse("Story. " + block).status()).isEqualTo(Status.TOO_LARGE);
  }

  @Test
  void parse_byteOrderMarkBeforeProse_removed() {
    assertThat(parser.parse("\uFEFFOnce upon a time. " + PATCH).prose())
        .isEqualTo("Once upon a time.");
  }

  @Test
  void parse_controlAndInvisibleCharactersInProse_removed() {
    NarratorAnswer answer = parser.parse("The \u001B[31mdoor\u0000 opens\u202E.\uD800 " + PATCH);

    assertThat(answer.prose()).isEqualTo("The [31mdoor opens.\uFFFD");
  }

  @Test
  void parse_patchKeyEscapedInsideAString_notACandidate() {
    String answer =
        "{\"patches\": [{\"op\": \"add\", \"path\": \"/note\", \"value\": \"say {\\\"patches\\\": 1}\"}]}";

    NarratorAnswer parsed = parser.parse(answer);

    assertThat(parsed.status()).isEqualTo(Status.PATCH);
    assertThat(parsed.patch().at("/patches/0/value").asText()).isEqualTo("say {\"patches\": 1}");
  }

  @Test
  void parse_topLevelNotFirstKeyPatches_noPatch() {
    assertThat(parser.parse("{\"narration\": \"x\", \"other\": []}").status())
        .isEqualTo(Status.NO_PATCH);
  }

  @Test
  void parse_manyOpeningBracesAndSpaces_linear() {
    String hostile = "{ ".repeat(60_000) + "{\"patches\" ".repeat(10_000);

    // Catastrophic-scan guard: about 5 ms here; a quadratic scan would take minutes.
    NarratorAnswer answer =
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> parser.parse(hostile));

    assertThat(answer.status()).isEqualTo(Status.NO_PATCH);
  }

  @Test
  void strictMapper_isUsableForOtherModelOutput() throws Exception {
    assertThat(
            NarratorAnswerParser.strictMapper(1_000, 8)
                .readTree("{\"a\": [1, 2]}")
                .at("/a/1")
                .asInt())
        .isEqualTo(2);
  }
}
