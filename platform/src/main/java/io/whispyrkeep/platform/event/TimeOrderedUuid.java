package io.whispyrkeep.platform.event;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.time.Clock;
import java.util.Comparator;
import java.util.UUID;

/**
 * UUID version 7 (RFC 9562 section 5.7): 48 bits of Unix milliseconds, then 74 bits that are random
 * for the first id of a millisecond and counted up by one for each further id in it (RFC 9562
 * section 6.2, method 1, through JUG's {@link TimeBasedEpochGenerator}). Ids made in one process
 * are therefore strictly increasing in the order they are made, across threads too, so sorting by
 * id (as {@code OutboxRelay} does) keeps the order in which one transaction created its events; ids
 * still index well and the first of each millisecond cannot be guessed. Ids are not secrets:
 * consumers use them only to drop duplicates, and only signed events are accepted.
 *
 * <p>A clock that steps back (NTP, a leap-second smear) by at most {@link
 * #DEFAULT_CLOCK_DRIFT_TOLERANCE_MILLIS} does not break the order: ids keep the last timestamp and
 * count on, as RFC 9562 section 6.2 asks. A bigger step back (an operator's correction, a test that
 * sets its clock to the past) is taken as the new time, so ids never run far ahead of the clock
 * they are read from.
 */
public final class TimeOrderedUuid {

  /**
   * How far the clock may step back and still be ignored, in milliseconds: 10 s, the tolerance
   * uuid-creator uses for the same purpose, well above NTP's usual slews and below any test clock
   * jump.
   */
  public static final long DEFAULT_CLOCK_DRIFT_TOLERANCE_MILLIS = 10_000;

  /**
   * The order PostgreSQL gives {@code uuid} values (unsigned, byte by byte), which is creation
   * order for ids made here. {@link UUID#compareTo} compares signed halves and disagrees with it on
   * ids whose first bit is set.
   */
  public static final Comparator<UUID> ORDER =
      Comparator.comparing(UUID::getMostSignificantBits, Long::compareUnsigned)
          .thenComparing(UUID::getLeastSignificantBits, Long::compareUnsigned);

  // One generator per process: its counter is what makes ids of one millisecond increase.
  private static final TimeBasedEpochGenerator GENERATOR = Generators.timeBasedEpochGenerator();

  private static long lastMillis = Long.MIN_VALUE;

  private TimeOrderedUuid() {}

  /**
   * The next id, stamped with the clock's current millisecond (or the last one used, after a small
   * step back). Greater than every id this process made before, unless the clock stepped back by
   * more than the tolerance.
   */
  public static UUID next(Clock clock) {
    long now = clock.millis();
    // The lock spans choosing the timestamp and generating, so the order ids are handed out in is
    // the order of their values, whichever thread asks.
    synchronized (TimeOrderedUuid.class) {
      long millis =
          now < lastMillis && lastMillis - now <= DEFAULT_CLOCK_DRIFT_TOLERANCE_MILLIS
              ? lastMillis
              : now;
      lastMillis = millis;
      return GENERATOR.construct(millis);
    }
  }
}
