package io.whispyrkeep.platform.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.whispyrkeep.platform.problem.ProblemException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bounded worker pool: a full queue refuses at once with the caller's 503; work runs off-loop.
 */
class BoundedWorkersTest {

  private final BoundedWorkers pool =
      new BoundedWorkers("test", 1, 1, BoundedWorkers.busy("Busy; retry."));

  @AfterEach
  void stop() {
    pool.shutdown();
  }

  @Test
  void submit_threadAndQueueFull_fails503WithRetryAfter() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    CompletableFuture<String> first =
        pool.submit(
                () -> {
                  running.countDown();
                  await(release);
                  return "first";
                })
            .subscribeAsCompletionStage();
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> queued = pool.submit(() -> "queued").subscribeAsCompletionStage();

    assertThatThrownBy(() -> pool.submit(() -> "refused").await().atMost(Duration.ofSeconds(10)))
        .isInstanceOfSatisfying(
            ProblemException.class,
            problem -> {
              assertThat(problem.status()).isEqualTo(503);
              assertThat(problem.headers()).containsEntry("Retry-After", "1");
              assertThat(problem.getMessage()).isEqualTo("Busy; retry.");
            });

    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
    assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("queued");
  }

  @Test
  void submit_task_runsOnAWorkerThreadNamedAfterThePool() {
    String thread =
        pool.submit(() -> Thread.currentThread().getName()).await().atMost(Duration.ofSeconds(10));

    assertThat(thread).startsWith("test-");
  }

  @Test
  void submit_fromAnEventLoopContext_resultArrivesBackOnThatContext() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Context caller = vertx.getOrCreateContext();
      CompletableFuture<Boolean> onCaller = new CompletableFuture<>();
      caller.runOnContext(
          ignored ->
              pool.submit(() -> Thread.currentThread().getName())
                  .subscribe()
                  .with(
                      worker ->
                          onCaller.complete(
                              worker.startsWith("test-") && Vertx.currentContext() == caller),
                      onCaller::completeExceptionally));
      assertThat(onCaller.get(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
