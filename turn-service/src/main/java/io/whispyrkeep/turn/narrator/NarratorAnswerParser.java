package io.whispyrkeep.turn.narrator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whispyrkeep.turn.config.TurnConfig;
import io.whispyrkeep.turn.input.TextCharacters;
import java.io.IOException;

/**
 * Finds the state patch in a narrator model's answer: prose, then a JSON object {@code {"patches":
 * [...]}}, fenced ({@code ```json}) or not. The LAST such object wins (a model that corrects itself
 * writes the correction last); it is read as strict JSON (duplicate keys refused, no comments, no
 * single quotes, no {@code NaN}), within size and nesting limits. Never throws: every outcome is a
 * {@link NarratorAnswer.Status}. Thread-safe.
 *
 * <p>The block is found by a backward scan for <code>{</code> followed by optional whitespace and
 * {@code "patches"} (no regular expression on model output); the scan and the parse are linear in
 * the answer, and the parse reads at most {@code max-patch-chars} of it.
 */
public final class NarratorAnswerParser {

  /** Default limit on the whole answer: 256 KiB of chars, far above any story turn. */
  public static final int DEFAULT_MAX_ANSWER_CHARS = 262_144;

  /** Default limit on the patch block: 128 KiB of chars (50 operations of 64 KiB cannot fit). */
  public static final int DEFAULT_MAX_PATCH_CHARS = 131_072;

  /**
   * Default nesting limit of the patch block: a value may nest 20 levels ({@code PatchLimits})
   * under the object, the array and the operation, so 32 leaves room without letting a parser
   * recurse 1,000 levels (Jackson's own default).
   */
  public static final int DEFAULT_MAX_NESTING_DEPTH = 32;

  /** Longest number accepted, in chars: far beyond any game value, short of a CPU-costly parse. */
  static final int MAX_NUMBER_CHARS = 100;

  private static final String KEY = "\"patches\"";

  private final int maxAnswerChars;
  private final int maxPatchChars;
  private final ObjectMapper mapper;

  public NarratorAnswerParser(TurnConfig.Narrator config) {
    this(config.maxAnswerChars(), config.maxPatchChars(), config.maxNestingDepth());
  }

  public NarratorAnswerParser(int maxAnswerChars, int maxPatchChars, int maxNestingDepth) {
    if (maxAnswerChars < 1 || maxPatchChars < 2 || maxNestingDepth < 2) {
      throw new IllegalArgumentException("narrator limits must be positive");
    }
    this.maxAnswerChars = maxAnswerChars;
    this.maxPatchChars = maxPatchChars;
    this.mapper = strictMapper(maxPatchChars, maxNestingDepth);
  }

  /** With the default limits. */
  public static NarratorAnswerParser withDefaults() {
    return new NarratorAnswerParser(
        DEFAULT_MAX_ANSWER_CHARS, DEFAULT_MAX_PATCH_CHARS, DEFAULT_MAX_NESTING_DEPTH);
  }

  /**
   * A mapper for untrusted JSON: duplicate keys refused, nesting, string, name and number lengths
   * bounded; comments, single quotes, {@code NaN} and trailing commas stay refused (Jackson's
   * defaults). Used for the patch block; also suitable for other model output.
   */
  public static ObjectMapper strictMapper(int maxChars, int maxNestingDepth) {
    JsonFactory factory =
        JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(maxNestingDepth)
                    .maxStringLength(maxChars)
                    .maxNameLength(Math.min(maxChars, 1_000))
                    .maxNumberLength(MAX_NUMBER_CHARS)
                    .maxDocumentLength(maxChars)
                    .build())
            .build();
    return new ObjectMapper(factory);
  }

  /** The prose and patch of {@code answer}; null is an empty answer without a patch. */
  public NarratorAnswer parse(String answer) {
    if (answer == null) {
      return new NarratorAnswer("", NarratorAnswer.Status.NO_PATCH, null);
    }
    if (answer.length() > maxAnswerChars) {
      return new NarratorAnswer("", NarratorAnswer.Status.TOO_LARGE, null);
    }
    int start = lastCandidate(answer);
    if (start < 0) {
      return new NarratorAnswer(prose(answer, ""), NarratorAnswer.Status.NO_PATCH, null);
    }
    String before = answer.substring(0, start);
    int available = answer.length() - start;
    int window = Math.min(available, maxPatchChars);
    JsonNode patch;
    int end;
    try (JsonParser parser = mapper.createParser(answer.substring(start, start + window))) {
      patch = mapper.readTree(parser);
      end = start + (int) parser.currentLocation().getCharOffset();
      if (patch == null || !patch.isObject()) {
        return new NarratorAnswer(prose(before, ""), NarratorAnswer.Status.BAD_JSON, null);
      }
    } catch (StreamConstraintsException e) {
      return new NarratorAnswer(prose(before, ""), NarratorAnswer.Status.TOO_LARGE, null);
    } catch (JsonEOFException e) {
      // Cut by the size limit, or really unterminated.
      NarratorAnswer.Status status =
          available > maxPatchChars
              ? NarratorAnswer.Status.TOO_LARGE
              : NarratorAnswer.Status.BAD_JSON;
      return new NarratorAnswer(prose(before, ""), status, null);
    } catch (JsonProcessingException e) {
      return new NarratorAnswer(prose(before, ""), NarratorAnswer.Status.BAD_JSON, null);
    } catch (IOException e) {
      // Reading a String does no I/O; Jackson declares it anyway.
      return new NarratorAnswer(prose(before, ""), NarratorAnswer.Status.BAD_JSON, null);
    }
    return new NarratorAnswer(
        prose(before, answer.substring(end)), NarratorAnswer.Status.PATCH, patch);
  }

  /**
   * Offset of the last <code>{</code> that starts an object whose first key is {@code "patches"},
   * or -1. Each whitespace run is skipped at most once (it ends at the next non-space char), so the
   * scan is linear.
   */
  static int lastCandidate(String answer) {
    for (int i = answer.length() - 1; i >= 0; i--) {
      if (answer.charAt(i) != '{') {
        continue;
      }
      int j = i + 1;
      while (j < answer.length() && isJsonSpace(answer.charAt(j))) {
        j++;
      }
      if (!answer.startsWith(KEY, j)) {
        continue;
      }
      j += KEY.length();
      while (j < answer.length() && isJsonSpace(answer.charAt(j))) {
        j++;
      }
      if (j < answer.length() && answer.charAt(j) == ':') {
        return i;
      }
    }
    return -1;
  }

  private static boolean isJsonSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  /**
   * The text around the block, without its code fence, trimmed, and cleaned like player text
   * ({@link TextCharacters#visible}): no control, bidi or invisible characters, no lone surrogate.
   */
  static String prose(String before, String after) {
    return joined(TextCharacters.visible(before), TextCharacters.visible(after));
  }

  private static String joined(String before, String after) {
    String head = stripTrailingFence(before.strip());
    String tail = after.strip();
    if (tail.startsWith("```")) {
      tail = tail.substring(3).strip();
    }
    if (head.isEmpty()) {
      return tail;
    }
    return tail.isEmpty() ? head : head + "\n\n" + tail;
  }

  private static String stripTrailingFence(String text) {
    int fence = text.lastIndexOf("```");
    if (fence < 0) {
      return text;
    }
    String language = text.substring(fence + 3);
    if (language.isEmpty() || language.equalsIgnoreCase("json")) {
      return text.substring(0, fence).strip();
    }
    return text;
  }
}
