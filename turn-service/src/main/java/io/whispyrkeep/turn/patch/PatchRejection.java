package io.whispyrkeep.turn.patch;

/**
 * Why a narrator patch was refused as a whole. The detail is written here, never copied from the
 * model's output, so it is safe to log and to put in an event.
 *
 * @param reason the stable reason
 * @param operation index of the first offending operation in {@code patches}, or -1 when the patch
 *     as a whole is at fault
 * @param detail a short explanation naming limits and indexes only
 */
public record PatchRejection(Reason reason, int operation, String detail) {

  /** Stable reason codes ({@link #code()}), for metrics, events and logs. */
  public enum Reason {
    /**
     * Not the patch schema: not an object, unknown op ({@code move}, {@code copy}, {@code test}),
     * bad path, missing value, unknown key.
     */
    SCHEMA("schema"),
    /** A path is, or is above, a blocked path ({@link BlockedPaths}). */
    BLOCKED_PATH("blocked-path"),
    /** A path has more segments than allowed. */
    TOO_DEEP_PATH("too-deep-path"),
    /** More operations than allowed. */
    TOO_MANY_OPS("too-many-ops"),
    /** A value is larger than allowed, or holds a number beyond a double's range. */
    VALUE_TOO_LARGE("value-too-large"),
    /** A value nests deeper than allowed. */
    VALUE_TOO_DEEP("value-too-deep"),
    /** The state after the patch would be larger than allowed. */
    STATE_TOO_LARGE("state-too-large"),
    /** RFC 6902 refused an operation on this state (missing parent, missing target, ...). */
    APPLY_FAILED("apply-failed"),
    /** An {@code advance_time} value is not a positive duration within the limits. */
    BAD_TIME("bad-time");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  static PatchRejection of(Reason reason, int operation, String detail) {
    return new PatchRejection(reason, operation, detail);
  }
}
