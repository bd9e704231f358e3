package io.whispyrkeep.turn.patch;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;

/**
 * One validated operation.
 *
 * @param op what it does
 * @param path its JSON Pointer, as the narrator wrote it (validated: no empty segment)
 * @param segments the path's segments
 * @param value the value for {@code add} and {@code replace}; null for {@code remove}
 * @param advance the in-game time {@code advance_time} adds; zero for the other operations
 */
public record PatchOperation(
    Op op, String path, List<String> segments, JsonNode value, Duration advance) {

  /** The four operations a narrator may use; RFC 6902's move, copy and test are not among them. */
  public enum Op {
    ADD("add"),
    REPLACE("replace"),
    REMOVE("remove"),
    ADVANCE_TIME("advance_time");

    private final String json;

    Op(String json) {
      this.json = json;
    }

    /** The op as written in the patch. */
    public String json() {
      return json;
    }

    static Op fromJson(String json) {
      for (Op op : values()) {
        if (op.json.equals(json)) {
          return op;
        }
      }
      return null;
    }
  }

  public PatchOperation {
    segments = List.copyOf(segments);
  }
}
