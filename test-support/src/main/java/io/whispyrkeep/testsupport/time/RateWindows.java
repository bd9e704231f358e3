package io.whispyrkeep.testsupport.time;

import java.time.Clock;
import java.time.Duration;

/**
 * Lets a test's burst of requests fall inside one rate-limit window.
 *
 * <p>The platform's rate limiter counts in fixed windows aligned to the epoch (whole minutes, whole
 * hours). A test that sends "limit + 1" requests and expects the last one refused fails when a
 * window boundary falls inside the burst: neither window then goes over the limit. Waiting for the
 * next window when the current one is nearly over makes such a test deterministic at the cost of a
 * short wait in a small share of runs.
 */
public final class RateWindows {

  private RateWindows() {}

  /**
   * Returns at once when at least {@code room} is left in the current {@code window} of {@code
   * clock} (the clock the service under test counts with); otherwise sleeps until the next window
   * has begun.
   */
  public static void awaitRoom(Clock clock, Duration window, Duration room) {
    long windowMillis = window.toMillis();
    long left = windowMillis - Math.floorMod(clock.millis(), windowMillis);
    if (left >= room.toMillis()) {
      return;
    }
    try {
      Thread.sleep(left + 50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while waiting for the next rate-limit window", e);
    }
  }
}
