package io.whispyrkeep.keyvault;

import io.whispyrkeep.platform.problem.Problem;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * keyvault-service's problem types: stable URIs clients can switch on. No detail ever carries a
 * key, a ciphertext, an upstream body or text the request controls.
 */
public final class KeyvaultProblems {

  private KeyvaultProblems() {}

  public static ProblemException unknownProvider() {
    return problem(
        "unknown-provider", "Unknown provider", 404, "No such provider is enabled here.");
  }

  public static ProblemException keyNotFound() {
    return new ProblemException(ProblemType.NOT_FOUND, "No key is stored for this provider.");
  }

  public static ProblemException invalidKey(List<Problem.FieldError> errors) {
    return new ProblemException(
        ProblemType.VALIDATION_FAILED.uri(),
        ProblemType.VALIDATION_FAILED.title(),
        400,
        "The key is not valid for this provider.",
        errors,
        Map.of());
  }

  /** The base URL failed the SSRF guard (stored or at call time). */
  public static ProblemException baseUrlRefused(String reason) {
    return new ProblemException(
        URI.create(ProblemType.BASE_URI + "base-url-refused"),
        "Base URL refused",
        400,
        "The base URL is not allowed: " + reason + ".",
        List.of(new Problem.FieldError("baseUrl", reason)),
        Map.of());
  }

  public static ProblemException rateLimited(long retryAfterSeconds) {
    return new ProblemException(
        ProblemType.RATE_LIMITED.uri(),
        ProblemType.RATE_LIMITED.title(),
        429,
        "Too many key changes; retry later.",
        null,
        Map.of("Retry-After", Long.toString(retryAfterSeconds)));
  }

  /** The player already has as many broker calls running as one player may. */
  public static ProblemException tooManyCalls() {
    return new ProblemException(
        ProblemType.RATE_LIMITED.uri(),
        ProblemType.RATE_LIMITED.title(),
        429,
        "Too many provider calls running for this player; retry when one has finished.",
        null,
        Map.of("Retry-After", "1"));
  }

  /** The custody engine (Vault) cannot answer: nothing was written. */
  public static ProblemException custodyUnavailable() {
    return new ProblemException(
        URI.create(ProblemType.BASE_URI + "custody-unavailable"),
        "Key custody unavailable",
        503,
        "Key custody is unavailable; nothing was changed. Retry later.",
        null,
        Map.of("Retry-After", "5"));
  }

  /** The broker was called by someone other than an allowed service acting for a player. */
  public static ProblemException delegationRequired() {
    return problem(
        "delegation-required",
        "Delegated token required",
        403,
        "This endpoint accepts only a delegated token (token exchange) of an allowed service.");
  }

  public static ProblemException keyNotConfigured() {
    return problem(
        "key-not-configured",
        "Key not configured",
        409,
        "The player has no key stored for this provider.");
  }

  /** The stored ciphertext no longer decrypts (older than the minimum version, or altered). */
  public static ProblemException keyUnusable() {
    return problem(
        "key-unusable",
        "Stored key unusable",
        409,
        "The stored key can no longer be decrypted; store it again.");
  }

  public static ProblemException upstreamError(String statusClass) {
    int status =
        "timeout".equals(statusClass)
                || "circuit-open".equals(statusClass)
                || "busy".equals(statusClass)
            ? 503
            : 502;
    return new ProblemException(
        URI.create(ProblemType.BASE_URI + "upstream-error"),
        "Provider error",
        status,
        "The LLM provider call failed (" + statusClass + ").",
        null,
        Map.of());
  }

  public static ProblemException rewrapIncomplete(long remaining) {
    return problem(
        "rewrap-incomplete",
        "Rewrap not finished",
        409,
        remaining + " stored keys are older than that version; finish a rewrap before raising it.");
  }

  public static ProblemException invalidMinVersion(int latest) {
    return new ProblemException(
        ProblemType.VALIDATION_FAILED.uri(),
        ProblemType.VALIDATION_FAILED.title(),
        400,
        "The minimum decryption version must be between the current minimum and " + latest + ".",
        List.of(new Problem.FieldError("version", "out of range")),
        Map.of());
  }

  private static ProblemException problem(String slug, String title, int status, String detail) {
    return new ProblemException(
        URI.create(ProblemType.BASE_URI + slug), title, status, detail, null, Map.of());
  }
}
