package io.whispyrkeep.platform.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Ids made by one process sort in the order they were made. Each test uses a fixed clock hours away
 * from the others' (and from real time), so the generator's memory of the last timestamp, shared by
 * the whole JVM, never links two tests.
 */
class TimeOrderedUuidTest {

  private static Clock fixedAt(String instant) {
    return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
  }

  private static long millisOf(UUID id) {
    return id.getMostSignificantBits() >>> 16;
  }

  @Test
  void next_manyIdsInOneMillisecond_strictlyIncreasingVersion7() {
    Clock clock = fixedAt("2031-01-01T00:00:00Z");

    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(TimeOrderedUuid.next(clock));
    }

    assertThat(ids).isSortedAccordingTo(TimeOrderedUuid.ORDER).doesNotHaveDuplicates();
    assertThat(ids).allSatisfy(id -> assertThat(id.version()).isEqualTo(7));
    assertThat(ids).allSatisfy(id -> assertThat(id.variant()).isEqualTo(2));
    assertThat(ids).allSatisfy(id -> assertThat(millisOf(id)).isEqualTo(clock.millis()));
  }

  @Test
  void next_manyThreadsInOneMillisecond_eachThreadIncreasingAndAllDistinct() throws Exception {
    Clock clock = fixedAt("2031-01-02T00:00:00Z");
    int threads = 8;
    int perThread = 5_000;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<UUID>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Callable<List<UUID>> task =
            () -> {
              start.await();
              List<UUID> ids = new ArrayList<>(perThread);
              for (int i = 0; i < perThread; i++) {
                ids.add(TimeOrderedUuid.next(clock));
              }
              return ids;
            };
        results.add(pool.submit(task));
      }
      start.countDown();

      Set<UUID> all = new HashSet<>();
      for (Future<List<UUID>> result : results) {
        List<UUID> ids = result.get();
        assertThat(ids).isSortedAccordingTo(TimeOrderedUuid.ORDER).doesNotHaveDuplicates();
        all.addAll(ids);
      }
      assertThat(all).hasSize(threads * perThread);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void next_laterMillisecond_sortsAfterEveryIdOfTheEarlierOne() {
    Clock clock = fixedAt("2031-01-03T00:00:00Z");
    List<UUID> earlier = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      earlier.add(TimeOrderedUuid.next(clock));
    }

    UUID later = TimeOrderedUuid.next(Clock.offset(clock, Duration.ofMillis(1)));

    assertThat(earlier)
        .allSatisfy(
            id ->
                assertThat(TimeOrderedUuid.ORDER.compare(id, later)) //
                    .isNegative());
    assertThat(millisOf(later)).isEqualTo(clock.millis() + 1);
  }

  @Test
  void next_clockStepsBackWithinTolerance_stillIncreasingOnTheLastTimestamp() {
    Clock clock = fixedAt("2031-01-04T00:00:00Z");
    UUID before = TimeOrderedUuid.next(clock);

    UUID after = TimeOrderedUuid.next(Clock.offset(clock, Duration.ofSeconds(-5)));

    assertThat(TimeOrderedUuid.ORDER.compare(before, after)).isNegative();
    assertThat(millisOf(after)).isEqualTo(clock.millis());
  }

  @Test
  void next_clockStepsBackBeyondTolerance_followsTheClock() {
    Clock clock = fixedAt("2031-01-05T00:00:00Z");
    TimeOrderedUuid.next(clock);
    Clock past = Clock.offset(clock, Duration.ofHours(-1));

    UUID after = TimeOrderedUuid.next(past);

    assertThat(millisOf(after)).isEqualTo(past.millis());
  }

  @Test
  void order_idWithFirstBitSet_sortsAsPostgresqlDoesAfterSmallerBytes() {
    UUID low = UUID.fromString("7fffffff-ffff-7fff-bfff-ffffffffffff");
    UUID high = UUID.fromString("80000000-0000-7000-8000-000000000000");

    assertThat(TimeOrderedUuid.ORDER.compare(low, high)).isNegative();
    assertThat(low.compareTo(high)).as("the JDK's signed order disagrees").isPositive();
  }
}
