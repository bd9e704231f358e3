package io.whispyrkeep.platform.event;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * UUID version 7 (RFC 9562 section 5.7): 48 bits of Unix milliseconds, then random bits, so ids
 * sort by creation time and index well, and still cannot be guessed.
 */
public final class TimeOrderedUuid {

  private static final SecureRandom RANDOM = new SecureRandom();

  private TimeOrderedUuid() {}

  public static UUID next(Clock clock) {
    long millis = clock.millis();
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    long high = (millis & 0xFFFF_FFFF_FFFFL) << 16;
    high |= 0x7000L; // version 7
    high |= ((random[0] & 0x0FL) << 8) | (random[1] & 0xFFL);
    long low = 0x8000_0000_0000_0000L; // IETF variant
    low |= ((random[2] & 0x3FL) << 56);
    for (int i = 3; i < 10; i++) {
      low |= (random[i] & 0xFFL) << (8 * (9 - i));
    }
    return new UUID(high, low);
  }
}
