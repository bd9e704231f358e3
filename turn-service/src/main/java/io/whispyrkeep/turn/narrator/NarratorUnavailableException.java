package io.whispyrkeep.turn.narrator;

/**
 * The narrator could not answer a turn. {@link #reason()} is a short stable code written here
 * (never a peer's body or a token), stored on the failed turn and put in {@code turn.failed}.
 */
public class NarratorUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** What the player is told: which problem and status fits. */
  public enum Kind {
    /** No usable key of the campaign's provider for this player: 409 {@code key-not-configured}. */
    KEY_NOT_CONFIGURED,
    /** The provider answered with an error: 502. */
    UPSTREAM,
    /** The narrator path is down (keyvault, auth, timeout, circuit open): 503. */
    UNAVAILABLE
  }

  private final Kind kind;
  private final String reason;

  public NarratorUnavailableException(Kind kind, String reason) {
    super(kind + ": " + reason, null, false, false);
    this.kind = kind;
    this.reason = reason;
  }

  public Kind kind() {
    return kind;
  }

  public String reason() {
    return reason;
  }

  /** A failure where nothing was done and a retry is safe (connection refused, custody, busy). */
  public static final class Transient extends NarratorUnavailableException {

    private static final long serialVersionUID = 1L;

    public Transient(String reason) {
      super(Kind.UNAVAILABLE, reason);
    }
  }

  /**
   * A definite answer about this player's request (no key, unknown provider, request bounds, their
   * concurrent-call bound, the provider's error): not a fault of the path, so no circuit breaker
   * counts it (the breakers are shared by every player) and it is not retried.
   */
  public static final class Refused extends NarratorUnavailableException {

    private static final long serialVersionUID = 1L;

    public Refused(Kind kind, String reason) {
      super(kind, reason);
    }
  }
}
