package io.whispyrkeep.turn;

/**
 * turn-service's security event types, recorded through the platform's outbox in the same
 * transaction as the change they describe. Each carries the campaign id, the turn id (where there
 * is one), the player as actor and the request id; none ever carries the player's full text, a
 * token or a key.
 */
public final class TurnEvents {

  public static final String CAMPAIGN_CREATED = "campaign.created";
  public static final String ACCEPTED = "turn.accepted";

  /** The injection heuristics matched: pattern names and a redacted 100-character preview. */
  public static final String INJECTION_SUSPECTED = "turn.injection_suspected";

  /** The first refused turn of a player's window (the platform reports the count later). */
  public static final String RATE_LIMITED = "turn.rate_limited";

  public static final String PATCH_REJECTED = "turn.patch_rejected";
  public static final String FAILED = "turn.failed";

  private TurnEvents() {}
}
