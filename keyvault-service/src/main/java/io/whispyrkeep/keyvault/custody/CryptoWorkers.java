package io.whispyrkeep.keyvault.custody;

import io.smallrye.mutiny.Uni;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The embedded engine's crypto threads: a fixed pool with a bounded queue, so crypto never runs on
 * the event loop and a burst waits instead of starting unbounded work. Beyond the queue a call
 * fails with {@link CustodyUnavailableException} (503). Results come back on the caller's Vert.x
 * context, where Hibernate Reactive needs them.
 */
final class CryptoWorkers {

  private final ThreadPoolExecutor pool;

  CryptoWorkers(int threads, int queueCapacity) {
    AtomicInteger count = new AtomicInteger();
    int size = Math.max(1, threads);
    this.pool =
        new ThreadPoolExecutor(
            size,
            size,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(Math.max(1, queueCapacity)),
            runnable -> {
              Thread thread = new Thread(runnable, "transit-crypto-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            },
            new ThreadPoolExecutor.AbortPolicy());
  }

  /** Runs the task on the pool when subscribed; the Uni resumes on the caller's Vert.x context. */
  <T> Uni<T> submit(Supplier<T> task) {
    return IsolatedContext.onCallersContext(
        Uni.createFrom()
            .deferred(
                () -> {
                  try {
                    return Uni.createFrom()
                        .completionStage(CompletableFuture.supplyAsync(task, pool));
                  } catch (RejectedExecutionException e) {
                    return Uni.createFrom()
                        .failure(
                            new CustodyUnavailableException(
                                "too many custody operations are waiting; retry shortly"));
                  }
                }));
  }

  void shutdown() {
    pool.shutdownNow();
  }
}
