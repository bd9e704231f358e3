package io.whispyrkeep.platform.worker;

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
 * A fixed number of worker threads with a bounded queue, for CPU-heavy crypto that must not run on
 * the event loop (argon2id hashing and RS256 signing in auth-service, the embedded transit engine's
 * AES-GCM in keyvault-service). A burst waits in the queue instead of starting unbounded work at
 * once; beyond the queue a call fails at once with the caller's "busy" failure (a 503 with
 * Retry-After, see {@link #busy(String)}).
 *
 * <p>Why not SmallRye Fault Tolerance's {@code @Bulkhead} or a Vert.x {@code WorkerExecutor}: a
 * bulkhead on a {@code Uni} method bounds how many run at once but gives the work no thread of its
 * own, and a worker executor's queue is unbounded and delivers its result onto the caller's context
 * even when that context is a worker thread blocked waiting for it (a deadlock). This class is the
 * one place in the suite with those two properties: a bounded queue, and the result delivered on
 * the caller's event-loop context (where Hibernate Reactive's session lives) or, for a caller on a
 * worker thread or none, on the thread that computed it.
 */
public final class BoundedWorkers {

  private final ThreadPoolExecutor pool;
  private final Supplier<? extends RuntimeException> whenFull;

  /**
   * @param name prefix of the thread names
   * @param threads tasks run at once (at least 1)
   * @param queueCapacity tasks waiting for a thread (at least 1); beyond it {@code whenFull}
   * @param whenFull the failure of a call refused because the queue is full (no request data)
   */
  public BoundedWorkers(
      String name, int threads, int queueCapacity, Supplier<? extends RuntimeException> whenFull) {
    AtomicInteger count = new AtomicInteger();
    int size = Math.max(1, threads);
    this.whenFull = whenFull;
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

  /** The usual "busy" failure: 503 {@code service-unavailable} with {@code Retry-After: 1}. */
  public static Supplier<ProblemException> busy(String detail) {
    return () ->
        new ProblemException(
            URI.create(ProblemType.SERVICE_UNAVAILABLE.uri().toString()),
            ProblemType.SERVICE_UNAVAILABLE.title(),
            503,
            detail,
            null,
            Map.of("Retry-After", "1"));
  }

  /** Runs the task on a worker when subscribed; the result arrives as the class Javadoc says. */
  public <T> Uni<T> submit(Supplier<T> task) {
    return onCallersContext(
        Uni.createFrom()
            .deferred(
                () -> {
                  try {
                    return Uni.createFrom()
                        .completionStage(CompletableFuture.supplyAsync(task, pool));
                  } catch (RejectedExecutionException e) {
                    return Uni.createFrom().failure(whenFull.get());
                  }
                }));
  }

  /** Tasks ever accepted (running, queued or done); approximate while tasks are being added. */
  public long tasksAccepted() {
    return pool.getTaskCount();
  }

  /** Stops the threads; tasks still queued are dropped. */
  public void shutdown() {
    pool.shutdownNow();
  }

  /**
   * {@code uni}, its result delivered on the event-loop context of whoever subscribes: a result
   * made on another thread must reach each caller where its Hibernate Reactive session lives. A
   * caller on a worker context (a blocking endpoint, which may wait for the result on its own
   * thread) or on no context gets it on whichever thread made it, so waiting cannot block its own
   * delivery.
   */
  public static <T> Uni<T> onCallersContext(Uni<T> uni) {
    return Uni.createFrom()
        .deferred(
            () -> {
              Context caller = Vertx.currentContext();
              if (caller == null || !caller.isEventLoopContext()) {
                return uni;
              }
              return uni.emitOn(command -> caller.runOnContext(ignored -> command.run()));
            });
  }
}
