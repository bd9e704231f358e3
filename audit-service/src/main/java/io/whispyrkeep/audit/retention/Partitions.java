package io.whispyrkeep.audit.retention;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes sure the month partition of the audit trail exists before rows are stored in it. Creation
 * is idempotent and serialised in the database ({@code audit_ensure_partition}); a month is
 * remembered only once its partition is committed, so a rolled-back batch never leaves the cache
 * believing in a partition that does not exist.
 */
@ApplicationScoped
public class Partitions {

  private final Pool pool;
  private final Set<YearMonth> ensured = ConcurrentHashMap.newKeySet();

  Partitions(Pool pool) {
    this.pool = pool;
  }

  /** Ensures the partition holding {@code at} exists (its own statement, committed at once). */
  public Uni<Void> ensure(OffsetDateTime at) {
    YearMonth month = YearMonth.from(at.withOffsetSameInstant(ZoneOffset.UTC));
    if (ensured.contains(month)) {
      return Uni.createFrom().voidItem();
    }
    return pool.preparedQuery("SELECT audit_ensure_partition($1)")
        .execute(Tuple.of(at))
        .invoke(() -> ensured.add(month))
        .replaceWithVoid();
  }

  /** Forgets a month whose partition retention dropped. */
  void forget(YearMonth month) {
    ensured.remove(month);
  }
}
