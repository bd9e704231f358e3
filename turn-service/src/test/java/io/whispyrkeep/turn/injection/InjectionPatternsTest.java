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
  void load_keywordsAreWrittenInNormalisedForm() {
    for (InjectionPattern pattern : PATTERNS.all()) {
      for (String keyword : pattern.keywords()) {
        assertThat(MatchText.fold(keyword).strip())
            .as(pattern.name() + " keyword '" + keyword + "'")
            .isEqualTo(keyword.strip());
      }
    }
  }

  @Test
  void load_everyExampleContainsAKeyword() {
    for (InjectionPattern pattern : PATTERNS.all()) {
      for (String example : pattern.matches()) {
        String folded = MatchText.fold(MatchText.visible(example));
        assertThat(pattern.keywords().stream().anyMatch(folded::contains))
            .as(pattern.name() + ": " + example)
            .isTrue();
      }
    }
  }

  @Test
  void hasUnboundedRepetition_findsStarPlusAndOpenRangesOutsideClasses() {
    assertThat(InjectionPatterns.hasUnboundedRepetition("a+")).isTrue();
    assertThat(InjectionPatterns.hasUnboundedRepetition("(?: \\S+){0,4}")).isTrue();
    assertThat(InjectionPatterns.hasUnboundedRepetition("a*b")).isTrue();
    assertThat(InjectionPatterns.hasUnboundedRepetition("a{2,}")).isTrue();
    assertThat(InjectionPatterns.hasUnboundedRepetition("[+*]\\+\\*a{1,40}\\p{L}{0,30}")).isFalse();
    assertThat(InjectionPatterns.hasUnboundedRepetition("[^\\]+]x")).isFalse();
  }

  @Test
  void spaceOrBreak_spacesMatchLineBreaksInsideAndOutsideClasses() {
    assertThat(InjectionPatterns.spaceOrBreak("a b[ -]c[^ ]\\ d"))
        .isEqualTo("a[ \\n]b[ \\n-]c[^ \\n]\\ d");
  }

  @Test
  void load_unboundedRepetition_refused() {
    String yaml = "patterns:\n  - {name: x1, lang: en, keywords: [a], regex: 'a \\S+ b'}\n";

    assertThatThrownBy(() -> InjectionPatterns.load(stream(yaml)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("unbounded");
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
