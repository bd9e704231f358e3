package io.whispyrkeep.turn;

import io.whispyrkeep.platform.problem.Problem;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * turn-service's problem types: stable URIs clients can switch on. No detail ever carries the
 * player's text, a token, a model's output or anything else the request or a peer controls.
 */
public final class TurnProblems {

  private TurnProblems() {}

  /** Unknown campaign, or one of another player (the same answer, so ids cannot be probed). */
  public static ProblemException campaignNotFound() {
    return new ProblemException(ProblemType.NOT_FOUND, "No such campaign.");
  }

  public static ProblemException idempotencyKeyRequired() {
    return problem(
        "idempotency-key-required",
        "Idempotency-Key required",
        400,
        "Send an Idempotency-Key header of 1 to 100 characters from A-Z a-z 0-9 . _ : -.",
        List.of(new Problem.FieldError("Idempotency-Key", "required, 1-100 of [A-Za-z0-9._:-]")));
  }

  public static ProblemException invalidCursor() {
    return problem(
        "invalid-cursor",
        "Invalid cursor",
        400,
        "The cursor is not one this service issued.",
        List.of(new Problem.FieldError("cursor", "not a cursor of this list")));
  }

  /** The same Idempotency-Key was used before with a different body. */
  public static ProblemException idempotencyKeyReused() {
    return problem(
        "idempotency-key-reused",
        "Idempotency-Key reused",
        422,
        "This Idempotency-Key was already used for a different turn.",
        null);
  }

  /** The first request with this key is still with the narrator. */
  public static ProblemException turnInProgress(long retryAfterSeconds) {
    return new ProblemException(
        URI.create(ProblemType.BASE_URI + "turn-in-progress"),
        "Turn in progress",
        409,
        "A turn with this Idempotency-Key is still being narrated; retry later.",
        null,
        Map.of("Retry-After", Long.toString(retryAfterSeconds)));
  }

  public static ProblemException rateLimited(long retryAfterSeconds) {
    return new ProblemException(
        ProblemType.RATE_LIMITED.uri(),
        ProblemType.RATE_LIMITED.title(),
        429,
        "Too many turns; retry later.",
        null,
        Map.of("Retry-After", Long.toString(retryAfterSeconds)));
  }

  /** More campaigns created this hour than one player may create. */
  public static ProblemException campaignsRateLimited(long retryAfterSeconds) {
    return new ProblemException(
        ProblemType.RATE_LIMITED.uri(),
        ProblemType.RATE_LIMITED.title(),
        429,
        "Too many campaigns created; retry later.",
        null,
        Map.of("Retry-After", Long.toString(retryAfterSeconds)));
  }

  /** keyvault-service holds no usable key of the campaign's provider for this player. */
  public static ProblemException keyNotConfigured() {
    return problem(
        "key-not-configured",
        "Key not configured",
        409,
        "No usable API key is stored for this campaign's provider; store one, then retry the turn"
            + " with the same Idempotency-Key.",
        null);
  }

  /**
   * The narrator could not answer: {@code 502} when the provider failed, {@code 503} when the
   * narrator path is unavailable (keyvault or auth down, timeout, circuit open). The turn is stored
   * as failed; a retry with the same Idempotency-Key completes it.
   */
  public static ProblemException narratorUnavailable(int status, String reason) {
    return new ProblemException(
        URI.create(ProblemType.BASE_URI + "narrator-unavailable"),
        "Narrator unavailable",
        status,
        "The narrator could not answer ("
            + reason
            + "); retry the turn with the same Idempotency-Key.",
        null,
        status == 503 ? Map.of("Retry-After", "5") : Map.of());
  }

  private static ProblemException problem(
      String slug, String title, int status, String detail, List<Problem.FieldError> errors) {
    return new ProblemException(
        URI.create(ProblemType.BASE_URI + slug), title, status, detail, errors, Map.of());
  }
}
