package io.whispyrkeep.turn.input;

/**
 * Which characters of player text are removed before anyone reads it, shared by the cleaner (what
 * the narrator sees) and the injection detector (what is matched), so both agree on what is
 * visible.
 *
 * <ul>
 *   <li>Control characters U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+007F (the seed's set:
 *       tab, line feed and carriage return stay) and the C1 controls U+0080–U+009F, which no
 *       keyboard produces and which terminals obey (U+009B starts an escape sequence).
 *   <li>Bidirectional overrides, embeddings, isolates and marks (U+202A–U+202E, U+2066–U+2069,
 *       U+200E, U+200F, U+061C): they reorder what a reader sees against what a model reads
 *       ("Trojan Source", CVE-2021-42574).
 *   <li>Invisible characters that hide or split words: U+200B–U+200D, U+2060–U+2064, U+206A–U+206F,
 *       U+FEFF, U+180E, U+00AD (soft hyphen), U+034F (grapheme joiner) and the tag characters
 *       U+E0000–U+E007F, which spell hidden ASCII ("ASCII smuggling"). Removing U+200D splits emoji
 *       sequences (a family becomes its members) and tags turn subdivision flags into a black flag:
 *       an accepted loss.
 *   <li>A variation selector (U+FE00–U+FE0F, U+E0100–U+E01EF) that does not directly follow a
 *       character other than a variation selector: one selector per character is how emoji and CJK
 *       variants use them; a run of them carries hidden bytes ("emoji smuggling").
 *   <li>Combining marks beyond {@link #MAX_COMBINING_RUN} in a row (UAX #15's stream-safe text
 *       format): the JDK's normalizer reorders a run of marks in time quadratic in its length
 *       (40,000 marks: 4.7 s here), and no script needs more than 30.
 * </ul>
 */
public final class TextCharacters {

  /**
   * Most combining marks kept in a row: the stream-safe limit of Unicode UAX #15 section 13 ("no
   * more than 30 non-starters"), which bounds the normalizer's reordering.
   */
  public static final int MAX_COMBINING_RUN = 30;

  private TextCharacters() {}

  /** Whether {@code codePoint} is always removed (controls, bidi controls, invisible, tags). */
  public static boolean isAlwaysRemoved(int codePoint) {
    if (codePoint < 0x20) {
      return codePoint != '\t' && codePoint != '\n' && codePoint != '\r';
    }
    if (codePoint < 0x7F) {
      return false;
    }
    if (codePoint <= 0x9F) {
      return true; // DEL and C1
    }
    return codePoint == 0x00AD
        || codePoint == 0x034F
        || codePoint == 0x061C
        || codePoint == 0x180E
        || (codePoint >= 0x200B && codePoint <= 0x200F)
        || (codePoint >= 0x202A && codePoint <= 0x202E)
        || (codePoint >= 0x2060 && codePoint <= 0x2064)
        || (codePoint >= 0x2066 && codePoint <= 0x206F)
        || codePoint == 0xFEFF
        || (codePoint >= 0xE0000 && codePoint <= 0xE007F);
  }

  /** Whether {@code codePoint} is a variation selector (kept only once, after another char). */
  public static boolean isVariationSelector(int codePoint) {
    return (codePoint >= 0xFE00 && codePoint <= 0xFE0F)
        || (codePoint >= 0xE0100 && codePoint <= 0xE01EF);
  }

  /**
   * Whether {@code codePoint} is a tag character that spells an ASCII character (U+E0020–E007E).
   */
  public static boolean isAsciiTag(int codePoint) {
    return codePoint >= 0xE0020 && codePoint <= 0xE007E;
  }

  /** Whether {@code codePoint} is a combining mark, counted towards {@link #MAX_COMBINING_RUN}. */
  public static boolean isCombiningMark(int codePoint) {
    int type = Character.getType(codePoint);
    return type == Character.NON_SPACING_MARK
        || type == Character.ENCLOSING_MARK
        || type == Character.COMBINING_SPACING_MARK;
  }

  /** Whether {@code codePoint} is whitespace in any script (including no-break spaces). */
  public static boolean isSpace(int codePoint) {
    return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint);
  }

  /**
   * {@code text} without the characters removed by the rules above, lone surrogates replaced by
   * U+FFFD: for text that must be shown or stored but cannot be refused (a model's prose, a log
   * preview). Linear; never throws.
   */
  public static String visible(String text) {
    StringBuilder out = new StringBuilder(text.length());
    if (appendVisible(text, out)) {
      return out.toString();
    }
    StringBuilder repaired = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        repaired.append(c).append(text.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        repaired.append('\uFFFD');
      } else {
        repaired.append(c);
      }
    }
    out.setLength(0);
    appendVisible(repaired, out);
    return out.toString();
  }

  /**
   * Whether {@code text} holds U+0000 or a lone surrogate, which PostgreSQL and UTF-8 cannot store.
   */
  public static boolean hasUnstorable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        return true;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return true;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Appends {@code text} to {@code out} without the characters removed by the rules above, and
   * returns false if {@code text} holds a lone surrogate (nothing useful is appended then). Linear
   * in the text.
   */
  public static boolean appendVisible(CharSequence text, StringBuilder out) {
    int marks = 0;
    boolean afterSelectable = false;
    int length = text.length();
    for (int i = 0; i < length; ) {
      char c = text.charAt(i);
      int codePoint;
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= length || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        codePoint = Character.toCodePoint(c, text.charAt(i + 1));
        i += 2;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      } else {
        codePoint = c;
        i++;
      }
      if (isAlwaysRemoved(codePoint)) {
        continue;
      }
      if (isVariationSelector(codePoint)) {
        if (afterSelectable) {
          out.appendCodePoint(codePoint);
          afterSelectable = false;
        }
        continue;
      }
      if (codePoint >= 0x300 && isCombiningMark(codePoint)) {
        if (++marks > MAX_COMBINING_RUN) {
          continue;
        }
      } else {
        marks = 0;
      }
      out.appendCodePoint(codePoint);
      afterSelectable = true;
    }
    return true;
  }
}
