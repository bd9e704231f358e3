package io.whispyrkeep.keyvault.outbound;

/** A retryable failure that may say when to retry. */
interface RetryHint {

  /** The provider's {@code Retry-After} in milliseconds (already capped), or -1 for none. */
  long retryAfterMillis();
}
