package io.whispyrkeep.testsupport.time;

import java.time.Clock;
import java.time.Duration;
import org.awaitility.Awaitility;

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
   * clock} (the clock the service under test counts with); otherwise waits until the next window
   * has begun.
   */
  public static void awaitRoom(Clock clock, Duration window, Duration room) {
    Awaitility.await("at least " + room + " left in the current rate-limit window")
        .atMost(room.plusSeconds(5))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> left(clock, window) >= room.toMillis());
  }

  private static long left(Clock clock, Duration window) {
    long windowMillis = window.toMillis();
    return windowMillis - Math.floorMod(clock.millis(), windowMillis);
  }
}
