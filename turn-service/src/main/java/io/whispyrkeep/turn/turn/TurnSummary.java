package io.whispyrkeep.turn.turn;

import java.time.Instant;
import java.util.UUID;

/**
 * A turn in {@code GET /campaigns/{id}/turns}: completed ones with their narrative and patch
 * outcome, running and failed ones with their status only (and the failure's reason code).
 */
public record TurnSummary(
    UUID turnId,
    int sequence,
    String status,
    String narrative,
    TurnResponse.PatchResult patch,
    Long stateVersion,
    String failureReason,
    Instant createdAt) {

  static TurnSummary of(Turn turn) {
    boolean completed = Turn.COMPLETED.equals(turn.status);
    return new TurnSummary(
        turn.id,
        turn.sequence,
        turn.status,
        completed ? turn.narrative : null,
        completed
            ? new TurnResponse.PatchResult(Boolean.TRUE.equals(turn.patchApplied), turn.patchReason)
            : null,
        completed ? turn.stateVersion : null,
        Turn.FAILED.equals(turn.status) ? turn.failureReason : null,
        turn.createdAt);
  }
}
