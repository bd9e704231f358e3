package io.whispyrkeep.keyvault.outbound;

/**
 * 429 with a {@code Retry-After} short enough to wait for (or none): retried, but not counted
 * towards the circuit breaker (a rate limit is usually the player's key's, not the provider's).
 */
class RateLimitedException extends UpstreamException implements RetryHint {

  private static final long serialVersionUID = 1L;

  private final long retryAfterMillis;

  RateLimitedException(long retryAfterMillis) {
    super(Failure.RATE_LIMITED);
    this.retryAfterMillis = retryAfterMillis;
  }

  @Override
  public long retryAfterMillis() {
    return retryAfterMillis;
  }
}
