package io.whispyrkeep.turn.patch;

import io.whispyrkeep.turn.config.TurnConfig;
import java.time.Duration;
import java.util.List;

/**
 * The bounds a narrator patch must keep; see {@link TurnConfig.Patch} for the keys.
 *
 * @param maxOperations most operations in one patch
 * @param maxPathSegments most {@code /} in a path (the seed: {@code path.count('/') > 10})
 * @param maxValueBytes largest value of one operation, serialised as UTF-8 JSON
 * @param maxValueDepth deepest nesting of arrays and objects in one value
 * @param maxStateBytes largest campaign state after the patch, serialised as UTF-8 JSON
 * @param maxTimeAdvance longest in-game time one {@code advance_time} may add
 * @param maxTimeAdvancePerPatch longest in-game time one patch may add
 * @param blockedPaths paths no operation may touch
 */
public record PatchLimits(
    int maxOperations,
    int maxPathSegments,
    int maxValueBytes,
    int maxValueDepth,
    int maxStateBytes,
    Duration maxTimeAdvance,
    Duration maxTimeAdvancePerPatch,
    BlockedPaths blockedPaths) {

  /** Default: 50 operations, enough for any one scene (the bound). */
  public static final int DEFAULT_MAX_OPERATIONS = 50;

  /** Default: 10, the seed's {@code if path.count('/') > 10: raise ValueError("Path too deep")}. */
  public static final int DEFAULT_MAX_PATH_SEGMENTS = 10;

  /** Default: 64 KiB per value, a long chapter of text (the bound). */
  public static final int DEFAULT_MAX_VALUE_BYTES = 64 * 1024;

  /** Default: 20 levels per value (the bound). */
  public static final int DEFAULT_MAX_VALUE_DEPTH = 20;

  /** Default: 1 MiB of campaign state (the bound). */
  public static final int DEFAULT_MAX_STATE_BYTES = 1024 * 1024;

  /** Default: 7 days of in-game time per operation (the bound). */
  public static final Duration DEFAULT_MAX_TIME_ADVANCE = Duration.ofDays(7);

  /** Default: 7 days per patch as well, so 50 operations cannot skip a year. */
  public static final Duration DEFAULT_MAX_TIME_ADVANCE_PER_PATCH = Duration.ofDays(7);

  public PatchLimits {
    if (maxOperations < 1
        || maxPathSegments < 1
        || maxValueBytes < 1
        || maxValueDepth < 1
        || maxStateBytes < 2
        || maxTimeAdvance.isNegative()
        || maxTimeAdvance.isZero()
        || maxTimeAdvancePerPatch.compareTo(maxTimeAdvance) < 0) {
      throw new IllegalArgumentException(
          "whispyrkeep.turn.patch: limits must be positive, and the per-patch time advance at"
              + " least the per-operation one");
    }
  }

  /** The defaults, with the built-in blocked paths only. */
  public static PatchLimits defaults() {
    return new PatchLimits(
        DEFAULT_MAX_OPERATIONS,
        DEFAULT_MAX_PATH_SEGMENTS,
        DEFAULT_MAX_VALUE_BYTES,
        DEFAULT_MAX_VALUE_DEPTH,
        DEFAULT_MAX_STATE_BYTES,
        DEFAULT_MAX_TIME_ADVANCE,
        DEFAULT_MAX_TIME_ADVANCE_PER_PATCH,
        BlockedPaths.builtIn());
  }

  /** From configuration; configured blocked paths are added to the built-ins. */
  public static PatchLimits of(TurnConfig.Patch config) {
    return new PatchLimits(
        config.maxOperations(),
        config.maxPathSegments(),
        config.maxValueBytes(),
        config.maxValueDepth(),
        config.maxStateBytes(),
        config.maxTimeAdvance(),
        config.maxTimeAdvancePerPatch(),
        BlockedPaths.of(config.blockedPaths().orElse(List.of())));
  }
}
