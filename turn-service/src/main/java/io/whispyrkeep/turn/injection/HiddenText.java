package io.whispyrkeep.turn.injection;

import io.whispyrkeep.turn.input.TextCharacters;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Text hidden in player input that a model could still read: base64 and hex runs, ASCII spelled
 * with tag characters, bytes spelled with variation selectors. Each finder scans once, never
 * re-reads a run it has tried, and returns only what decodes to readable UTF-8 text, so ordinary
 * long words ("supercalifragilistic") and keys are not mistaken for hidden text. Never throws.
 */
final class HiddenText {

  /** Shortest base64 run decoded: 16 chars, 12 bytes ("ignore all p"). */
  static final int MIN_BASE64_CHARS = 16;

  /** Fewest hex-encoded bytes decoded: 8. */
  static final int MIN_HEX_BYTES = 8;

  /** Fewest hidden characters (tags or variation selectors) worth decoding. */
  static final int MIN_HIDDEN_CHARS = 4;

  /** Least share of readable characters (letters, digits, spaces, punctuation) in decoded text. */
  static final double MIN_READABLE_SHARE = 0.9;

  private HiddenText() {}

  /** Texts decoded from base64 runs of {@code visible}, together at most {@code budget} chars. */
  static List<String> base64(String visible, int budget) {
    List<String> found = new ArrayList<>();
    int length = visible.length();
    int i = 0;
    while (i < length && budget > 0) {
      if (!isBase64Char(visible.charAt(i))) {
        i++;
        continue;
      }
      int end = i;
      while (end < length && isBase64Char(visible.charAt(end))) {
        end++;
      }
      int runEnd = end;
      while (runEnd < length && runEnd - end < 2 && visible.charAt(runEnd) == '=') {
        runEnd++;
      }
      if (end - i >= MIN_BASE64_CHARS) {
        String decoded = decodeBase64(visible.substring(i, end));
        if (decoded != null) {
          String kept = decoded.length() > budget ? decoded.substring(0, budget) : decoded;
          found.add(kept);
          budget -= kept.length();
        }
      }
      i = runEnd;
    }
    return found;
  }

  private static boolean isBase64Char(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '+'
        || c == '/'
        || c == '-'
        || c == '_';
  }

  /** The run decoded at the first of the four alignments that gives readable text, else null. */
  private static String decodeBase64(String run) {
    boolean urlSafe = run.indexOf('-') >= 0 || run.indexOf('_') >= 0;
    if (urlSafe && (run.indexOf('+') >= 0 || run.indexOf('/') >= 0)) {
      return null;
    }
    Base64.Decoder decoder = urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder();
    for (int offset = 0; offset < 4 && run.length() - offset >= MIN_BASE64_CHARS; offset++) {
      int usable = run.length() - offset;
      if (usable % 4 == 1) {
        usable--;
      }
      byte[] bytes;
      try {
        bytes = decoder.decode(run.substring(offset, offset + usable));
      } catch (IllegalArgumentException e) {
        continue; // not base64 at this alignment: try the next one
      }
      String text = readableUtf8(bytes);
      if (text != null) {
        return text;
      }
    }
    return null;
  }

  /**
   * Texts decoded from hex runs of {@code visible}: plain ({@code 69676e6f7265}), prefixed ({@code
   * \x69\x67} with one to four backslashes, {@code 0x69 0x67}, {@code %69%67}) or separated ({@code
   * 69 67 6e}); together at most {@code budget} chars.
   */
  static List<String> hex(String visible, int budget) {
    List<String> found = new ArrayList<>();
    int length = visible.length();
    int i = 0;
    byte[] bytes = new byte[Math.min(length / 2 + 1, 1 << 16)];
    while (i < length && budget > 0) {
      int count = 0;
      int position = i;
      while (position < length && count < bytes.length) {
        int unit = position;
        int backslashes = 0;
        while (unit < length && visible.charAt(unit) == '\\' && backslashes < 4) {
          unit++;
          backslashes++;
        }
        if (backslashes > 0) {
          if (unit >= length || visible.charAt(unit) != 'x') {
            break;
          }
          unit++;
        } else if (visible.startsWith("0x", unit)) {
          unit += 2;
        } else if (visible.charAt(unit) == '%') {
          unit += 1;
        }
        if (unit + 2 > length
            || !isAsciiHex(visible.charAt(unit))
            || !isAsciiHex(visible.charAt(unit + 1))) {
          break;
        }
        bytes[count++] =
            (byte)
                (Character.digit(visible.charAt(unit), 16) << 4
                    | Character.digit(visible.charAt(unit + 1), 16));
        position = unit + 2;
        if (position + 1 < length
            && isHexSeparator(visible.charAt(position))
            && (isAsciiHex(visible.charAt(position + 1))
                || visible.charAt(position + 1) == '\\'
                || visible.charAt(position + 1) == '%')) {
          position++;
        }
      }
      if (count >= MIN_HEX_BYTES) {
        byte[] run = new byte[count];
        System.arraycopy(bytes, 0, run, 0, count);
        String text = readableUtf8(run);
        if (text != null) {
          String kept = text.length() > budget ? text.substring(0, budget) : text;
          found.add(kept);
          budget -= kept.length();
        }
        i = position;
      } else {
        i = Math.max(i + 1, position);
      }
    }
    return found;
  }

