package io.whispyrkeep.audit.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.whispyrkeep.audit.alert.AlertEvaluator;
import io.whispyrkeep.audit.chain.ChainHasher;
import io.whispyrkeep.audit.retention.Partitions;
import io.whispyrkeep.platform.event.SecurityEventSchema;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Stores every security event from Kafka, once, in its partition's hash chain. A batch is validated
 * against the event schema; invalid messages go to the dead-letter topic with the reason in a
 * header (and a counter), valid ones are appended in one database transaction. The batch is
 * acknowledged, and its offsets committed, only after that transaction commits and the dead letters
 * are acknowledged: a crash before that replays the batch, and event ids already stored are
 * skipped, so nothing is lost and nothing is stored twice. A database outage is retried with
 * backoff rather than skipped.
 */
@ApplicationScoped
public class AuditIngestor {

  private static final Logger LOG = Logger.getLogger(AuditIngestor.class);

  private final Pool pool;
  private final ObjectMapper mapper;
  private final SecurityEventSchema schema = SecurityEventSchema.load();
  private final MutinyEmitter<String> deadLetters;
  private final Clock clock;
  private final MeterRegistry registry;
  private final AlertEvaluator alerts;
  private final Partitions partitions;

  AuditIngestor(
      Pool pool,
      ObjectMapper mapper,
      @Channel(AuditChannels.DEAD_LETTERS) MutinyEmitter<String> deadLetters,
      Clock clock,
      MeterRegistry registry,
      AlertEvaluator alerts,
      Partitions partitions) {
    this.pool = pool;
    this.mapper = mapper;
    this.deadLetters = deadLetters;
    this.clock = clock;
    this.registry = registry;
    this.alerts = alerts;
    this.partitions = partitions;
  }

  /** A valid event on its way into the chain. */
  record Accepted(int partition, UUID id, JsonNode event, String canonical) {}

  /** A message refused before storage, and why. */
  record Rejected(ConsumerRecord<String, String> record, String reason) {}

  /** A poll's messages, validated: valid ones by partition (chain), invalid ones with reasons. */
  record Classified(Map<Integer, List<Accepted>> byPartition, List<Rejected> rejected) {}

  /**
   * Validation, canonical JSON and hashing are CPU work: they run on a worker thread (one batch at
   * a time, since the consumer waits for each), never on the event loop.
   */
  @Incoming(AuditChannels.SECURITY_EVENTS)
  public Uni<Void> consume(ConsumerRecords<String, String> records) {
    return Uni.createFrom()
        .item(() -> classify(records))
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
        .chain(this::deadLettersThenStore);
  }

  private Classified classify(ConsumerRecords<String, String> records) {
    Map<Integer, List<Accepted>> byPartition = new LinkedHashMap<>();
    List<Rejected> rejected = new ArrayList<>();
    for (ConsumerRecord<String, String> record : records) {
      String reason = null;
      JsonNode event = null;
      try {
        event = record.value() == null ? null : mapper.readTree(record.value());
        if (event == null || !event.isObject()) {
          reason = "not a JSON object";
        } else {
          List<String> violations = schema.validate(event);
          if (!violations.isEmpty()) {
            reason = "schema: " + String.join("; ", violations);
          }
        }
      } catch (Exception e) {
        reason = "malformed JSON";
      }
      if (reason != null) {
        rejected.add(new Rejected(record, reason));
        continue;
      }
      byPartition
          .computeIfAbsent(record.partition(), p -> new ArrayList<>())
          .add(
              new Accepted(
                  record.partition(),
                  UUID.fromString(event.get("id").asText()),
                  event,
                  ChainHasher.canonicalJson(event)));
    }
    return new Classified(byPartition, rejected);
  }

  private Uni<Void> deadLettersThenStore(Classified batch) {
    Map<Integer, List<Accepted>> byPartition = batch.byPartition();
    List<Uni<Void>> rejected =
        batch.rejected().stream().map(r -> deadLetter(r.record(), r.reason())).toList();
    Uni<Void> letters =
        rejected.isEmpty()
            ? Uni.createFrom().voidItem()
            : Uni.join().all(rejected).andFailFast().replaceWithVoid();
    return letters
        .chain(() -> store(byPartition))
        .onFailure()
        .invoke(
            e -> {
              registry.counter("whispyrkeep.audit.store_retries").increment();
              LOG.warnf("audit batch not stored, retrying: %s", e.toString());
            })
        .onFailure()
        .retry()
        .withBackOff(Duration.ofMillis(500), Duration.ofSeconds(30))
        .indefinitely();
  }

