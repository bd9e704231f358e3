package io.whispyrkeep.turn.patch;

import java.time.Duration;
import java.util.List;

/**
 * A patch that passed {@link PatchValidator}: every operation within the limits, none on a blocked
 * path. Whether it applies to a given state is {@link StatePatcher}'s question.
 *
 * @param operations in patch order
 * @param timeAdvance the sum of its {@code advance_time} operations
 */
public record ValidatedPatch(List<PatchOperation> operations, Duration timeAdvance) {

  public ValidatedPatch {
    operations = List.copyOf(operations);
  }

  /** An empty patch: the narrator changed nothing. */
  public static ValidatedPatch empty() {
    return new ValidatedPatch(List.of(), Duration.ZERO);
  }
}
