package io.whispyrkeep.turn.injection;

import com.google.re2j.Pattern;
import io.whispyrkeep.platform.logging.Redactor;

/**
 * The short, single-line, redacted beginning of a turn that may be logged with a suspicion: the
 * seed logged {@code value[:100]}; here control and invisible characters are removed first, and
 * secrets ({@link Redactor}), email addresses and long token-like runs are masked before the text
 * is cut, so a key that straddles the cut cannot survive half-masked. Linear; never throws.
 */
final class Preview {

  /** How much of the turn is redacted before the preview is cut from it. */
  static final int REDACTION_WINDOW = 400;

  /** Shortest run of letters and digits (with both) masked as a possible key or token. */
  static final int MIN_TOKEN_CHARS = 24;

  private static final Pattern EMAIL =
      Pattern.compile("[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63}){1,8}");

  private static final Pattern TOKEN =
      Pattern.compile("[A-Za-z0-9+/_=-]{" + MIN_TOKEN_CHARS + ",}");

  private Preview() {}

  static String of(String text, int length) {
    int end = Math.min(text.length(), REDACTION_WINDOW);
    if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    String oneLine =
        MatchText.collapseSpaces(MatchText.visible(text.substring(0, end))).replace('\n', ' ');
    String masked = EMAIL.matcher(oneLine).replaceAll(Redactor.MASK);
    masked = Redactor.redact(masked);
    masked = maskTokens(masked);
    if (masked.codePointCount(0, masked.length()) <= length) {
      return masked;
    }
    return masked.substring(0, masked.offsetByCodePoints(0, length)) + "…";
  }

  /** Runs of at least {@link #MIN_TOKEN_CHARS} key characters with a letter and a digit. */
  private static String maskTokens(String text) {
    com.google.re2j.Matcher matcher = TOKEN.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    int copied = 0;
    while (matcher.find()) {
      String run = matcher.group();
      if (run.chars().anyMatch(Character::isDigit) && run.chars().anyMatch(Character::isLetter)) {
        out.append(text, copied, matcher.start()).append(Redactor.MASK);
        copied = matcher.end();
      }
    }
    return out.append(text, copied, text.length()).toString();
  }
}
