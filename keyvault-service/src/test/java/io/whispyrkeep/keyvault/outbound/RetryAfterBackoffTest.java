package io.whispyrkeep.keyvault.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RetryAfterBackoffTest {

  @Test
  void nextDelay_withRetryAfter_waitsAtLeastThatLong() {
    RetryAfterBackoff backoff = new RetryAfterBackoff();
    backoff.init(250);

    for (int i = 0; i < 50; i++) {
      long delay = backoff.nextDelayInMillis(new RateLimitedException(1000));
      assertThat(delay).isBetween(1000L, 1000L + RetryAfterBackoff.RETRY_AFTER_JITTER_MILLIS);
    }
  }

  @Test
  void nextDelay_serverErrorWithRetryAfter_waitsAtLeastThatLong() {
    RetryAfterBackoff backoff = new RetryAfterBackoff();
    backoff.init(250);

    long delay =
        backoff.nextDelayInMillis(
            new TransientProviderFaultException(UpstreamException.Failure.SERVER_ERROR, 2000));

    assertThat(delay).isBetween(2000L, 2000L + RetryAfterBackoff.RETRY_AFTER_JITTER_MILLIS);
  }

  @Test
  void nextDelay_withoutRetryAfter_growsExponentiallyWithJitterAndIsCapped() {
    RetryAfterBackoff backoff = new RetryAfterBackoff();
    backoff.init(100);
    UpstreamException noHint = new RateLimitedException(-1);

    long first = backoff.nextDelayInMillis(noHint);
    long second = backoff.nextDelayInMillis(noHint);
    long third = backoff.nextDelayInMillis(noHint);
    long later = 0;
    for (int i = 0; i < 30; i++) {
      later = backoff.nextDelayInMillis(noHint);
    }

    assertThat(first).isBetween(50L, 100L);
    assertThat(second).isBetween(100L, 200L);
    assertThat(third).isBetween(200L, 400L);
    assertThat(later)
        .isBetween(RetryAfterBackoff.MAX_BACKOFF_MILLIS / 2, RetryAfterBackoff.MAX_BACKOFF_MILLIS);
  }

  @Test
  void nextDelay_otherFailure_usesBackoff() {
    RetryAfterBackoff backoff = new RetryAfterBackoff();
    backoff.init(100);

    assertThat(backoff.nextDelayInMillis(new IllegalStateException("x"))).isBetween(50L, 100L);
  }
}
