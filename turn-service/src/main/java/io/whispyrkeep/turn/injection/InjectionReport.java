package io.whispyrkeep.turn.injection;

import java.util.List;

/**
 * What the injection heuristics found in one turn: safe to log and to put in the {@code
 * turn.injection_suspected} event (names and a redacted preview, never the full text).
 *
 * @param patterns names of the patterns that matched, in file order of first match; empty if none
 * @param hiddenIn how matched text was concealed, when it was: {@code base64}, {@code hex}, {@code
 *     binary}, {@code rot13}, {@code leetspeak}, {@code spaced-letters}, {@code tag-characters},
 *     {@code variation-selectors}; empty if every match was in plain sight
 * @param preview the first characters of the turn, single-line, with control and invisible
 *     characters removed and anything that looks like a key, token or email address masked
 */
public record InjectionReport(List<String> patterns, List<String> hiddenIn, String preview) {

  public InjectionReport {
    patterns = List.copyOf(patterns);
    hiddenIn = List.copyOf(hiddenIn);
  }

  /** Whether any pattern matched: the turn goes on, but is counted and recorded. */
  public boolean isSuspected() {
    return !patterns.isEmpty();
  }
}
