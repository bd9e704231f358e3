package io.whispyrkeep.platform.logging;

/**
 * Escapes the characters that let text pretend to be something else where it is written: C0 and C1
 * controls (CR and LF forge log lines, ESC starts terminal escape sequences, NUL is refused by
 * PostgreSQL), the Unicode line and paragraph separators, and unpaired surrogates (not encodable in
 * UTF-8). Each becomes a visible {@code \\uXXXX}, so what was sent stays readable for an
 * investigator and no log line, event or problem detail carries it raw. Linear in the input.
 */
public final class ControlCharacters {

  private ControlCharacters() {}

  /** Whether {@code text} holds at least one character that {@link #escape} would replace. */
  public static boolean containsAny(String text) {
    if (text == null) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (isEscaped(text, i)) {
        return true;
      }
    }
    return false;
  }

  /** {@code text} with every control character written as {@code \\uXXXX}; null stays null. */
  public static String escape(String text) {
    if (!containsAny(text)) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (isEscaped(text, i)) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isEscaped(String text, int index) {
    char c = text.charAt(index);
    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
      return true;
    }
    if (Character.isHighSurrogate(c)) {
      return index + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(index + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return index == 0 || !Character.isHighSurrogate(text.charAt(index - 1));
    }
    return false;
  }
}
