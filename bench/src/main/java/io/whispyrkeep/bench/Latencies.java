package io.whispyrkeep.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The latencies of one benchmark row's successful requests, its failed ones, and how long it ran:
 * throughput and percentiles in one place for the benches that print them side by side with their
 * baseline.
 */
final class Latencies {

  final List<Long> latenciesNanos = Collections.synchronizedList(new ArrayList<>());
  int errors;
  int seconds;

  /** {@code a} with {@code b}'s figures added ({@code b} when {@code a} is null). */
  static Latencies merge(Latencies a, Latencies b) {
    if (a == null) {
      return b;
    }
    a.latenciesNanos.addAll(b.latenciesNanos);
    a.errors += b.errors;
    a.seconds += b.seconds;
    return a;
  }

  /** The {@code p}-th percentile in milliseconds (nearest rank); NaN when nothing succeeded. */
  double percentile(int p) {
    List<Long> sorted = new ArrayList<>(latenciesNanos);
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    Collections.sort(sorted);
    int index = Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1);
    return sorted.get(Math.max(0, index)) / 1_000_000.0;
  }

  /** One row: concurrency, path, requests/s, p50 and p99 in ms, errors. */
  void print(int concurrency, String path) {
    System.out.printf(
        "%-12d %-8s %10.1f %10.2f %10.2f %10d%n",
        concurrency,
        path,
        latenciesNanos.size() / (double) seconds,
        percentile(50),
        percentile(99),
        errors);
  }
}
