package io.whispyrkeep.turn.input;

import io.whispyrkeep.turn.config.TurnConfig;
import java.text.Normalizer;

/**
 * Turns what a player typed into the text the narrator sees, or refuses it with a {@link
 * TurnInputException} (the only exception thrown). Thread-safe; linear in the input.
 *
 * <p>In this order:
 *
 * <ol>
 *   <li>A text longer than {@link #RAW_CHARS_PER_CODE_POINT} chars per allowed code point is
 *       refused before any work ({@code too-long}): nothing legitimate shrinks that much.
 *   <li>A lone surrogate (invalid UTF-16: JSON's {@code \ud800} escape allows one) refuses the text
 *       ({@code malformed-text}) rather than being dropped: no keyboard sends one, UTF-8 and
 *       PostgreSQL cannot store one, and a client that sends one has a bug worth seeing.
 *   <li>Invisible and control characters are removed ({@link TextCharacters}): first, so that
 *       normalisation composes across them and trimming sees through them.
 *   <li>NFC normalisation (canonical composition, as the W3C recommends for text interchange): a
 *       letter typed decomposed and one typed precomposed become the same text. Compatibility forms
 *       (fullwidth letters, ligatures) are kept: players may mean them; the detector folds them for
 *       matching only.
 *   <li>Leading and trailing whitespace of any script is trimmed (the seed's {@code
 *       trim_whitespace}), including no-break and ideographic spaces.
 *   <li>Nothing left: refused ({@code empty}).
 *   <li>More than {@code whispyrkeep.turn.input.max-code-points} code points: refused ({@code
 *       too-long}). Counted in code points, not UTF-16 chars, because that is what the seed's
 *       {@code max_length} counts (a Python {@code str}) and what a player perceives as one
 *       character more closely: an emoji or a rare CJK ideograph counts once, not twice. It is
 *       counted after cleaning, so removed invisible characters never count; the text the narrator
 *       receives is then at most 20,000 chars.
 * </ol>
 */
public final class TurnInputCleaner {

  /** Default limit in code points: the seed's {@code max_length=10000}. */
  public static final int DEFAULT_MAX_CODE_POINTS = 10_000;

  /**
   * Chars of raw input per allowed code point beyond which a text is refused unread: a code point
   * takes at most 2 chars, NFC shrinks by at most 3 (a Hangul syllable typed as three jamo), so 8
   * leaves room for some removed invisible characters.
   */
  public static final int RAW_CHARS_PER_CODE_POINT = 8;

  private final int maxCodePoints;

  public TurnInputCleaner(TurnConfig.Input config) {
    this(config.maxCodePoints());
  }

  /** With an explicit limit; {@link #DEFAULT_MAX_CODE_POINTS} in production. */
  public TurnInputCleaner(int maxCodePoints) {
    if (maxCodePoints < 1) {
      throw new IllegalArgumentException("max-code-points must be at least 1");
    }
    this.maxCodePoints = maxCodePoints;
  }

  /** The cleaned turn text: never empty, at most the configured number of code points. */
  public String clean(String raw) {
    if (raw == null || raw.isEmpty()) {
      throw new TurnInputException(TurnInputException.Reason.EMPTY);
    }
    if (raw.length() > (long) maxCodePoints * RAW_CHARS_PER_CODE_POINT) {
      throw new TurnInputException(TurnInputException.Reason.TOO_LONG);
    }
    StringBuilder visible = new StringBuilder(raw.length());
    if (!TextCharacters.appendVisible(raw, visible)) {
      throw new TurnInputException(TurnInputException.Reason.MALFORMED);
    }
    String text = visible.toString();
    if (!Normalizer.isNormalized(text, Normalizer.Form.NFC)) {
      text = Normalizer.normalize(text, Normalizer.Form.NFC);
    }
    text = strip(text);
    if (text.isEmpty()) {
      throw new TurnInputException(TurnInputException.Reason.EMPTY);
    }
    if (text.length() > maxCodePoints && text.codePointCount(0, text.length()) > maxCodePoints) {
      throw new TurnInputException(TurnInputException.Reason.TOO_LONG);
    }
    return text;
  }

  /** {@code text} without leading and trailing whitespace of any script. */
  static String strip(String text) {
    int start = 0;
    int end = text.length();
    while (start < end) {
      int codePoint = text.codePointAt(start);
      if (!TextCharacters.isSpace(codePoint)) {
        break;
      }
      start += Character.charCount(codePoint);
    }
    while (end > start) {
      int codePoint = text.codePointBefore(end);
      if (!TextCharacters.isSpace(codePoint)) {
        break;
      }
      end -= Character.charCount(codePoint);
    }
    return text.substring(start, end);
  }
}
