package io.whispyrkeep.turn.injection;

import com.google.re2j.Pattern;
import java.util.List;

/**
 * One named prompt-injection heuristic from {@code injection-patterns.yaml}.
 *
 * @param name stable identifier, reported when the pattern matches
 * @param language {@code en}, {@code any} or another ISO 639-1 code; only {@code en} and {@code
 *     any} patterns also run on deobfuscated text (leetspeak, rot13, spaced letters)
 * @param keywords literal substrings, one of which every match contains: the regex only runs near
 *     them
 * @param regex RE2/J pattern over normalised text (see {@link MatchText}); every repetition in it
 *     is bounded, so a match is shorter than {@link InjectionDetector#WINDOW}
 * @param matches examples that must match, checked by the tests
 * @param ignores examples that must not match, checked by the tests
 */
public record InjectionPattern(
    String name,
    String language,
    List<String> keywords,
    Pattern regex,
    List<String> matches,
    List<String> ignores) {

  public InjectionPattern {
    keywords = List.copyOf(keywords);
    matches = List.copyOf(matches);
    ignores = List.copyOf(ignores);
  }

  /** Whether the pattern also runs on deobfuscated English text. */
  boolean isEnglishOrAny() {
    return "en".equals(language) || "any".equals(language);
  }
}
