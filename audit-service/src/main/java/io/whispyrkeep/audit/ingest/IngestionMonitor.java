package io.whispyrkeep.audit.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.whispyrkeep.audit.alert.AlertEvaluator;
import io.whispyrkeep.audit.config.AuditConfig;
import io.whispyrkeep.platform.event.SecurityEvent;
import io.whispyrkeep.platform.event.SecurityEventFactory;
import io.whispyrkeep.platform.event.SecurityEventTopics;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.event.TimeOrderedUuid;
import io.whispyrkeep.platform.outbox.OutboxPublisher;
import io.whispyrkeep.platform.outbox.OutboxRow;
import io.whispyrkeep.platform.outbox.OutboxSql;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Makes a stalled ingestion loud. A batch that stays unstored (retried, or hanging) for longer than
 * {@code whispyrkeep.audit.ingest.stall-alert-after} raises one {@code ingestion-stalled} alert per
 * stall: published at once on {@code security.alerts} (directly, since the database may be what is
 * down) and stored in the alert table as soon as the database takes it, with an {@code
 * audit.ingestion_stalled} event in the trail. The age of the batch in flight is the gauge {@code
 * whispyrkeep_audit_ingest_batch_age_seconds}, {@code whispyrkeep_audit_ingest_stalled} is 1 while
 * stalled, and readiness reports the stall ({@link IngestionHealthCheck}).
 */
@ApplicationScoped
public class IngestionMonitor {

  /** Name of the alert (and health check) for a stalled ingestion. */
  public static final String STALL_RULE = "ingestion-stalled";

  private static final Logger LOG = Logger.getLogger(IngestionMonitor.class);

  private final Clock clock;
  private final Duration stallAfter;
  private final OutboxPublisher publisher;
  private final AlertEvaluator alerts;
  private final SecurityEventFactory events;
  private final ObjectMapper mapper;
  private final Pool pool;
  private final AtomicReference<Instant> inFlightSince = new AtomicReference<>();
  private final AtomicLong failures = new AtomicLong();

  /** The current stall's alert, until it is stored; null when none is pending. */
  private final AtomicReference<AlertEvaluator.Alert> unstored = new AtomicReference<>();

  /** The stall an alert was raised for (its start), so each stall alerts once. */
  private final AtomicReference<Instant> alertedFor = new AtomicReference<>();

  IngestionMonitor(
      Clock clock,
      AuditConfig config,
      OutboxPublisher publisher,
      AlertEvaluator alerts,
      SecurityEventFactory events,
      ObjectMapper mapper,
      Pool pool,
      MeterRegistry registry) {
    this.clock = clock;
    this.stallAfter = config.ingest().stallAlertAfter();
    this.publisher = publisher;
    this.alerts = alerts;
    this.events = events;
    this.mapper = mapper;
    this.pool = pool;
    registry.gauge(
        "whispyrkeep.audit.ingest.batch.age.seconds", this, m -> m.age().toMillis() / 1000.0);
    registry.gauge("whispyrkeep.audit.ingest.stalled", this, m -> m.isStalled() ? 1 : 0);
  }

  void batchStarted() {
    inFlightSince.set(clock.instant());
    failures.set(0);
  }

  void storeFailed() {
    failures.incrementAndGet();
  }

  void batchFinished() {
    Instant since = inFlightSince.getAndSet(null);
    if (since != null && since.equals(alertedFor.get())) {
      LOG.infof("audit ingestion resumed after %s", Duration.between(since, clock.instant()));
    }
  }

  /** How long the batch in flight has been unstored; zero when idle. */
  public Duration age() {
    Instant since = inFlightSince.get();
    return since == null ? Duration.ZERO : Duration.between(since, clock.instant());
  }

  /** True while a batch has been unstored for longer than the stall limit. */
  public boolean isStalled() {
    return age().compareTo(stallAfter) > 0;
  }

  /** When the batch in flight started, or null when idle. */
  Instant inFlightSince() {
    return inFlightSince.get();
  }

  /** Raises the alert of a new stall, and stores a pending one once the database takes it. */
  @Scheduled(
      every = "${whispyrkeep.audit.ingest.stall-check-every:10s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> check() {
    Instant since = inFlightSince.get();
    if (since != null && isStalled() && !since.equals(alertedFor.get())) {
      alertedFor.set(since);
      return raise(since).chain(this::storePending);
    }
    return storePending();
  }

  private Uni<Void> raise(Instant since) {
    Duration age = Duration.between(since, clock.instant());
    SecurityEvent event =
        events.create(
            "audit.ingestion_stalled",
            Severity.CRITICAL,
            null,
            SecurityEventTopics.SECURITY_EVENTS,
            Map.of(
                "since", since.toString(),
                "failures", Long.toString(failures.get())));
    AlertEvaluator.Alert alert =
        new AlertEvaluator.Alert(
            TimeOrderedUuid.next(clock),
            STALL_RULE,
            SecurityEventTopics.SECURITY_EVENTS,
            Severity.CRITICAL,
            OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC),
            event.id(),
            (int) Math.min(Integer.MAX_VALUE, failures.get()),
            "no batch of security events stored for "
                + age.toSeconds()
                + " s ("
                + failures.get()
                + " failed attempts)");
    LOG.errorf("audit ingestion stalled: %s", alert.summary());
    String payload;
    try {
      payload = alerts.json(alert);
    } catch (Exception e) {
      return Uni.createFrom().failure(e);
    }
    pendingEvent.set(event);
    unstored.set(alert);
    return publisher
        .publish(
            List.of(
                new OutboxRow(
                    alert.id(),
                    SecurityEventTopics.SECURITY_ALERTS,
                    alert.group(),
                    payload,
                    0,
                    null)))
        .invoke(
            outcomes ->
                outcomes.stream()
                    .filter(outcome -> !outcome.sent())
                    .forEach(
                        outcome -> LOG.errorf("stall alert not published: %s", outcome.error())))
        .replaceWithVoid();
  }

  private final AtomicReference<SecurityEvent> pendingEvent = new AtomicReference<>();

  private Uni<Void> storePending() {
    AlertEvaluator.Alert alert = unstored.get();
    SecurityEvent event = pendingEvent.get();
    if (alert == null || event == null) {
      return Uni.createFrom().voidItem();
    }
    String payload;
    try {
      payload = mapper.writeValueAsString(event);
    } catch (Exception e) {
      return Uni.createFrom().failure(e);
    }
    return pool.withTransaction(
            connection ->
                alerts
                    .store(connection, alert)
                    .chain(
                        () ->
                            OutboxSql.insert(
                                connection,
                                event.id(),
                                SecurityEventTopics.SECURITY_EVENTS,
                                event.partitionKey(),
                                payload,
                                clock.instant())))
        .invoke(() -> unstored.compareAndSet(alert, null))
        .onFailure()
        .invoke(e -> LOG.warnf("stall alert not stored yet: %s", e.getClass().getSimpleName()))
        .onFailure()
        .recoverWithNull();
  }
}
