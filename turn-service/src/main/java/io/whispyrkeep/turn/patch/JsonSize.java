package io.whispyrkeep.turn.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whispyrkeep.turn.input.TextCharacters;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;

/**
 * Size and shape of JSON values, each check stopping as soon as a limit is passed, so a huge value
 * costs no more than the limit: the serialised size is counted as Jackson writes (no copy), the
 * depth is walked without recursion.
 */
final class JsonSize {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonSize() {}

  /** Thrown by the counting stream to stop serialising; never leaves this class. */
  private static final class LimitPassed extends IOException {
    private static final long serialVersionUID = 1L;

    LimitPassed() {
      super(null, null);
    }
  }

  private static final class CountingStream extends OutputStream {
    private final long limit;
    private long count;

    CountingStream(long limit) {
      this.limit = limit;
    }

    @Override
    public void write(int b) throws LimitPassed {
      add(1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws LimitPassed {
      add(len);
    }

    private void add(long bytes) throws LimitPassed {
      count += bytes;
      if (count > limit) {
        throw new LimitPassed();
      }
    }
  }

  /** Whether {@code value}, serialised as UTF-8 JSON, takes more than {@code limit} bytes. */
  static boolean isLargerThan(JsonNode value, long limit) {
    try {
      MAPPER.writeValue(new CountingStream(limit), value);
      return false;
    } catch (LimitPassed e) {
      return true;
    } catch (IOException e) {
      if (e.getCause() instanceof LimitPassed) {
        return true;
      }
      // Writing a tree to a counting stream has no other way to fail.
      throw new IllegalStateException("serialising a JSON tree failed", e);
    }
  }

  /** Whether arrays and objects in {@code value} nest deeper than {@code limit}. */
  static boolean isDeeperThan(JsonNode value, int limit) {
    ArrayDeque<JsonNode> nodes = new ArrayDeque<>();
    ArrayDeque<Integer> depths = new ArrayDeque<>();
    nodes.push(value);
    depths.push(0);
    while (!nodes.isEmpty()) {
      JsonNode node = nodes.pop();
      int depth = depths.pop();
      if (node.isContainerNode()) {
        if (depth + 1 > limit) {
          return true;
        }
        for (JsonNode child : node) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    }
    return false;
  }

  /**
   * Whether a string or member name in {@code value} holds U+0000 or a lone surrogate (JSON allows
   * both as escapes; PostgreSQL's jsonb and UTF-8 cannot store them).
   */
  static boolean hasUnstorableText(JsonNode value) {
    ArrayDeque<JsonNode> nodes = new ArrayDeque<>();
    nodes.push(value);
    while (!nodes.isEmpty()) {
      JsonNode node = nodes.pop();
      if (node.isTextual()) {
        if (TextCharacters.hasUnstorable(node.textValue())) {
          return true;
        }
      } else if (node.isObject()) {
        for (var names = node.fieldNames(); names.hasNext(); ) {
          if (TextCharacters.hasUnstorable(names.next())) {
            return true;
          }
        }
        node.forEach(nodes::push);
      } else if (node.isArray()) {
        node.forEach(nodes::push);
      }
    }
    return false;
  }

  /** Whether {@code value} holds a number that is not finite (1e999999 parses as infinity). */
  static boolean hasNonFiniteNumber(JsonNode value) {
    ArrayDeque<JsonNode> nodes = new ArrayDeque<>();
    nodes.push(value);
    while (!nodes.isEmpty()) {
      JsonNode node = nodes.pop();
      if (node.isDouble() || node.isFloat()) {
        double number = node.doubleValue();
        if (Double.isNaN(number) || Double.isInfinite(number)) {
          return true;
        }
      } else if (node.isContainerNode()) {
        node.forEach(nodes::push);
      }
    }
    return false;
  }
}
