package io.whispyrkeep.keyvault.custody;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.whispyrkeep.platform.worker.BoundedWorkers;
import java.util.function.Supplier;

/**
 * Runs the embedded engine's database work on a fresh duplicated Vert.x context, so it opens its
 * own Hibernate Reactive session and transaction instead of joining the caller's: engine calls may
 * run at once from one request, from a caller's transaction, or from a thread with no Vert.x
 * context at all (tests, start-up), and their reads are never stale from a caller's session. The
 * result comes back on the caller's context when there is one.
 */
final class IsolatedContext {

  private final Vertx vertx;

  IsolatedContext(Vertx vertx) {
    this.vertx = vertx;
  }

  <T> Uni<T> run(Supplier<Uni<T>> work) {
    return onCallersContext(
        Uni.createFrom()
            .emitter(
                emitter -> {
                  Context fresh =
                      VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
                  // Marked safe for Hibernate Reactive, as VertxContextSupport marks its contexts.
                  VertxContextSafetyToggle.setContextSafe(fresh, true);
                  fresh.runOnContext(
                      ignored -> {
                        Uni<T> uni;
                        try {
                          uni = work.get();
                        } catch (RuntimeException e) {
                          emitter.fail(e);
                          return;
                        }
                        uni.subscribe().with(emitter::complete, emitter::fail);
                      });
                }));
  }

  /** {@code uni}, its result delivered as {@link BoundedWorkers#onCallersContext} says. */
  static <T> Uni<T> onCallersContext(Uni<T> uni) {
    return BoundedWorkers.onCallersContext(uni);
  }
}
