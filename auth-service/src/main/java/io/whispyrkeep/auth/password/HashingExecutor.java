package io.whispyrkeep.auth.password;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.whispyrkeep.auth.config.AuthConfig;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
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
 * Runs password hashing off the event loop on a small fixed pool with a bounded queue: a login
 * storm waits in the queue instead of starting hundreds of 19 MiB hashes at once, and beyond the
 * queue gets a clear 503 with Retry-After. Results come back on the caller's Vert.x context, where
 * Hibernate Reactive needs them.
 */
@ApplicationScoped
public class HashingExecutor {

  private final ThreadPoolExecutor pool;

  HashingExecutor(AuthConfig config) {
    AtomicInteger threads = new AtomicInteger();
    int size = Math.max(1, config.hashing().maxConcurrent());
    this.pool =
        new ThreadPoolExecutor(
            size,
            size,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(Math.max(1, config.hashing().queueCapacity())),
            runnable -> {
              Thread thread = new Thread(runnable, "argon2-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            },
            new ThreadPoolExecutor.AbortPolicy());
  }

  /** Runs the task on the hashing pool; the Uni resumes on the caller's Vert.x context. */
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
                    return Uni.createFrom().failure(overloaded());
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

  private static ProblemException overloaded() {
    return new ProblemException(
        URI.create(ProblemType.SERVICE_UNAVAILABLE.uri().toString()),
        ProblemType.SERVICE_UNAVAILABLE.title(),
        503,
        "Too many logins are being processed; retry shortly.",
        null,
        Map.of("Retry-After", "1"));
  }

  @PreDestroy
  void shutdown() {
    pool.shutdownNow();
  }
}
