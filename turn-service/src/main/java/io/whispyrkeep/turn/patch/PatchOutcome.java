package io.whispyrkeep.turn.patch;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** The result of {@link StatePatcher#apply}: the new state and game time, or the rejection. */
public sealed interface PatchOutcome {

  /**
   * Every operation applied, on a copy: the state passed in is unchanged.
   *
   * @param state the new campaign state
   * @param gameTime the new in-game time (elapsed since the campaign began)
   * @param patch what was applied
   */
  record Applied(JsonNode state, Duration gameTime, ValidatedPatch patch) implements PatchOutcome {}

  /** Nothing applied: the state and game time stay as they were. */
  record Rejected(PatchRejection rejection) implements PatchOutcome {}

  default boolean isApplied() {
    return this instanceof Applied;
  }
}
