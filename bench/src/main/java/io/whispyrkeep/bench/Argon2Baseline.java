package io.whispyrkeep.bench;

import io.whispyrkeep.auth.password.Argon2idPasswordHasher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The unavoidable cost of a login: argon2id verifications per second with auth-service's own hasher
 * and parameters, on as many threads as the service hashes with. Prints one line that {@code
 * bench/auth/run.sh} sets beside the measured login rate.
 *
 * <p>Usage: {@code Argon2Baseline <threads> <seconds>}
 */
public final class Argon2Baseline {

  private Argon2Baseline() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    Argon2idPasswordHasher hasher = new Argon2idPasswordHasher(19456, 2, 1);
    String hash = hasher.hash("Correct-Horse-Battery-9!".toCharArray());
    run(hasher, hash, threads, 3); // warm-up
    long[] latencies = run(hasher, hash, threads, seconds);
    Arrays.sort(latencies);
    double perSecond = latencies.length / (double) seconds;
    System.out.printf(
        "argon2id baseline: %.1f verifications/s on %d threads (m=19456 KiB, t=2, p=1);"
            + " p50 %.1f ms, p99 %.1f ms%n",
        perSecond, threads, percentile(latencies, 0.50) / 1e6, percentile(latencies, 0.99) / 1e6);
  }

  private static long[] run(Argon2idPasswordHasher hasher, String hash, int threads, int seconds)
      throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<Long>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      results.add(
          pool.submit(
              () -> {
                List<Long> times = new ArrayList<>();
                char[] password = "Correct-Horse-Battery-9!".toCharArray();
                while (System.nanoTime() < end) {
                  long start = System.nanoTime();
                  if (!hasher.verify(hash, password)) {
                    throw new IllegalStateException("baseline hash did not verify");
                  }
                  times.add(System.nanoTime() - start);
                }
                return times;
              }));
    }
    List<Long> all = new ArrayList<>();
    for (Future<List<Long>> result : results) {
      all.addAll(result.get());
    }
    pool.shutdown();
    return all.stream().mapToLong(Long::longValue).toArray();
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }
}
