package io.whispyrkeep.auth.worker;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A fixed pool of worker threads with a bounded queue, for CPU-heavy crypto that must not run on
 * the event loop (argon2id hashing, RSA signing). A burst waits in the queue instead of starting
 * unbounded work at once, and beyond the queue gets a clear 503 with Retry-After. Results come back
 * on the caller's Vert.x context, where Hibernate Reactive needs them.
 */
public final class BoundedWorkerPool {

  private final ThreadPoolExecutor pool;
  private final String busyDetail;

  /**
   * @param name prefix of the thread names
   * @param threads tasks run at once (at least 1)
   * @param queueCapacity tasks waiting for a thread (at least 1); beyond it, 503
   * @param busyDetail the problem detail of that 503 (fixed text, no request data)
   */
  public BoundedWorkerPool(String name, int threads, int queueCapacity, String busyDetail) {
    AtomicInteger count = new AtomicInteger();
    int size = Math.max(1, threads);
    this.busyDetail = busyDetail;
    this.pool =
        new ThreadPoolExecutor(
            size,
            size,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(Math.max(1, queueCapacity)),
            runnable -> {
              Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            },
            new ThreadPoolExecutor.AbortPolicy());
  }

  /**
   * Runs the task on the pool when subscribed; the Uni resumes on the caller's Vert.x context.
   * Fails with a 503 {@link ProblemException} (Retry-After: 1) when the queue is full.
   */
  public <T> Uni<T> submit(Supplier<T> task) {
    Context context = Vertx.currentContext();
    Uni<T> result =
        Uni.createFrom()
            .deferred(
                () -> {
                  try {
                    return Uni.createFrom()
                        .completionStage(CompletableFuture.supplyAsync(task, pool));
                  } catch (RejectedExecutionException e) {
                    return Uni.createFrom().failure(busy());
                  }
                });
    if (context == null) {
      return result;
    }
    return result.emitOn(command -> context.runOnContext(ignored -> command.run()));
  }

  /** Tasks ever accepted (running, queued or done); approximate while tasks are being added. */
  public long tasksAccepted() {
    return pool.getTaskCount();
  }

  /** Stops the threads; tasks still queued are dropped. */
  public void shutdown() {
    pool.shutdownNow();
  }

  private ProblemException busy() {
    return new ProblemException(
        URI.create(ProblemType.SERVICE_UNAVAILABLE.uri().toString()),
        ProblemType.SERVICE_UNAVAILABLE.title(),
        503,
        busyDetail,
        null,
        Map.of("Retry-After", "1"));
  }
}
