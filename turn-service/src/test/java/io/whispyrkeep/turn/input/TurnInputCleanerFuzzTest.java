package io.whispyrkeep.turn.input;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.whispyrkeep.turn.injection.InjectionDetector;
import io.whispyrkeep.turn.injection.InjectionReport;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * Fuzzes the turn path as the service will run it: clean, then scan. Nothing but {@link
 * TurnInputException} may escape the cleaner, nothing at all the detector, and an accepted turn
 * keeps every promise of {@link TurnInputCleaner}. Each input is read twice, as UTF-8 and as raw
 * UTF-16 (which can hold lone surrogates). Regression mode in the normal build (the committed
 * inputs under {@code TurnInputCleanerFuzzTestInputs/}); to fuzz, see the README of turn-service.
 */
class TurnInputCleanerFuzzTest {

  private static final TurnInputCleaner CLEANER =
      new TurnInputCleaner(TurnInputCleaner.DEFAULT_MAX_CODE_POINTS);
  private static final InjectionDetector DETECTOR = InjectionDetector.withDefaults();

  @FuzzTest(maxDuration = "2m")
  void clean(byte[] input) {
    check(new String(input, StandardCharsets.UTF_8));
    check(new String(input, StandardCharsets.UTF_16LE));
  }

  private static void check(String raw) {
    String cleaned;
    try {
      cleaned = CLEANER.clean(raw);
    } catch (TurnInputException e) {
      assertThat(e.reason()).isNotNull();
      assertThat(e.status()).isEqualTo(400);
      return;
    }
    assertThat(cleaned).isNotEmpty();
    assertThat(cleaned.codePointCount(0, cleaned.length()))
        .isLessThanOrEqualTo(TurnInputCleaner.DEFAULT_MAX_CODE_POINTS);
    assertThat(Normalizer.isNormalized(cleaned, Normalizer.Form.NFC)).isTrue();
    assertThat(TextCharacters.isSpace(cleaned.codePointAt(0))).isFalse();
    assertThat(TextCharacters.isSpace(cleaned.codePointBefore(cleaned.length()))).isFalse();
    cleaned
        .codePoints()
        .forEach(
            codePoint -> {
              assertThat(TextCharacters.isAlwaysRemoved(codePoint)).isFalse();
              assertThat(Character.isSurrogate((char) codePoint) && codePoint < 0x10000).isFalse();
            });

    InjectionReport report = DETECTOR.scan(raw);
    assertThat(report.preview().codePointCount(0, report.preview().length()))
        .isLessThanOrEqualTo(101);
    assertThat(report.preview().chars().noneMatch(c -> c < 0x20 || (c >= 0x7F && c <= 0x9F)))
        .isTrue();
    assertThat(report.hiddenIn().isEmpty() || report.isSuspected()).isTrue();
  }
}
