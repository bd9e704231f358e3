package io.whispyrkeep.platform.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.whispyrkeep.platform.event.TimeOrderedUuid;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Publishes pending outbox rows to Kafka and marks them sent. Safe with any number of replicas: a
 * batch is claimed with {@code FOR UPDATE SKIP LOCKED} and a lease, in a short transaction of its
 * own, so no transaction stays open while Kafka is slow. A relay that dies after sending but before
 * marking leaves the lease to expire and the rows are sent again: delivery is at least once, and
 * consumers drop duplicates by event id. Failed rows wait with exponential backoff, so a Kafka
 * outage costs one attempt per row per backoff step, not a busy loop.
 *
 * <p>Rows are claimed and sent in id order. An id is the event's {@link TimeOrderedUuid}, strictly
 * increasing in the order one process creates them, and every event of a transaction is created by
 * the process that runs it: so the events of one transaction reach Kafka (and, sharing a key, one
 * partition and audit-service's hash chain) in the order the transaction created them. The id is
 * used rather than {@code created_at}, whose values can tie or step back with the clock, and rather
 * than a database sequence, which would need a migration in every service for the same result.
 * Order across replicas is only as good as their clocks, which no reader relies on.
 */
@ApplicationScoped
public class OutboxRelay {

  private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

  // Database time, not the JVM's: leases are compared across replicas. A row never attempted is
  // due at once, whatever the clock of the service that wrote it said.
  private static final String CLAIM =
      """
      UPDATE outbox SET claimed_until = now() + make_interval(secs => $1)
       WHERE id IN (SELECT id FROM outbox
                     WHERE sent_at IS NULL AND (attempts = 0 OR next_attempt_at <= now())
                       AND (claimed_until IS NULL OR claimed_until < now())
                     ORDER BY id
                     LIMIT $2
                     FOR UPDATE SKIP LOCKED)
      RETURNING id, topic, message_key, payload, attempts, created_at, trace_parent
      """;

  private static final String MARK_SENT =
      "UPDATE outbox SET sent_at = now(), claimed_until = NULL, last_error = NULL"
          + " WHERE id = ANY($1)";

  private static final String MARK_FAILED =
      """
      UPDATE outbox SET attempts = attempts + 1, claimed_until = NULL, last_error = $2,
             next_attempt_at = now() + make_interval(secs => $3)
       WHERE id = $1
      """;

  private static final String PURGE =
      "DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)";

  private final Pool pool;
  private final OutboxPublisher publisher;
  private final OutboxConfig config;
  private final Counter published;
  private final Counter failed;

  OutboxRelay(Pool pool, OutboxPublisher publisher, OutboxConfig config, MeterRegistry registry) {
    this.pool = pool;
    this.publisher = publisher;
    this.config = config;
    this.published = registry.counter("whispyrkeep.outbox.published");
    this.failed = registry.counter("whispyrkeep.outbox.failed");
  }

  @Scheduled(
      identity = "outbox-relay",
      every = "${whispyrkeep.outbox.poll-interval:1s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> poll() {
    return relayOnce()
        .onFailure()
        .recoverWithItem(
            error -> {
              LOG.warnf(error, "outbox relay poll failed");
              return 0;
            })
        .replaceWithVoid();
  }

  /** Claims one batch, publishes it and records the outcome; returns how many were sent. */
  public Uni<Integer> relayOnce() {
    return claim()
        .chain(
            rows ->
                rows.isEmpty()
                    ? Uni.createFrom().item(0)
                    : publisher.publish(rows).chain(outcomes -> record(rows, outcomes)));
  }

  private Uni<List<OutboxRow>> claim() {
    return pool.withTransaction(
            connection ->
                connection
                    .preparedQuery(CLAIM)
                    .execute(Tuple.of(config.claimLease().toSeconds(), config.batchSize())))
        .map(
            result -> {
              List<OutboxRow> rows = new ArrayList<>();
              for (Row row : result) {
                rows.add(
                    new OutboxRow(
                        row.getUUID("id"),
                        row.getString("topic"),
                        row.getString("message_key"),
                        row.getString("payload"),
                        row.getInteger("attempts"),
                        row.getString("trace_parent")));
              }
              // RETURNING has no order of its own: publish in id (creation) order, compared as
              // PostgreSQL compares uuids.
              rows.sort(Comparator.comparing(OutboxRow::id, TimeOrderedUuid.ORDER));
              return rows;
            });
  }

  private Uni<Integer> record(List<OutboxRow> rows, List<OutboxPublisher.Outcome> outcomes) {
    List<UUID> sent = new ArrayList<>();
    List<Tuple> failures = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      OutboxPublisher.Outcome outcome = outcomes.get(i);
      if (outcome.sent()) {
        sent.add(outcome.id());
      } else {
        failures.add(
            Tuple.of(outcome.id(), outcome.error(), backoffSeconds(rows.get(i).attempts())));
      }
    }
    published.increment(sent.size());
    failed.increment(failures.size());
    if (!failures.isEmpty()) {
      LOG.warnf(
          "outbox relay: %d of %d events not published, retrying later: %s",
          failures.size(), rows.size(), failures.get(0).getString(1));
    }
    Uni<Void> markSent =
        sent.isEmpty()
            ? Uni.createFrom().voidItem()
            : pool.preparedQuery(MARK_SENT)
                .execute(Tuple.tuple().addArrayOfUUID(sent.toArray(UUID[]::new)))
                .replaceWithVoid();
    Uni<Void> markFailed =
        failures.isEmpty()
            ? Uni.createFrom().voidItem()
            : pool.preparedQuery(MARK_FAILED).executeBatch(failures).replaceWithVoid();
    return markSent.chain(() -> markFailed).replaceWith(sent.size());
  }

  /** Exponential backoff from the initial wait, capped at the maximum. */
  long backoffSeconds(int attemptsSoFar) {
    long initial = Math.max(1, config.initialBackoff().toSeconds());
    long max = Math.max(initial, config.maxBackoff().toSeconds());
    int exponent = Math.min(attemptsSoFar, 20);
    return Math.min(max, initial << exponent);
  }

  @Scheduled(identity = "outbox-purge", every = "1h", delayed = "1m")
  Uni<Void> purge() {
    return pool.preparedQuery(PURGE)
        .execute(Tuple.of(config.retention().toSeconds()))
        .onFailure()
        .recoverWithItem(
            error -> {
              LOG.warnf("outbox purge failed: %s", error.toString());
              return null;
            })
        .replaceWithVoid();
  }
}
