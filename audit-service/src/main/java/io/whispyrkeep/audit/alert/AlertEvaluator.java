package io.whispyrkeep.audit.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.whispyrkeep.audit.config.AuditConfig;
import io.whispyrkeep.platform.event.SecurityEventTopics;
import io.whispyrkeep.platform.event.TimeOrderedUuid;
import io.whispyrkeep.platform.outbox.OutboxSql;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Evaluates the configured alert rules on each newly stored event, in the ingestion transaction, so
 * an alert and the events that raised it commit together (and a replayed batch, whose events are
 * skipped as duplicates, raises nothing twice). Counting rules keep their own small table of recent
 * hits and fire from an index range scan of it; "first seen" rules remember values per group. A
 * raised alert is stored and published on {@code security.alerts} through the outbox.
 */
@ApplicationScoped
public class AlertEvaluator {

  private final Map<String, AuditConfig.AlertRule> rules;
  private final ObjectMapper mapper;
  private final Clock clock;

  AlertEvaluator(AuditConfig config, ObjectMapper mapper, Clock clock) {
    this.rules = Map.copyOf(config.alerts());
    this.mapper = mapper;
    this.clock = clock;
  }

  /** Runs every rule over the events just appended, in order. */
  public Uni<Void> evaluate(SqlConnection connection, List<JsonNode> storedEvents) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (JsonNode event : storedEvents) {
      String type = event.path("type").asText();
      for (Map.Entry<String, AuditConfig.AlertRule> rule : rules.entrySet()) {
        if (!type.startsWith(rule.getValue().typePrefix())) {
          continue;
        }
        String group = rule.getValue().groupBy().map(field -> field(event, field)).orElse("*");
        if (group == null) {
          continue;
        }
        chain = chain.chain(() -> apply(connection, rule.getKey(), rule.getValue(), group, event));
      }
    }
    return chain;
  }

  private Uni<Void> apply(
      SqlConnection connection,
      String name,
      AuditConfig.AlertRule rule,
      String group,
      JsonNode event) {
    if (rule.firstSeenField().isPresent()) {
      String value = field(event, rule.firstSeenField().get());
      if (value == null) {
        return Uni.createFrom().voidItem();
      }
      return connection
          .preparedQuery(
              "INSERT INTO alert_first_seen (rule, group_key, value) VALUES ($1, $2, $3)"
                  + " ON CONFLICT DO NOTHING")
          .execute(Tuple.of(name, group, value))
          .chain(
              inserted ->
                  inserted.rowCount() == 0
                      ? Uni.createFrom().voidItem()
                      : raise(
                          connection,
                          name,
                          rule,
                          group,
                          event,
                          1,
                          rule.firstSeenField().get() + " " + value + " seen for the first time"));
    }
    OffsetDateTime occurredAt = OffsetDateTime.parse(event.get("occurredAt").asText());
    OffsetDateTime windowStart = occurredAt.minus(rule.window());
    UUID eventId = UUID.fromString(event.get("id").asText());
    // One round trip: record the hit and count the window. The count cannot see the row the
    // same statement inserts, so the inserted hit (always inside the window) is added to it.
    return connection
        .preparedQuery(
            "WITH hit AS (INSERT INTO alert_hit (rule, group_key, event_id, occurred_at)"
                + " VALUES ($1, $2, $5, $4) ON CONFLICT DO NOTHING RETURNING 1)"
                + " SELECT (SELECT count(*) FROM alert_hit WHERE rule = $1 AND group_key = $2"
                + "  AND occurred_at > $3 AND occurred_at <= $4)"
                + " + (SELECT count(*) FROM hit) AS hits,"
                + " (SELECT count(*) FROM alert WHERE rule = $1 AND group_key = $2"
                + "  AND raised_at > $3) AS open")
        .execute(Tuple.of(name, group, windowStart, occurredAt, eventId))
        .chain(
            rows -> {
              var row = rows.iterator().next();
              long hits = row.getLong("hits");
              if (hits < rule.threshold() || row.getLong("open") > 0) {
                return Uni.createFrom().voidItem();
              }
              return raise(
                  connection,
                  name,
                  rule,
                  group,
                  event,
                  (int) hits,
                  hits
                      + " x "
                      + rule.typePrefix()
                      + " within "
                      + rule.window().toMinutes()
                      + " min");
            });
  }

  private Uni<Void> raise(
      SqlConnection connection,
      String name,
      AuditConfig.AlertRule rule,
      String group,
      JsonNode event,
      int hits,
      String summary) {
    UUID id = TimeOrderedUuid.next(clock);
    Instant now = clock.instant();
    // Raised "at" the triggering event's time, so the quiet period follows event time.
    OffsetDateTime raisedAt = OffsetDateTime.parse(event.get("occurredAt").asText());
    Map<String, Object> alert = new LinkedHashMap<>();
    alert.put("id", id.toString());
    alert.put("rule", name);
    alert.put("group", group);
    alert.put("severity", rule.severity().name());
    alert.put("raisedAt", raisedAt.withOffsetSameInstant(ZoneOffset.UTC).toString());
    alert.put("triggerEvent", event.get("id").asText());
    alert.put("hits", hits);
    alert.put("summary", summary);
    String payload;
    try {
      payload = mapper.writeValueAsString(alert);
    } catch (Exception e) {
      return Uni.createFrom().failure(e);
    }
    return connection
        .preparedQuery(
            "INSERT INTO alert (id, rule, group_key, severity, raised_at, trigger_event, hits, summary)"
                + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .execute(
            Tuple.tuple()
                .addUUID(id)
                .addString(name)
                .addString(group)
                .addString(rule.severity().name())
                .addOffsetDateTime(raisedAt)
                .addUUID(UUID.fromString(event.get("id").asText()))
                .addInteger(hits)
                .addString(summary.length() > 500 ? summary.substring(0, 500) : summary))
        .chain(
            () ->
                OutboxSql.insert(
                    connection, id, SecurityEventTopics.SECURITY_ALERTS, group, payload, now));
  }

  static String field(JsonNode event, String field) {
    JsonNode value =
        field.startsWith("details.")
            ? event.path("details").get(field.substring("details.".length()))
            : event.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
