package io.whispyrkeep.turn.turn;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;

/**
 * A completed turn.
 *
 * @param turnId the turn
 * @param sequence 1, 2, 3 ... within the campaign
 * @param narrative the narrator's prose, plain text (never HTML: render it as text)
 * @param patch whether the narrator's state patch was applied, and why not
 * @param stateVersion the campaign's state version after this turn
 * @param createdAt when the turn was stored
 */
public record TurnResponse(
    UUID turnId,
    int sequence,
    String narrative,
    PatchResult patch,
    long stateVersion,
    Instant createdAt) {

  /**
   * @param applied whether the state changed
   * @param rejectedReason why not (a stable code and our own detail), absent when applied
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PatchResult(boolean applied, String rejectedReason) {}

  static TurnResponse of(Turn turn) {
    return new TurnResponse(
        turn.id,
        turn.sequence,
        turn.narrative,
        new PatchResult(Boolean.TRUE.equals(turn.patchApplied), turn.patchReason),
        turn.stateVersion == null ? 0 : turn.stateVersion,
        turn.createdAt);
  }
}
