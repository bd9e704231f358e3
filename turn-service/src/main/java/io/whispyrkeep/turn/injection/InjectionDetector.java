package io.whispyrkeep.turn.injection;

import io.whispyrkeep.turn.config.TurnConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Prompt-injection heuristics over a player's turn: which {@link InjectionPatterns} match, in plain
 * sight or hidden. A suspicion is logged and counted, never a refusal (the seed: "log but don't
 * block"): the caller counts a metric and records {@code turn.injection_suspected} with the report.
 * A heuristic, not a defence: the narrator prompt must still treat player text as data.
 *
 * <p>Give it the raw turn once {@code TurnInputCleaner} has accepted it (which bounds its size): it
 * removes invisible characters itself, and the raw text still carries what cleaning removes, such
 * as words spelled in tag characters. Each scan matches, with RE2/J (linear time whatever the
 * input), against
 *
 * <ul>
 *   <li>the folded text ({@link MatchText#fold}): case, compatibility forms, accents, look-alike
 *       letters and spacing made uniform;
 *   <li>English and language-neutral patterns only: its leetspeak, rot13 and spaced-letter
 *       readings;
 *   <li>every pattern: text hidden in base64, hex or binary runs (decoded again, down to {@code
 *       whispyrkeep.turn.injection.max-decode-depth} levels), in tag characters and in variation
 *       selectors.
 * </ul>
 *
 * <p>Cost: linear in the input; decoded text is bounded by {@link #DECODE_BUDGET_FACTOR} times the
 * input, and input beyond {@link #MAX_SCAN_CHARS} is not read. Thread-safe; never throws for any
 * string.
 */
public final class InjectionDetector {

  /** Default preview length in code points: the seed's {@code value[:100]}. */
  public static final int DEFAULT_PREVIEW_LENGTH = 100;

  /** Default decoding depth: base64 in base64 in base64. */
  public static final int DEFAULT_MAX_DECODE_DEPTH = 3;

  /**
   * Most chars read from one turn: the cleaner accepts at most 10,000 code points of visible text
   * in at most 80,000 chars of input; anything longer was not a turn.
   */
  public static final int MAX_SCAN_CHARS = 80_000;

  /** Decoded (hidden) text scanned per turn, as a multiple of the input's length. */
  public static final int DECODE_BUDGET_FACTOR = 2;

  /**
   * Chars searched on each side of a keyword: more than the longest match of any pattern (their
   * repetitions are bounded: at most 7 gap words of 40 chars, about 350 chars in all).
   */
  public static final int WINDOW = 400;

  /** How far a window's edge moves to the nearest space, so that it does not cut a word. */
  static final int WORD_ALIGN = 48;

  private final List<InjectionPattern> all;
  private final List<InjectionPattern> englishOrAny;
  private final int previewLength;
  private final int maxDecodeDepth;

  public InjectionDetector(InjectionPatterns patterns, TurnConfig.Injection config) {
    this(patterns, config.previewLength(), config.maxDecodeDepth());
  }

  public InjectionDetector(InjectionPatterns patterns, int previewLength, int maxDecodeDepth) {
    if (previewLength < 1 || maxDecodeDepth < 0) {
      throw new IllegalArgumentException("preview-length >= 1 and max-decode-depth >= 0 needed");
    }
    this.all = patterns.all();
    this.englishOrAny = all.stream().filter(InjectionPattern::isEnglishOrAny).toList();
    this.previewLength = previewLength;
    this.maxDecodeDepth = maxDecodeDepth;
  }

  /** With the default patterns and limits. */
  public static InjectionDetector withDefaults() {
    return new InjectionDetector(
        InjectionPatterns.load(), DEFAULT_PREVIEW_LENGTH, DEFAULT_MAX_DECODE_DEPTH);
  }

  /** What the heuristics find in {@code text}; an empty report for null or empty text. */
  public InjectionReport scan(String text) {
    if (text == null || text.isEmpty()) {
      return new InjectionReport(List.of(), List.of(), "");
    }
    String input = text;
    if (input.length() > MAX_SCAN_CHARS) {
      int end = MAX_SCAN_CHARS;
      if (Character.isHighSurrogate(input.charAt(end - 1))) {
        end--;
      }
      input = input.substring(0, end);
    }
    Scan scan = new Scan(input.length() * DECODE_BUDGET_FACTOR);
    String visible = MatchText.visible(input);
    String letters = MatchText.foldLetters(visible);
    String folded = MatchText.collapseSpaces(letters);
    scan.match(folded, all, null);
    scan.match(MatchText.leet(folded), englishOrAny, "leetspeak");
    scan.match(MatchText.rot13(folded), englishOrAny, "rot13");
    scan.match(MatchText.joinSpacedLetters(letters), englishOrAny, "spaced-letters");
    scan.decoded(HiddenText.tagText(input), "tag-characters", 1);
    scan.decoded(HiddenText.variationSelectorText(input), "variation-selectors", 1);
    scan.hidden(visible, 1);
    return new InjectionReport(
        new ArrayList<>(scan.patterns),
        new ArrayList<>(scan.hiddenIn),
        Preview.of(input, previewLength));
  }

  /**
   * Whether {@code pattern} matches {@code text}: its regex runs only on the merged windows around
   * its keywords, so text without any keyword costs one substring search per keyword.
   */
  static boolean matches(InjectionPattern pattern, String text) {
    int[] starts = new int[8];
    int[] ends = new int[8];
    int count = 0;
    for (String keyword : pattern.keywords()) {
      int at = text.indexOf(keyword);
      while (at >= 0) {
        int start = wordStart(text, Math.max(0, at - WINDOW));
        int end = wordEnd(text, Math.min(text.length(), at + keyword.length() + WINDOW));
        if (count == starts.length) {
          starts = Arrays.copyOf(starts, count * 2);
          ends = Arrays.copyOf(ends, count * 2);
        }
        starts[count] = start;
        ends[count] = end;
        count++;
        // The next occurrence outside this window starts a new one; inside, it adds nothing.
        at = end >= text.length() ? -1 : text.indexOf(keyword, Math.max(at + 1, end - WINDOW));
      }
    }
    if (count == 0) {
      return false;
    }
    long[] spans = new long[count];
    for (int i = 0; i < count; i++) {
      spans[i] = ((long) starts[i] << 32) | ends[i];
    }
    Arrays.sort(spans);
    int start = (int) (spans[0] >>> 32);
    int end = (int) spans[0];
    for (int i = 1; i <= count; i++) {
      if (i < count && (int) (spans[i] >>> 32) <= end) {
        end = Math.max(end, (int) spans[i]);
        continue;
      }
      if (pattern.regex().matcher(new Window(text, start, end)).find()) {
        return true;
      }
      if (i < count) {
        start = (int) (spans[i] >>> 32);
        end = (int) spans[i];
      }
    }
    return false;
  }

  private static int wordStart(String text, int index) {
    for (int i = index; i > 0 && i > index - WORD_ALIGN; i--) {
      if (Character.isWhitespace(text.charAt(i - 1))) {
        return i;
      }
    }
    return index;
  }

  private static int wordEnd(String text, int index) {
    for (int i = index; i < text.length() && i < index + WORD_ALIGN; i++) {
      if (Character.isWhitespace(text.charAt(i))) {
        return i;
      }
    }
    return index;
  }

  /** The state of one scan: what matched, where it was hidden, how much decoding is left. */
  private final class Scan {
    final Set<String> patterns = new LinkedHashSet<>();
    final Set<String> hiddenIn = new LinkedHashSet<>();
    int decodeBudget;

    Scan(int decodeBudget) {
      this.decodeBudget = decodeBudget;
    }

    void match(String text, List<InjectionPattern> candidates, String concealment) {
      if (text == null || text.isEmpty()) {
        return;
      }
      boolean any = false;
      for (InjectionPattern pattern : candidates) {
        if (matches(pattern, text)) {
          patterns.add(pattern.name());
          any = true;
        }
      }
      if (any && concealment != null) {
        hiddenIn.add(concealment);
      }
    }

    /** Matches decoded text with every pattern, then looks for text hidden inside it. */
    void decoded(String text, String concealment, int depth) {
      if (text == null || text.isEmpty()) {
        return;
      }
      String visible = MatchText.visible(text);
      match(MatchText.fold(visible), all, concealment);
      if (depth < maxDecodeDepth) {
        hidden(visible, depth + 1);
      }
    }

    /**
     * Base64, hex and binary runs of {@code visible}, decoded within the budget; the pieces of one
     * kind are matched together, one per line, so a turn with many runs costs one pass.
     */
    void hidden(String visible, int depth) {
      if (depth > maxDecodeDepth || decodeBudget <= 0) {
        return;
      }
      List<String> base64 = HiddenText.base64(visible, decodeBudget);
      decodeBudget -= length(base64);
      List<String> hex = HiddenText.hex(visible, Math.max(decodeBudget, 0));
      decodeBudget -= length(hex);
      List<String> binary = HiddenText.binary(visible, Math.max(decodeBudget, 0));
      decodeBudget -= length(binary);
      decoded(String.join("\n", base64), "base64", depth);
      decoded(String.join("\n", hex), "hex", depth);
      decoded(String.join("\n", binary), "binary", depth);
    }

    private static int length(List<String> pieces) {
      return pieces.stream().mapToInt(String::length).sum();
    }
  }
}
