package io.whispyrkeep.turn.narrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.whispyrkeep.turn.input.TextCharacters;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the extraction of the patch block from a model answer: it never throws, a patch comes only
 * with status {@code patch} and is an object whose first key is {@code patches}, and the prose is
 * never longer than the answer.
 */
class NarratorAnswerParserFuzzTest {

  private static final NarratorAnswerParser PARSER = NarratorAnswerParser.withDefaults();

  @FuzzTest(maxDuration = "2m")
  void parse(byte[] input) {
    String answer = new String(input, StandardCharsets.UTF_8);

    NarratorAnswer parsed = PARSER.parse(answer);

    assertThat(parsed.status()).isNotNull();
    assertThat(parsed.prose()).isNotNull();
    assertThat(parsed.prose().length()).isLessThanOrEqualTo(answer.length());
    assertThat(TextCharacters.hasUnstorable(parsed.prose())).isFalse();
    if (parsed.hasPatch()) {
      assertThat(parsed.patch().isObject()).isTrue();
      assertThat(parsed.patch().fieldNames().next()).isEqualTo("patches");
    } else {
      assertThat(parsed.patch()).isNull();
    }
  }
}
