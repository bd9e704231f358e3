package io.whispyrkeep.auth.password;

import io.smallrye.mutiny.Uni;
import io.whispyrkeep.auth.config.AuthConfig;
import io.whispyrkeep.platform.worker.BoundedWorkers;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;

/**
 * Runs password hashing off the event loop on a small fixed pool with a bounded queue: a login
 * storm waits in the queue instead of starting hundreds of 19 MiB hashes at once, and beyond the
 * queue gets a clear 503 with Retry-After ({@link BoundedWorkers}).
 */
@ApplicationScoped
public class HashingExecutor {

  private final BoundedWorkers pool;

  HashingExecutor(AuthConfig config) {
    this.pool =
        new BoundedWorkers(
            "argon2",
            config.hashing().maxConcurrent(),
            config.hashing().queueCapacity(),
            BoundedWorkers.busy("Too many logins are being processed; retry shortly."));
  }

  /** Runs the task on the hashing pool; the Uni resumes on the caller's Vert.x context. */
  public <T> Uni<T> submit(Supplier<T> task) {
    return pool.submit(task);
  }

  /** Tasks ever accepted (running, queued or done); approximate while tasks are being added. */
  public long tasksAccepted() {
    return pool.tasksAccepted();
  }

  @PreDestroy
  void shutdown() {
    pool.shutdown();
  }
}
