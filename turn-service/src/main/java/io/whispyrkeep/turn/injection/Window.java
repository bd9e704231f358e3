package io.whispyrkeep.turn.injection;

/**
 * A view of part of a text (no copy) for matching near a keyword. When it starts inside a line, it
 * begins with one sentinel char that no pattern matches as a letter, space or line break, so that
 * {@code ^} and {@code \b} at the cut behave as after a punctuation mark, not as at a line start.
 */
final class Window implements CharSequence {

  /** Stands for the text before the cut; removed from every matched text by {@link MatchText}. */
  static final char SENTINEL = '\u0001';

  private final String text;
  private final int start;
  private final int end;
  private final int offset;

  /** {@code text[start, end)}, with a sentinel first if {@code start} is not at a line start. */
  Window(String text, int start, int end) {
    this.text = text;
    this.start = start;
    this.end = end;
    this.offset = start > 0 && text.charAt(start - 1) != '\n' ? 1 : 0;
  }

  @Override
  public int length() {
    return end - start + offset;
  }

  @Override
  public char charAt(int index) {
    if (index < offset) {
      return SENTINEL;
    }
    return text.charAt(start + index - offset);
  }

  @Override
  public CharSequence subSequence(int from, int to) {
    StringBuilder out = new StringBuilder(to - from);
    for (int i = from; i < to; i++) {
      out.append(charAt(i));
    }
    return out;
  }

  @Override
  public String toString() {
    return subSequence(0, length()).toString();
  }
}
