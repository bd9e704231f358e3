package io.whispyrkeep.turn.injection;

import io.whispyrkeep.turn.input.TextCharacters;
import java.text.Normalizer;
import java.util.Locale;

/**
 * The forms of player text that injection patterns are matched against, so that trivial obfuscation
 * does not bypass them: every method is linear in its input and never throws.
 *
 * <ul>
 *   <li>{@link #visible}: invisible and control characters removed as for the narrator ({@link
 *       TextCharacters}), lone surrogates replaced by U+FFFD; case and line breaks kept.
 *   <li>{@link #fold}: compatibility forms folded (fullwidth, mathematical and circled letters,
 *       ligatures: NFKD per code point, at most {@link #MAX_FOLD_EXPANSION} chars each), accents on
 *       Latin, Greek and Cyrillic letters stripped, lower case, curly quotes and dashes made ASCII,
 *       small capitals and Cyrillic or Greek look-alikes inside a word that also has Latin letters
 *       made Latin ("ignоre" with a Cyrillic o), each run of spaces one space, each run of line
 *       breaks one {@code \n}.
 *   <li>{@link #leet}, {@link #rot13}, {@link #joinSpacedLetters}: deobfuscated variants of the
 *       folded text, matched by English patterns only.
 * </ul>
 */
final class MatchText {

  /**
   * Most chars one code point may fold into; a longer compatibility decomposition (U+FDFA is 18
   * chars) is replaced by its canonical one, so folded text is at most four times the input.
   */
  static final int MAX_FOLD_EXPANSION = 4;

  private MatchText() {}

  /** {@code text} without invisible and control characters; lone surrogates become U+FFFD. */
  static String visible(String text) {
    return TextCharacters.visible(text);
  }

  /** {@code visible} text in the form patterns are written for (see the class comment). */
  static String fold(String visible) {
    return collapseSpaces(foldLetters(visible));
  }

  /** Compatibility folding, accent stripping, lower case and look-alike mapping; spaces kept. */
  static String foldLetters(String visible) {
    StringBuilder decomposed = new StringBuilder(visible.length() + 16);
    boolean allAscii = true;
    for (int i = 0; i < visible.length(); ) {
      int codePoint = visible.codePointAt(i);
      i += Character.charCount(codePoint);
      if (codePoint < 0x80) {
        decomposed.append((char) codePoint);
        continue;
      }
      allAscii = false;
      String single = new String(Character.toChars(codePoint));
      String folded = Normalizer.normalize(single, Normalizer.Form.NFKD);
      if (folded.length() > MAX_FOLD_EXPANSION) {
        folded = Normalizer.normalize(single, Normalizer.Form.NFD);
      }
      for (int j = 0; j < folded.length(); ) {
        int part = folded.codePointAt(j);
        j += Character.charCount(part);
        if (!isStrippedMark(part)) {
          decomposed.appendCodePoint(part);
        }
      }
    }
    String text = decomposed.toString();
    if (!allAscii) {
      text = Normalizer.normalize(text, Normalizer.Form.NFC);
    }
    text = text.toLowerCase(Locale.ROOT);
    return allAscii ? text : mapCharacters(text);
  }

  /** Diacritics of Latin, Greek and Cyrillic letters (not kana voicing marks or Indic vowels). */
  private static boolean isStrippedMark(int codePoint) {
    return (codePoint >= 0x0300 && codePoint <= 0x036F)
        || (codePoint >= 0x0483 && codePoint <= 0x0489)
        || (codePoint >= 0x1AB0 && codePoint <= 0x1AFF)
        || (codePoint >= 0x1DC0 && codePoint <= 0x1DFF)
        || (codePoint >= 0x20D0 && codePoint <= 0x20FF)
        || (codePoint >= 0xFE20 && codePoint <= 0xFE2F);
  }

