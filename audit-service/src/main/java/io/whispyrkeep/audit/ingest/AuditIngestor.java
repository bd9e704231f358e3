package io.whispyrkeep.audit.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.whispyrkeep.audit.alert.AlertEvaluator;
import io.whispyrkeep.audit.chain.ChainHasher;
import io.whispyrkeep.audit.ingest.RecordValidator.Accepted;
import io.whispyrkeep.audit.ingest.RecordValidator.Checked;
import io.whispyrkeep.audit.ingest.RecordValidator.Rejected;
import io.whispyrkeep.audit.retention.Partitions;
import io.whispyrkeep.platform.db.SqlStates;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Stores every security event from Kafka, once, in its partition's hash chain, and accounts for
 * every offset consumed. Each record of a batch is checked ({@link RecordValidator}); valid events
 * are appended in one database transaction together with the offset ledger, the alert rules and an
 * {@code audit.dead_letter} event for each record that can never be stored. A record PostgreSQL
 * refuses (SQLSTATE class 22 or 23) does not hold up the rest: the transaction is replayed with a
 * savepoint around each row, the refused row is left out of its chain (sequence numbers stay
 * contiguous) and dead-lettered. Any other failure is retried with backoff, without re-sending the
 * batch's dead letters, and a batch unstored for longer than the stall limit raises an alert
 * ({@link IngestionMonitor}).
 *
 * <p>The batch is acknowledged, and its offsets committed, only after the transaction commits and
 * its dead letters are acknowledged: a crash before that replays the batch, event ids already
 * stored are skipped and offsets already in the ledger are not counted again, so nothing is lost
 * and nothing is stored twice (a dead letter may be sent twice).
 */
@ApplicationScoped
public class AuditIngestor {

  private static final Logger LOG = Logger.getLogger(AuditIngestor.class);

  /** Longest message value copied to the dead-letter topic; the rest stays on security.events. */
  static final int MAX_DEAD_LETTER_CHARS = 256 * 1024;

  private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final Pool pool;
  private final ObjectMapper mapper;
  private final RecordValidator validator;
  private final MutinyEmitter<String> deadLetters;
  private final Clock clock;
  private final MeterRegistry registry;
  private final AlertEvaluator alerts;
  private final Partitions partitions;
  private final OffsetLedger ledger;
  private final SecurityEvents securityEvents;
  private final IngestionMonitor monitor;

  AuditIngestor(
      Pool pool,
      ObjectMapper mapper,
      RecordValidator validator,
      @Channel(AuditChannels.DEAD_LETTERS) MutinyEmitter<String> deadLetters,
      Clock clock,
      MeterRegistry registry,
      AlertEvaluator alerts,
      Partitions partitions,
      OffsetLedger ledger,
      SecurityEvents securityEvents,
      IngestionMonitor monitor) {
    this.pool = pool;
    this.mapper = mapper;
    this.validator = validator;
    this.deadLetters = deadLetters;
    this.clock = clock;
    this.registry = registry;
    this.alerts = alerts;
    this.partitions = partitions;
    this.ledger = ledger;
    this.securityEvents = securityEvents;
    this.monitor = monitor;
  }

  /** A poll's records, checked: valid events, refused records, and every offset by partition. */
  record Batch(
      List<Accepted> accepted, List<Rejected> rejected, Map<Integer, List<Long>> offsets) {}

  /** What one committed transaction did with a batch. */
  record Outcome(List<Rejected> deadLetters, int stored, int duplicates) {}

  /** What the appends of one transaction found, filled in as they run. */
  private static final class Appended {
    final List<JsonNode> stored = new ArrayList<>();
    final List<Accepted> duplicates = new ArrayList<>();
    final List<Rejected> refused = new ArrayList<>();
  }

  /**
   * Checking, canonical JSON and hashing are CPU work: they run on a worker thread (one batch at a
   * time, since the consumer waits for each), never on the event loop.
   */
  @Incoming(AuditChannels.SECURITY_EVENTS)
  public Uni<Void> consume(ConsumerRecords<String, String> records) {
    return Uni.createFrom()
        .item(() -> check(records))
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
        .invoke(monitor::batchStarted)
        .chain(this::storeRetrying)
        .chain(outcome -> sendDeadLetters(outcome.deadLetters()))
        .onTermination()
        .invoke(monitor::batchFinished);
  }

