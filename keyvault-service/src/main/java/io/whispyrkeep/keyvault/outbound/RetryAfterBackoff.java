package io.whispyrkeep.keyvault.outbound;

import io.smallrye.faulttolerance.api.CustomBackoffStrategy;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delay before the next retry of a provider call: the provider's {@code Retry-After} when it gave
 * one (never sooner, plus up to {@link #RETRY_AFTER_JITTER_MILLIS} so that many callers do not come
 * back in the same instant), otherwise exponential backoff from {@code @Retry(delay)} with "equal
 * jitter" (half fixed, half random; AWS Architecture Blog, "Exponential Backoff and Jitter"),
 * capped at {@link #MAX_BACKOFF_MILLIS}. SmallRye Fault Tolerance makes one instance per
 * invocation.
 */
public class RetryAfterBackoff implements CustomBackoffStrategy {

  /** Longest computed backoff. */
  static final long MAX_BACKOFF_MILLIS = 4_000;

  /** Random extra on top of a {@code Retry-After}. */
  static final long RETRY_AFTER_JITTER_MILLIS = 250;

  private long initialDelayMillis = 250;
  private int retries;

  @Override
  public void init(long initialDelayInMillis) {
    this.initialDelayMillis = Math.max(1, initialDelayInMillis);
  }

  @Override
  public long nextDelayInMillis(Throwable cause) {
    int retry = retries++;
    if (cause instanceof RetryHint) {
      long retryAfter = ((RetryHint) cause).retryAfterMillis();
      if (retryAfter >= 0) {
        return retryAfter + ThreadLocalRandom.current().nextLong(RETRY_AFTER_JITTER_MILLIS + 1);
      }
    }
    long exponential = Math.min(MAX_BACKOFF_MILLIS, initialDelayMillis << Math.min(retry, 20));
    long half = exponential / 2;
    return half + ThreadLocalRandom.current().nextLong(exponential - half + 1);
  }
}
