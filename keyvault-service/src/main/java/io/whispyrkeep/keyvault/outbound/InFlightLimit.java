package io.whispyrkeep.keyvault.outbound;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts operations in flight per key (a player, a host) and in all, and refuses one more at once
 * when either bound is reached instead of queueing it: what keeps one caller from taking every slot
 * of a shared resource. Every successful {@link #tryAcquire} must be paired with one {@link
 * #release} of the same key. Thread-safe; keys with nothing in flight take no memory.
 */
public final class InFlightLimit {

  private final int maxPerKey;
  private final int maxInAll;
  private final AtomicInteger inAll = new AtomicInteger();
  private final Map<String, Integer> perKey = new ConcurrentHashMap<>();

  /** A limit of {@code maxPerKey} per key and {@code maxInAll} in all, both at least 1. */
  public InFlightLimit(int maxPerKey, int maxInAll) {
    if (maxPerKey < 1 || maxInAll < 1) {
      throw new IllegalArgumentException("in-flight bounds must be positive");
    }
    this.maxPerKey = maxPerKey;
    this.maxInAll = maxInAll;
  }

  /** Counts one more operation for {@code key} unless a bound is reached; true when counted. */
  public boolean tryAcquire(String key) {
    if (inAll.incrementAndGet() > maxInAll) {
      inAll.decrementAndGet();
      return false;
    }
    boolean[] acquired = {false};
    perKey.compute(
        key,
        (k, count) -> {
          int current = count == null ? 0 : count;
          if (current >= maxPerKey) {
            return count;
          }
          acquired[0] = true;
          return current + 1;
        });
    if (!acquired[0]) {
      inAll.decrementAndGet();
    }
    return acquired[0];
  }

  /** Ends one operation of {@code key} counted by {@link #tryAcquire}. */
  public void release(String key) {
    perKey.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
    inAll.decrementAndGet();
  }
}
