package io.whispyrkeep.keyvault.rotation;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.UUID;

/** Rewrap runs: the one running (at most one, by a unique index) and the latest. */
@ApplicationScoped
public class RewrapRunRepository implements PanacheRepositoryBase<RewrapRun, UUID> {

  /** The running run, row-locked until the transaction ends, or null. */
  public Uni<RewrapRun> findRunningForUpdate() {
    return find("state", RewrapRun.RUNNING).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
  }

  public Uni<RewrapRun> findLatest() {
    return find("order by startedAt desc, id desc").firstResult();
  }

  /**
   * Renews {@code worker}'s lease on a running run; false when the run is no longer this worker's
   * (another replica took it over) or no longer running.
   */
  public Uni<Boolean> renewLease(UUID runId, String worker, Instant now, Instant until) {
    return update(
            "leaseUntil = ?1, updatedAt = ?2 where id = ?3 and worker = ?4 and state = ?5",
            until,
            now,
            runId,
            worker,
            RewrapRun.RUNNING)
        .map(count -> count == 1);
  }

  /** Adds {@code count} rewrapped rows to the run's progress, if {@code worker} still holds it. */
  public Uni<Boolean> addProgress(UUID runId, String worker, int count, Instant now) {
    return update(
            "rewrapped = rewrapped + ?1, updatedAt = ?2 where id = ?3 and worker = ?4 and state = ?5",
            count,
            now,
            runId,
            worker,
            RewrapRun.RUNNING)
        .map(updated -> updated == 1);
  }
}