  /** Quotes, dashes, small capitals; Cyrillic and Greek look-alikes in words mixing scripts. */
  private static String mapCharacters(String text) {
    StringBuilder out = new StringBuilder(text.length());
    int wordStart = 0;
    boolean latin = false;
    boolean lookAlike = false;
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      i += Character.charCount(codePoint);
      int mapped = mapCharacter(codePoint);
      if (Character.isLetterOrDigit(mapped)
          || Character.getType(mapped) == Character.NON_SPACING_MARK) {
        if (mapped < 0x80 && Character.isLetter(mapped)) {
          latin = true;
        } else if (latinLookAlike(mapped) != 0) {
          lookAlike = true;
        }
        out.appendCodePoint(mapped);
        continue;
      }
      if (latin && lookAlike) {
        mapLookAlikes(out, wordStart);
      }
      out.appendCodePoint(mapped);
      wordStart = out.length();
      latin = false;
      lookAlike = false;
    }
    if (latin && lookAlike) {
      mapLookAlikes(out, wordStart);
    }
    return out.toString();
  }

  private static void mapLookAlikes(StringBuilder out, int from) {
    for (int i = from; i < out.length(); i++) {
      char latin = latinLookAlike(out.charAt(i));
      if (latin != 0) {
        out.setCharAt(i, latin);
      }
    }
  }

  private static int mapCharacter(int codePoint) {
    switch (codePoint) {
      case '\u2018', '\u2019', '\u201A', '\u201B', '\u2032', '\u00B4', '\u02BC' -> {
        return '\'';
      }
      case '\u201C', '\u201D', '\u201E', '\u201F', '\u2033', '\u00AB', '\u00BB' -> {
        return '"';
      }
      case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212' -> {
        return '-';
      }
      case '\u0131' -> {
        return 'i'; // dotless i
      }
      case '\u0237' -> {
        return 'j';
      }
      case '\u0251' -> {
        return 'a';
      }
      case '\u0261' -> {
        return 'g';
      }
      default -> {
        if (codePoint >= 0x1D00 && codePoint <= 0x1D22
            || codePoint >= 0x0250 && codePoint <= 0x02AF) {
          char small = smallCapital(codePoint);
          return small == 0 ? codePoint : small;
        }
        return codePoint;
      }
    }
  }

  /** Small capital letters (IPA and phonetic extensions) as their ASCII letter, else 0. */
  private static char smallCapital(int codePoint) {
    return switch (codePoint) {
      case 0x1D00 -> 'a';
      case 0x0299 -> 'b';
      case 0x1D04 -> 'c';
      case 0x1D05 -> 'd';
      case 0x1D07 -> 'e';
      case 0x0262 -> 'g';
      case 0x029C -> 'h';
      case 0x026A -> 'i';
      case 0x1D0A -> 'j';
      case 0x1D0B -> 'k';
      case 0x029F -> 'l';
      case 0x1D0D -> 'm';
      case 0x0274 -> 'n';
      case 0x1D0F -> 'o';
      case 0x1D18 -> 'p';
      case 0x0280 -> 'r';
      case 0x1D1B -> 't';
      case 0x1D1C -> 'u';
      case 0x1D20 -> 'v';
      case 0x1D21 -> 'w';
      case 0x028F -> 'y';
      case 0x1D22 -> 'z';
      default -> 0;
    };
  }

  /** The Latin letter a lower-case Cyrillic or Greek letter is drawn like, else 0. */
  private static char latinLookAlike(int codePoint) {
    return switch (codePoint) {
      case 'а', 'α' -> 'a';
      case 'в', 'β' -> 'b';
      case 'с', 'ϲ' -> 'c';
      case 'ԁ' -> 'd';
      case 'е', 'ε' -> 'e';
      case 'һ' -> 'h';
      case 'і', 'ι', 'ӏ' -> 'i';
      case 'ј' -> 'j';
      case 'к', 'κ' -> 'k';
      case 'м' -> 'm';
      case 'н', 'η' -> 'n';
      case 'о', 'ο', 'σ' -> 'o';
      case 'р', 'ρ' -> 'p';
      case 'ԛ' -> 'q';
      case 'ѕ' -> 's';
      case 'т', 'τ' -> 't';
      case 'υ' -> 'u';
      case 'ν' -> 'v';
      case 'ԝ', 'ѡ', 'ω' -> 'w';
      case 'х', 'χ' -> 'x';
      case 'у', 'γ' -> 'y';
      default -> 0;
    };
  }

  /** Each run of spaces as one space, each run of spaces holding a line break as one {@code \n}. */
  static String collapseSpaces(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean space = false;
    boolean lineBreak = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029' || c == '\u0085') {
        lineBreak = true;
      } else if (TextCharacters.isSpace(c)) {
        space = true;
      } else {
        if (lineBreak) {
          out.append('\n');
        } else if (space && out.length() > 0) {
          out.append(' ');
        }
        space = false;
        lineBreak = false;
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Digits and symbols inside words as the letters they stand for ("1gn0r3" becomes "ignore"), or
   * null when {@code folded} has no such word.
   */
  static String leet(String folded) {
    StringBuilder out = null;
    int start = 0;
    for (int i = 0; i <= folded.length(); i++) {
      if (i < folded.length() && isLeetWordChar(folded.charAt(i))) {
        continue;
      }
      if (i > start) {
        boolean letter = false;
        boolean substitute = false;
        for (int j = start; j < i; j++) {
          char c = folded.charAt(j);
          if (c >= 'a' && c <= 'z') {
            letter = true;
          } else {
            substitute = true;
          }
        }
        if (letter && substitute) {
          if (out == null) {
            out = new StringBuilder(folded);
          }
          for (int j = start; j < i; j++) {
            out.setCharAt(j, leetLetter(folded.charAt(j)));
          }
        }
      }
      start = i + 1;
    }
    return out == null ? null : out.toString();
  }

  private static boolean isLeetWordChar(char c) {
    return (c >= 'a' && c <= 'z') || leetLetter(c) != c;
  }

  private static char leetLetter(char c) {
    return switch (c) {
      case '0' -> 'o';
      case '1', '!', '|' -> 'i';
      case '3' -> 'e';
      case '4', '@' -> 'a';
      case '5', '$' -> 's';
      case '7', '+' -> 't';
      case '8' -> 'b';
      case '9' -> 'g';
      default -> c;
    };
  }

  /** ROT13 of the ASCII letters, or null when there are none. */
  static String rot13(String folded) {
    char[] chars = folded.toCharArray();
    boolean any = false;
    for (int i = 0; i < chars.length; i++) {
      char c = chars[i];
      if (c >= 'a' && c <= 'z') {
        chars[i] = (char) ('a' + (c - 'a' + 13) % 26);
        any = true;
      }
    }
    return any ? new String(chars) : null;
  }

  /** Least number of single letters in a row that {@link #joinSpacedLetters} joins. */
  static final int MIN_SPACED_LETTERS = 3;

  /**
   * Words written with a separator after each letter ("i g n o r e", "i.g.n.o.r.e") joined, or null
   * when there are none. Works on {@link #foldLetters} output, before spaces are collapsed: a
   * double space there still separates two spaced words.
   */
  static String joinSpacedLetters(String foldedLetters) {
    StringBuilder out = null;
    int length = foldedLetters.length();
    int i = 0;
    int copied = 0;
    while (i < length) {
      // A run: letter (sep letter)+ where every sep is the same single char.
      if (!isLetterAt(foldedLetters, i) || (i > 0 && isLetterAt(foldedLetters, i - 1))) {
        i++;
        continue;
      }
      int letters = 1;
      int end = i + 1;
      char spacer = end < length ? foldedLetters.charAt(end) : 0;
      while (end + 1 < length
          && isSpacer(spacer)
          && foldedLetters.charAt(end) == spacer
          && isLetterAt(foldedLetters, end + 1)
          && (end + 2 >= length || !isLetterAt(foldedLetters, end + 2))) {
        letters++;
        end += 2;
      }
      if (letters >= MIN_SPACED_LETTERS) {
        if (out == null) {
          out = new StringBuilder(length);
        }
        out.append(foldedLetters, copied, i);
        for (int j = i; j < end; j += 2) {
          out.append(foldedLetters.charAt(j));
        }
        copied = end;
      }
      i = Math.max(end, i + 1);
    }
    if (out == null) {
      return null;
    }
    out.append(foldedLetters, copied, length);
    return collapseSpaces(out.toString());
  }

  private static boolean isLetterAt(String text, int index) {
    char c = text.charAt(index);
    return Character.isLetter(c) && !Character.isSurrogate(c);
  }

  private static boolean isSpacer(char c) {
    return c == ' ' || c == '.' || c == '-' || c == '_' || c == '*' || c == '/' || c == '|';
  }
}
