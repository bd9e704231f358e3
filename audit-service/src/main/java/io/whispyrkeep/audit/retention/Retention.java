package io.whispyrkeep.audit.retention;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.whispyrkeep.audit.config.AuditConfig;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Partition upkeep and retention of the audit trail. Every run creates the current and next month's
 * partitions ahead of need and forgets alert hits older than the longest rule window; with a
 * retention period configured, it then drops, oldest first, every month whose events are all older
 * than the period. Removal happens only through the database function {@code
 * audit_drop_expired_partitions}, which refuses to cut a chain in the middle and records each
 * removed month and the anchor where each chain resumes; in the same transaction an {@code
 * audit.partition_dropped} event goes to the outbox, so the removal is itself audited.
 */
@ApplicationScoped
public class Retention {

  /** The shortest retention accepted: a month of evidence at least. */
  static final Duration MINIMUM = Duration.ofDays(30);

  private static final Logger LOG = Logger.getLogger(Retention.class);

  /** One month removed. */
  public record DroppedPartition(String partition, long rowsRemoved) {}

  private final Partitions partitions;
  private final SecurityEvents events;
  private final Clock clock;
  private final Optional<Duration> keep;
  private final Duration longestAlertWindow;
  private final Pool pool;

  Retention(
      Pool pool, Partitions partitions, SecurityEvents events, Clock clock, AuditConfig config) {
    this.partitions = partitions;
    this.events = events;
    this.clock = clock;
    this.pool = pool;
    this.keep = config.retention().keep();
    this.longestAlertWindow =
        config.alerts().values().stream()
            .map(AuditConfig.AlertRule::window)
            .max(Duration::compareTo)
            .orElse(Duration.ZERO);
    keep.filter(period -> period.compareTo(MINIMUM) < 0)
        .ifPresent(
            period -> {
              throw new IllegalStateException(
                  "whispyrkeep.audit.retention.keep must be at least 30 days, not " + period);
            });
  }

  @Scheduled(
      every = "${whispyrkeep.audit.retention.every:1h}",
      delayed = "10s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> scheduled() {
    return run()
        .onFailure()
        .invoke(e -> LOG.warnf("audit partition upkeep failed, next run retries: %s", e.toString()))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }

  /** Creates the coming partitions and drops the expired ones; returns what was dropped. */
  public Uni<List<DroppedPartition>> run() {
    OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    Uni<Void> ahead =
        partitions
            .ensure(now)
            .chain(() -> partitions.ensure(now.plusMonths(1)))
            .chain(() -> forgetOldAlertHits(now));
    if (keep.isEmpty()) {
      return ahead.replaceWith(List.of());
    }
    return ahead.chain(() -> pool.withTransaction(this::dropExpired));
  }

  /** Alert hits are working state, not evidence: only the longest rule window is ever counted. */
  private Uni<Void> forgetOldAlertHits(OffsetDateTime now) {
    return pool.preparedQuery("DELETE FROM alert_hit WHERE occurred_at < $1")
        .execute(Tuple.of(now.minus(longestAlertWindow).minusHours(1)))
        .replaceWithVoid();
  }

  /**
   * The database function judges expiry by its own clock and refuses a period under 30 days, so the
   * cutoff is never the caller's to choose.
   */
  private Uni<List<DroppedPartition>> dropExpired(SqlConnection transaction) {
    return transaction
        .preparedQuery(
            "SELECT partition_name, rows_removed, cutoff"
                + " FROM audit_drop_expired_partitions($1 * interval '1 second', $2)")
        .execute(Tuple.of(keep.orElseThrow().toSeconds(), "audit-service"))
        .chain(
            rows -> {
              List<DroppedPartition> dropped = new ArrayList<>();
              Uni<Void> recorded = Uni.createFrom().voidItem();
              for (Row row : rows) {
                DroppedPartition partition =
                    new DroppedPartition(
                        row.getString("partition_name"), row.getLong("rows_removed"));
                dropped.add(partition);
                String cutoff = cutoff(row.getValue("cutoff"));
                recorded = recorded.chain(() -> recordDropped(transaction, partition, cutoff));
              }
              return recorded.invoke(() -> dropped.forEach(this::forget)).replaceWith(dropped);
            })
        .invoke(
            dropped ->
                dropped.forEach(
                    partition ->
                        LOG.infof(
                            "retention dropped audit partition %s (%d events)",
                            partition.partition(), partition.rowsRemoved())));
  }

  private static String cutoff(Object value) {
    if (value instanceof OffsetDateTime time) {
      return time.toInstant().toString();
    }
    if (value instanceof java.time.Instant instant) {
      return instant.toString();
    }
    if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toInstant().toString();
    }
    return String.valueOf(value);
  }

  private Uni<Void> recordDropped(
      SqlConnection transaction, DroppedPartition partition, String cutoff) {
    return events
        .record(
            transaction,
            "audit.partition_dropped",
            Severity.NOTICE,
            "audit-service",
            partition.partition(),
            Map.of(
                "rowsRemoved",
                Long.toString(partition.rowsRemoved()),
                "cutoff",
                cutoff,
                "retention",
                keep.orElseThrow().toString()))
        .replaceWithVoid();
  }

  private void forget(DroppedPartition partition) {
    String suffix = partition.partition().substring("audit_event_".length());
    partitions.forget(YearMonth.parse(suffix.replace('_', '-')));
  }
}