  private Batch check(ConsumerRecords<String, String> records) {
    Instant now = clock.instant();
    List<Accepted> accepted = new ArrayList<>();
    List<Rejected> rejected = new ArrayList<>();
    Map<Integer, List<Long>> offsets = new TreeMap<>();
    for (ConsumerRecord<String, String> record : records) {
      offsets.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.offset());
      Checked checked = validator.check(record, now);
      if (checked instanceof Accepted valid) {
        accepted.add(valid);
      } else {
        rejected.add((Rejected) checked);
      }
    }
    offsets.values().forEach(list -> list.sort(null));
    return new Batch(accepted, rejected, offsets);
  }

  /**
   * Stores the batch until it commits: a data error switches to isolating the refused rows; any
   * other failure is retried with backoff (the whole transaction, which is idempotent).
   */
  private Uni<Outcome> storeRetrying(Batch batch) {
    return Uni.createFrom()
        .deferred(() -> storeOnce(batch))
        .onFailure()
        .invoke(
            e -> {
              registry.counter("whispyrkeep.audit.store_retries").increment();
              monitor.storeFailed();
              // A PostgreSQL message may quote the refused values: only its SQLSTATE is logged.
              String state = SqlStates.of(e);
              LOG.warnf(
                  "audit batch not stored, retrying: %s",
                  state == null ? e.toString() : "SQLSTATE " + state);
            })
        .onFailure()
        .retry()
        .withBackOff(FIRST_BACKOFF, MAX_BACKOFF)
        .indefinitely()
        .invoke(
            outcome -> {
              registry.counter("whispyrkeep.audit.stored").increment(outcome.stored());
              registry.counter("whispyrkeep.audit.duplicates").increment(outcome.duplicates());
            });
  }

  private Uni<Outcome> storeOnce(Batch batch) {
    OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    return partitions
        .ensure(now)
        .chain(() -> inTransaction(connection -> write(connection, batch, now, false)))
        .onFailure(StorageErrors::isDataError)
        .recoverWithUni(
            e -> {
              LOG.warnf(
                  "audit batch refused by the database (SQLSTATE %s): storing it row by row",
                  SqlStates.of(e));
              return inTransaction(connection -> write(connection, batch, now, true));
            });
  }

  /**
   * Runs {@code work} in a transaction on one connection, begun and ended by hand so that
   * savepoints can recover from a refused row (the pool's managed transactions roll back on any
   * failure).
   */
  private <T> Uni<T> inTransaction(java.util.function.Function<SqlConnection, Uni<T>> work) {
    return pool.withConnection(
        connection ->
            connection
                .query("BEGIN")
                .execute()
                .chain(() -> work.apply(connection))
                .call(() -> connection.query("COMMIT").execute())
                .onFailure()
                .call(() -> connection.query("ROLLBACK").execute().onFailure().recoverWithNull()));
  }

  private Uni<Outcome> write(
      SqlConnection connection, Batch batch, OffsetDateTime now, boolean isolate) {
    Map<Integer, List<Accepted>> byPartition = new TreeMap<>();
    for (Accepted event : batch.accepted()) {
      byPartition.computeIfAbsent(event.partition(), p -> new ArrayList<>()).add(event);
    }
    Appended appended = new Appended();
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (Map.Entry<Integer, List<Accepted>> partition : byPartition.entrySet()) {
      chain =
          chain.chain(
              () ->
                  append(
                      connection,
                      partition.getKey(),
                      partition.getValue(),
                      now,
                      isolate,
                      appended));
    }
    return chain
        .chain(() -> ledger.coverage(connection, batch.offsets()))
        .chain(
            coverage -> {
              List<Rejected> dead = new ArrayList<>(batch.rejected());
              dead.addAll(appended.refused);
              List<OffsetLedger.Skip> skips = new ArrayList<>();
              List<Rejected> newDead = new ArrayList<>();
              for (Accepted duplicate : appended.duplicates) {
                if (!coverage.covers(duplicate.partition(), duplicate.record().offset())) {
                  skips.add(
                      new OffsetLedger.Skip(
                          duplicate.partition(),
                          duplicate.record().offset(),
                          OffsetLedger.Skip.DUPLICATE,
                          duplicate.id(),
                          null));
                }
              }
              for (Rejected letter : dead) {
                ConsumerRecord<String, String> record = letter.record();
                if (!coverage.covers(record.partition(), record.offset())) {
                  newDead.add(letter);
                  skips.add(
                      new OffsetLedger.Skip(
                          record.partition(),
                          record.offset(),
                          OffsetLedger.Skip.DEAD_LETTER,
                          eventId(letter.event()),
                          letter.reason()));
                }
              }
              return ledger
                  .record(connection, batch.offsets(), skips, now)
                  .chain(() -> reportDeadLetters(connection, newDead))
                  .chain(
                      reported -> {
                        // Alert rules see every new event of the batch at once (duplicates were
                        // skipped), and the dead-letter reports, so a dead letter alerts at once.
                        List<JsonNode> evaluated = new ArrayList<>(appended.stored);
                        evaluated.addAll(reported);
                        return alerts.evaluate(connection, evaluated);
                      })
                  .replaceWith(
                      new Outcome(dead, appended.stored.size(), appended.duplicates.size()));
            });
  }

  /**
   * Appends one partition's events to its chain, after the rows already there. In isolating mode
   * each row is inserted under a savepoint, and a row the database refuses is recorded in {@code
   * appended.refused} instead of failing the transaction.
   */
  private Uni<Void> append(
      SqlConnection connection,
      int chain,
      List<Accepted> events,
      OffsetDateTime clockNow,
      boolean isolate,
      Appended appended) {
    UUID[] ids = events.stream().map(Accepted::id).toArray(UUID[]::new);
    return connection
        .preparedQuery(
            "INSERT INTO audit_chain_head (chain, seq, hash) VALUES ($1, 0, $2)"
                + " ON CONFLICT (chain) DO NOTHING")
        .execute(Tuple.of(chain, io.vertx.core.buffer.Buffer.buffer(ChainHasher.GENESIS)))
        .chain(
            () ->
                connection
                    .preparedQuery(
                        "SELECT seq, hash, stored_at FROM audit_chain_head WHERE chain = $1"
                            + " FOR UPDATE")
                    .execute(Tuple.of(chain)))
        .chain(
            head ->
                connection
                    .preparedQuery(
                        "SELECT event_id, payload FROM audit_event WHERE event_id = ANY($1)")
                    .execute(Tuple.tuple().addArrayOfUUID(ids))
                    .emitOn(Infrastructure.getDefaultWorkerPool()) // hashing below
                    .chain(
                        existing -> {
                          Row headRow = head.iterator().next();
                          Map<UUID, String> seen = new HashMap<>();
                          existing.forEach(
                              row -> seen.put(row.getUUID("event_id"), row.getString("payload")));
                          List<Accepted> fresh = new ArrayList<>();
                          for (Accepted event : events) {
                            String stored = seen.putIfAbsent(event.id(), event.canonical());
                            if (stored == null) {
                              fresh.add(event);
                            } else if (stored.equals(event.canonical())) {
                              appended.duplicates.add(event); // a redelivery: already stored
                            } else {
                              // Same id, other content: someone claimed the id first. Never
                              // silently dropped as a "duplicate": dead-lettered and alerted.
                              appended.refused.add(
                                  new Rejected(
                                      event.record(),
                                      "event id already stored with different content",
                                      event.event()));
                            }
                          }
                          if (fresh.isEmpty()) {
                            return Uni.createFrom().voidItem();
                          }
                          // stored_at never goes backwards within a chain (see V3 migration).
                          OffsetDateTime last = headRow.getOffsetDateTime("stored_at");
                          OffsetDateTime now =
                              last != null && last.isAfter(clockNow) ? last : clockNow;
                          ChainEnd start =
                              new ChainEnd(
                                  headRow.getLong("seq"), headRow.getBuffer("hash").getBytes());
                          Uni<ChainEnd> end =
                              isolate
                                  ? insertEach(connection, chain, fresh, start, now, 0, appended)
                                  : insertAll(connection, chain, fresh, start, now, appended);
                          return end.chain(
                              reached ->
                                  reached.seq() == start.seq()
                                      ? Uni.createFrom().voidItem()
                                      : connection
                                          .preparedQuery(
                                              "UPDATE audit_chain_head SET seq = $2, hash = $3,"
                                                  + " stored_at = $4 WHERE chain = $1")
                                          .execute(
                                              Tuple.of(
                                                  chain,
                                                  reached.seq(),
                                                  io.vertx.core.buffer.Buffer.buffer(
                                                      reached.hash()),
                                                  now))
                                          .replaceWithVoid());
                        }));
  }

  /** The end of a chain: its last sequence number and hash. */
  private record ChainEnd(long seq, byte[] hash) {}

  private static final String INSERT_EVENT =
      "INSERT INTO audit_event (chain, seq, event_id, type, occurred_at, source, actor, subject,"
          + " client_ip, severity, payload, prev_hash, hash, stored_at, signing_key_id, signature,"
          + " signed_payload) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)";

  /** The fast path: every row in one batched statement. */
  private Uni<ChainEnd> insertAll(
      SqlConnection connection,
      int chain,
      List<Accepted> events,
      ChainEnd start,
      OffsetDateTime now,
      Appended appended) {
    long seq = start.seq();
    byte[] previous = start.hash();
    List<Tuple> rows = new ArrayList<>();
    for (Accepted event : events) {
      seq++;
      byte[] hash = ChainHasher.link(previous, event.canonical());
      rows.add(row(chain, seq, event, previous, hash, now));
      previous = hash;
    }
    ChainEnd end = new ChainEnd(seq, previous);
    return connection
        .preparedQuery(INSERT_EVENT)
        .executeBatch(rows)
        .invoke(() -> events.forEach(event -> appended.stored.add(event.event())))
        .replaceWith(end);
  }

  /**
   * The isolating path: one row at a time under a savepoint; refused rows stay out of the chain.
   */
  private Uni<ChainEnd> insertEach(
      SqlConnection connection,
      int chain,
      List<Accepted> events,
      ChainEnd end,
      OffsetDateTime now,
      int index,
      Appended appended) {
    if (index == events.size()) {
      return Uni.createFrom().item(end);
    }
    Accepted event = events.get(index);
    long seq = end.seq() + 1;
    byte[] hash = ChainHasher.link(end.hash(), event.canonical());
    return connection
        .query("SAVEPOINT audit_row")
        .execute()
        .chain(
            () ->
                connection
                    .preparedQuery(INSERT_EVENT)
                    .execute(row(chain, seq, event, end.hash(), hash, now)))
        .chain(() -> connection.query("RELEASE SAVEPOINT audit_row").execute())
        .map(
            ignored -> {
              appended.stored.add(event.event());
              return new ChainEnd(seq, hash);
            })
        .onFailure(StorageErrors::isDataError)
        .recoverWithUni(
            e ->
                connection
                    .query("ROLLBACK TO SAVEPOINT audit_row")
                    .execute()
                    .map(
                        ignored -> {
                          appended.refused.add(
                              new Rejected(
                                  event.record(),
                                  "database refused the event (SQLSTATE " + SqlStates.of(e) + ")",
                                  event.event()));
                          return end;
                        }))
        .chain(reached -> insertEach(connection, chain, events, reached, now, index + 1, appended));
  }

  private static Tuple row(
      int chain, long seq, Accepted accepted, byte[] previous, byte[] hash, OffsetDateTime now) {
    JsonNode event = accepted.event();
    return Tuple.tuple()
        .addInteger(chain)
        .addLong(seq)
        .addUUID(accepted.id())
        .addString(event.get("type").asText())
        .addOffsetDateTime(accepted.occurredAt())
        .addString(event.get("source").asText())
        .addString(text(event, "actor"))
        .addString(text(event, "subject"))
        .addString(text(event, "clientIp"))
        .addString(event.get("severity").asText())
        .addString(accepted.canonical())
        .addBuffer(Buffer.buffer(previous))
        .addBuffer(Buffer.buffer(hash))
        .addOffsetDateTime(now)
        .addString(accepted.authentic().keyId())
        .addBuffer(Buffer.buffer(accepted.authentic().signature()))
        .addString(accepted.signedPayload());
  }

  private static String text(JsonNode event, String field) {
    JsonNode value = event.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static UUID eventId(JsonNode event) {
    if (event == null) {
      return null;
    }
    try {
      return UUID.fromString(event.path("id").asText(""));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Records one {@code audit.dead_letter} event per new dead letter through the outbox (so it
   * enters the trail, and alert rules see it now); returns their JSON. A dead letter that is itself
   * such a report is not reported again, so a report that cannot be stored can never loop.
   */
  private Uni<List<JsonNode>> reportDeadLetters(SqlConnection connection, List<Rejected> letters) {
    List<JsonNode> reported = new ArrayList<>();
    Uni<Void> done = Uni.createFrom().voidItem();
    for (Rejected letter : letters) {
      ConsumerRecord<String, String> record = letter.record();
      if (letter.isOwnDeadLetterReport()) {
        LOG.errorf(
            "a dead-letter report at %s-%d@%d was itself dead-lettered: %s",
            record.topic(), record.partition(), record.offset(), letter.reason());
        continue;
      }
      Map<String, String> details = new LinkedHashMap<>();
      details.put("reason", letter.reason());
      details.put("partition", Integer.toString(record.partition()));
      details.put("offset", Long.toString(record.offset()));
      UUID id = eventId(letter.event());
      if (id != null) {
        details.put("eventId", id.toString());
      }
      String subject = record.topic() + "-" + record.partition() + "@" + record.offset();
      done =
          done.chain(
              () ->
                  securityEvents
                      .record(
                          connection, DEAD_LETTER_TYPE, Severity.WARNING, null, subject, details)
                      .invoke(event -> reported.add(mapper.valueToTree(event)))
                      .replaceWithVoid());
    }
    return done.replaceWith(reported);
  }

  /** Type of the event reporting a dead letter. */
  public static final String DEAD_LETTER_TYPE = "audit.dead_letter";

  /**
   * Sends every dead letter of the batch once; a send that fails is retried on its own, so the
   * letters already acknowledged are not sent again.
   */
  private Uni<Void> sendDeadLetters(List<Rejected> letters) {
    if (letters.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    List<Uni<Void>> sends = new ArrayList<>();
    for (Rejected letter : letters) {
      sends.add(
          Uni.createFrom()
              .deferred(() -> deadLetter(letter))
              .onFailure()
              .invoke(
                  e ->
                      LOG.warnf("dead letter not sent, retrying: %s", e.getClass().getSimpleName()))
              .onFailure()
              .retry()
              .withBackOff(FIRST_BACKOFF, MAX_BACKOFF)
              .indefinitely());
    }
    return Uni.join().all(sends).andFailFast().replaceWithVoid();
  }

  private Uni<Void> deadLetter(Rejected letter) {
    ConsumerRecord<String, String> record = letter.record();
    registry.counter("whispyrkeep.audit.dead_letters").increment();
    LOG.warnf(
        "security event at %s-%d@%d sent to the dead-letter topic: %s",
        record.topic(), record.partition(), record.offset(), letter.reason());
    RecordHeaders headers = new RecordHeaders();
    headers.add(AuditChannels.DLQ_REASON_HEADER, letter.reason().getBytes(StandardCharsets.UTF_8));
    headers.add(
        "x-dlq-source",
        (record.topic() + "-" + record.partition() + "@" + record.offset())
            .getBytes(StandardCharsets.UTF_8));
    String value = record.value() == null ? "" : record.value();
    if (value.length() > MAX_DEAD_LETTER_CHARS) {
      headers.add(
          "x-dlq-truncated", Integer.toString(value.length()).getBytes(StandardCharsets.UTF_8));
      value = value.substring(0, MAX_DEAD_LETTER_CHARS);
    }
    Message<String> message =
        Message.of(value)
            .addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(record.key())
                    .withHeaders(headers)
                    .build());
    return deadLetters.sendMessage(message);
  }
}