  /** Fewest bytes written as groups of eight binary digits that are decoded. */
  static final int MIN_BINARY_BYTES = 8;

  /**
   * Texts decoded from bytes written in binary, eight digits a byte, separated by single spaces or
   * not ({@code 01101001 01100111}); together at most {@code budget} chars.
   */
  static List<String> binary(String visible, int budget) {
    List<String> found = new ArrayList<>();
    int length = visible.length();
    int i = 0;
    while (i < length && budget > 0) {
      char c = visible.charAt(i);
      if ((c != '0' && c != '1') || (i > 0 && Character.isLetterOrDigit(visible.charAt(i - 1)))) {
        i++;
        continue;
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      int position = i;
      while (position + 8 <= length) {
        int value = 0;
        int digit = 0;
        while (digit < 8) {
          char bit = visible.charAt(position + digit);
          if (bit != '0' && bit != '1') {
            break;
          }
          value = value << 1 | (bit - '0');
          digit++;
        }
        if (digit < 8) {
          break;
        }
        bytes.write(value);
        position += 8;
        if (position + 1 < length
            && visible.charAt(position) == ' '
            && (visible.charAt(position + 1) == '0' || visible.charAt(position + 1) == '1')) {
          position++;
        }
      }
      if (bytes.size() >= MIN_BINARY_BYTES) {
        String text = readableUtf8(bytes.toByteArray());
        if (text != null) {
          String kept = text.length() > budget ? text.substring(0, budget) : text;
          found.add(kept);
          budget -= kept.length();
        }
      }
      i = Math.max(i + 1, position);
    }
    return found;
  }

  private static boolean isAsciiHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isHexSeparator(char c) {
    return c == ' ' || c == ',' || c == ':' || c == '-';
  }

  /** The ASCII spelled by tag characters U+E0020–U+E007E in {@code raw}, else null. */
  static String tagText(String raw) {
    StringBuilder out = null;
    for (int i = 0; i < raw.length(); ) {
      int codePoint = raw.codePointAt(i);
      i += Character.charCount(codePoint);
      if (TextCharacters.isAsciiTag(codePoint)) {
        if (out == null) {
          out = new StringBuilder();
        }
        out.append((char) (codePoint - 0xE0000));
      }
    }
    return out == null || out.length() < MIN_HIDDEN_CHARS ? null : out.toString();
  }

  /**
   * The UTF-8 text spelled by runs of variation selectors in {@code raw} (U+FE00–U+FE0F as bytes
   * 0–15, U+E0100–U+E01EF as bytes 16–255), else null.
   */
  static String variationSelectorText(String raw) {
    byte[] bytes = null;
    int count = 0;
    for (int i = 0; i < raw.length(); ) {
      int codePoint = raw.codePointAt(i);
      i += Character.charCount(codePoint);
      int value = -1;
      if (codePoint >= 0xFE00 && codePoint <= 0xFE0F) {
        value = codePoint - 0xFE00;
      } else if (codePoint >= 0xE0100 && codePoint <= 0xE01EF) {
        value = codePoint - 0xE0100 + 16;
      }
      if (value < 0) {
        continue;
      }
      if (bytes == null) {
        bytes = new byte[raw.length()];
      }
      bytes[count++] = (byte) value;
    }
    if (count < MIN_HIDDEN_CHARS) {
      return null;
    }
    byte[] used = new byte[count];
    System.arraycopy(bytes, 0, used, 0, count);
    return readableUtf8(used);
  }

  /** {@code bytes} as text if they are valid UTF-8 and mostly readable, else null. */
  static String readableUtf8(byte[] bytes) {
    String text;
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
      text = chars.toString();
    } catch (CharacterCodingException e) {
      return null; // binary, not text: nothing hidden to read
    }
    int readable = 0;
    int letters = 0;
    int total = 0;
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      i += Character.charCount(codePoint);
      total++;
      if (Character.isLetter(codePoint)) {
        letters++;
        readable++;
      } else if (Character.isDigit(codePoint)
          || codePoint == ' '
          || codePoint == '\n'
          || codePoint == '\t'
          || (codePoint > 0x20 && codePoint < 0x7F)
          || Character.isSpaceChar(codePoint)) {
        readable++;
      }
    }
    return letters >= MIN_HIDDEN_CHARS && readable >= MIN_READABLE_SHARE * total ? text : null;
  }
}
