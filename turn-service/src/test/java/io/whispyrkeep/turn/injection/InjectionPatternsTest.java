package io.whispyrkeep.turn.injection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Each pattern in injection-patterns.yaml against its own examples, through the whole detector. */
class InjectionPatternsTest {

  private static final InjectionPatterns PATTERNS = InjectionPatterns.load();
  private static final InjectionDetector DETECTOR = InjectionDetector.withDefaults();

  @TestFactory
  Stream<DynamicTest> scan_patternExamples_matchTheirPattern() {
    return PATTERNS.all().stream()
        .flatMap(
            pattern ->
                pattern.matches().stream()
                    .map(
                        example ->
                            DynamicTest.dynamicTest(
                                pattern.name() + " matches: " + example,
                                () ->
                                    assertThat(DETECTOR.scan(example).patterns())
                                        .contains(pattern.name()))));
  }

  @TestFactory
  Stream<DynamicTest> scan_patternCounterExamples_matchNoPattern() {
    return PATTERNS.all().stream()
        .flatMap(
            pattern ->
                pattern.ignores().stream()
                    .map(
                        example ->
                            DynamicTest.dynamicTest(
                                pattern.name() + " ignores: " + example,
                                () -> assertThat(DETECTOR.scan(example).patterns()).isEmpty())));
  }

  @Test
  void load_everyPatternHasExamplesBothWays() {
    assertThat(PATTERNS.all()).hasSizeGreaterThan(20);
    assertThat(PATTERNS.all())
        .allSatisfy(
            pattern -> {
              assertThat(pattern.matches()).as(pattern.name()).isNotEmpty();
              assertThat(pattern.ignores()).as(pattern.name()).isNotEmpty();
            });
  }

  @Test
  void load_coversTheRequiredLanguages() {
    List<String> languages = PATTERNS.all().stream().map(InjectionPattern::language).toList();

    assertThat(languages).contains("en", "es", "fr", "de", "pt", "it", "zh", "ja", "ru");
  }

  @Test
  void load_duplicateName_refused() {
    String yaml =
        """
        patterns:
          - {name: one, lang: en, keywords: [a], regex: 'a'}
          - {name: one, lang: en, keywords: [b], regex: 'b'}
        """;

    assertThatThrownBy(() -> InjectionPatterns.load(stream(yaml)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("duplicate");
  }

  @Test
  void load_backReferenceOrLookAround_refusedByRe2j() {
    String yaml =
        """
        patterns:
          - {name: backtracking, lang: en, keywords: [a], regex: '(a{1,3})\\1(?=b)'}
        """;

    assertThatThrownBy(() -> InjectionPatterns.load(stream(yaml)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("RE2/J");
  }

  @Test
  void load_unknownLanguage_refused() {
    String yaml = "patterns:\n  - {name: x1, lang: klingon, keywords: [a], regex: 'a'}\n";

    assertThatThrownBy(() -> InjectionPatterns.load(stream(yaml)))
        .isInstanceOf(IllegalStateException.class);
  }

  private static ByteArrayInputStream stream(String yaml) {
    return new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
  }
}