  private Uni<Void> store(Map<Integer, List<Accepted>> byPartition) {
    if (byPartition.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    return partitions
        .ensure(now)
        .chain(() -> pool.withTransaction(connection -> appendAll(connection, byPartition, now)));
  }

  private Uni<Void> appendAll(
      SqlConnection connection, Map<Integer, List<Accepted>> byPartition, OffsetDateTime now) {
    List<JsonNode> stored = new ArrayList<>();
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (Map.Entry<Integer, List<Accepted>> partition : byPartition.entrySet()) {
      chain =
          chain.chain(
              () -> append(connection, partition.getKey(), partition.getValue(), now, stored));
    }
    // Alert rules see every new event of the batch at once (duplicates were skipped).
    return chain.chain(() -> alerts.evaluate(connection, stored));
  }

  /** Appends one partition's events to its chain; adds the ones stored to {@code stored}. */
  private Uni<Void> append(
      SqlConnection connection,
      int chain,
      List<Accepted> events,
      OffsetDateTime clockNow,
      List<JsonNode> batchStored) {
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
                    .preparedQuery("SELECT event_id FROM audit_event WHERE event_id = ANY($1)")
                    .execute(Tuple.tuple().addArrayOfUUID(ids))
                    .emitOn(Infrastructure.getDefaultWorkerPool()) // hashing below
                    .chain(
                        existing -> {
                          Row headRow = head.iterator().next();
                          Set<UUID> seen = new HashSet<>();
                          existing.forEach(row -> seen.add(row.getUUID("event_id")));
                          long seq = headRow.getLong("seq");
                          byte[] previous = headRow.getBuffer("hash").getBytes();
                          List<Tuple> rows = new ArrayList<>();
                          List<JsonNode> stored = new ArrayList<>();
                          // stored_at never goes backwards within a chain (see V3 migration).
                          OffsetDateTime last = headRow.getOffsetDateTime("stored_at");
                          OffsetDateTime now =
                              last != null && last.isAfter(clockNow) ? last : clockNow;
                          for (Accepted event : events) {
                            if (!seen.add(event.id())) {
                              registry.counter("whispyrkeep.audit.duplicates").increment();
                              continue;
                            }
                            seq++;
                            byte[] hash = ChainHasher.link(previous, event.canonical());
                            rows.add(row(chain, seq, event, previous, hash, now));
                            stored.add(event.event());
                            previous = hash;
                          }
                          if (rows.isEmpty()) {
                            return Uni.createFrom().voidItem();
                          }
                          long lastSeq = seq;
                          OffsetDateTime storedAt = now;
                          byte[] lastHash = previous;
                          registry.counter("whispyrkeep.audit.stored").increment(rows.size());
                          return connection
                              .preparedQuery(
                                  "INSERT INTO audit_event (chain, seq, event_id, type, occurred_at,"
                                      + " source, actor, subject, client_ip, severity, payload,"
                                      + " prev_hash, hash, stored_at)"
                                      + " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)")
                              .executeBatch(rows)
                              .chain(
                                  () ->
                                      connection
                                          .preparedQuery(
                                              "UPDATE audit_chain_head SET seq = $2, hash = $3, stored_at = $4"
                                                  + " WHERE chain = $1")
                                          .execute(
                                              Tuple.of(
                                                  chain,
                                                  lastSeq,
                                                  io.vertx.core.buffer.Buffer.buffer(lastHash),
                                                  storedAt)))
                              .invoke(() -> batchStored.addAll(stored))
                              .replaceWithVoid();
                        }));
  }

  private static Tuple row(
      int chain, long seq, Accepted accepted, byte[] previous, byte[] hash, OffsetDateTime now) {
    JsonNode event = accepted.event();
    return Tuple.tuple()
        .addInteger(chain)
        .addLong(seq)
        .addUUID(accepted.id())
        .addString(event.get("type").asText())
        .addOffsetDateTime(OffsetDateTime.parse(event.get("occurredAt").asText()))
        .addString(event.get("source").asText())
        .addString(text(event, "actor"))
        .addString(text(event, "subject"))
        .addString(text(event, "clientIp"))
        .addString(event.get("severity").asText())
        .addString(accepted.canonical())
        .addBuffer(io.vertx.mutiny.core.buffer.Buffer.buffer(previous))
        .addBuffer(io.vertx.mutiny.core.buffer.Buffer.buffer(hash))
        .addOffsetDateTime(now);
  }

  private static String text(JsonNode event, String field) {
    JsonNode value = event.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private Uni<Void> deadLetter(ConsumerRecord<String, String> record, String reason) {
    registry.counter("whispyrkeep.audit.dead_letters").increment();
    String safeReason = reason.length() > 500 ? reason.substring(0, 500) : reason;
    LOG.warnf(
        "security event at %s-%d@%d sent to the dead-letter topic: %s",
        record.topic(), record.partition(), record.offset(), safeReason);
    RecordHeaders headers = new RecordHeaders();
    headers.add(AuditChannels.DLQ_REASON_HEADER, safeReason.getBytes(StandardCharsets.UTF_8));
    headers.add(
        "x-dlq-source",
        (record.topic() + "-" + record.partition() + "@" + record.offset())
            .getBytes(StandardCharsets.UTF_8));
    Message<String> message =
        Message.of(record.value() == null ? "" : record.value())
            .addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(record.key())
                    .withHeaders(headers)
                    .build());
    return deadLetters.sendMessage(message);
  }
}
