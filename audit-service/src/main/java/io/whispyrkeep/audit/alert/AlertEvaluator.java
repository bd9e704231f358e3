package io.whispyrkeep.audit.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /** One event matching one rule. */
  private record Hit(
      String name,
      AuditConfig.AlertRule rule,
      String group,
      JsonNode event,
      OffsetDateTime occurredAt,
      String value) {

    String key() {
      return name + "\u0000" + group;
    }
  }

  /**
   * Runs every rule over the events just appended, in a fixed number of round trips per batch (not
   * per event): all hits of counting rules are recorded with one statement and counted with one
   * more; "first seen" values are recorded with one statement that returns the new ones.
   */
  public Uni<Void> evaluate(SqlConnection connection, List<JsonNode> storedEvents) {
    List<Hit> counted = new ArrayList<>();
    List<Hit> firstSeen = new ArrayList<>();
    for (JsonNode event : storedEvents) {
      String type = event.path("type").asText();
      for (Map.Entry<String, AuditConfig.AlertRule> entry : rules.entrySet()) {
        AuditConfig.AlertRule rule = entry.getValue();
        if (!type.startsWith(rule.typePrefix())) {
          continue;
        }
        String group = rule.groupBy().map(field -> field(event, field)).orElse("*");
        if (group == null) {
          continue;
        }
        OffsetDateTime occurredAt = OffsetDateTime.parse(event.get("occurredAt").asText());
        if (rule.firstSeenField().isEmpty()) {
          counted.add(new Hit(entry.getKey(), rule, group, event, occurredAt, null));
          continue;
        }
        String value = field(event, rule.firstSeenField().get());
        if (value != null) {
          firstSeen.add(new Hit(entry.getKey(), rule, group, event, occurredAt, value));
        }
      }
    }
    return countHits(connection, counted).chain(() -> firstSeen(connection, firstSeen));
  }

  private Uni<Void> countHits(SqlConnection connection, List<Hit> hits) {
    if (hits.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    String[] names = hits.stream().map(Hit::name).toArray(String[]::new);
    String[] groups = hits.stream().map(Hit::group).toArray(String[]::new);
    UUID[] ids =
        hits.stream()
            .map(hit -> UUID.fromString(hit.event().get("id").asText()))
            .toArray(UUID[]::new);
    OffsetDateTime[] times = hits.stream().map(Hit::occurredAt).toArray(OffsetDateTime[]::new);
    OffsetDateTime[] windowStarts =
        hits.stream()
            .map(hit -> hit.occurredAt().minus(hit.rule().window()))
            .toArray(OffsetDateTime[]::new);
    return connection
        .preparedQuery(
            "INSERT INTO alert_hit (rule, group_key, event_id, occurred_at)"
                + " SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::uuid[],"
                + " $4::timestamptz[]) ON CONFLICT DO NOTHING")
        .execute(
            Tuple.tuple()
                .addArrayOfString(names)
                .addArrayOfString(groups)
                .addArrayOfUUID(ids)
                .addArrayOfOffsetDateTime(times))
        .chain(
            () ->
                connection
                    .preparedQuery(
                        "SELECT n.i,"
                            + " (SELECT count(*) FROM alert_hit h WHERE h.rule = n.rule"
                            + "  AND h.group_key = n.group_key AND h.occurred_at > n.since"
                            + "  AND h.occurred_at <= n.at) AS hits,"
                            + " (SELECT count(*) FROM alert a WHERE a.rule = n.rule"
                            + "  AND a.group_key = n.group_key AND a.raised_at > n.since) AS open"
                            + " FROM unnest($1::varchar[], $2::varchar[], $3::timestamptz[],"
                            + " $4::timestamptz[]) WITH ORDINALITY AS n(rule, group_key, at, since, i)"
                            + " ORDER BY n.i")
                    .execute(
                        Tuple.tuple()
                            .addArrayOfString(names)
                            .addArrayOfString(groups)
                            .addArrayOfOffsetDateTime(times)
                            .addArrayOfOffsetDateTime(windowStarts)))
        .chain(
            rows -> {
              // Alerts raised earlier in this batch are not in the query's snapshot: their quiet
              // period is kept here.
              Map<String, OffsetDateTime> raisedInBatch = new HashMap<>();
              Uni<Void> raised = Uni.createFrom().voidItem();
              for (Row row : rows) {
                Hit hit = hits.get((int) (row.getLong("i") - 1));
                long count = row.getLong("hits");
                OffsetDateTime previous = raisedInBatch.get(hit.key());
                boolean quiet =
                    row.getLong("open") > 0
                        || (previous != null
                            && previous.isAfter(hit.occurredAt().minus(hit.rule().window())));
                if (count < hit.rule().threshold() || quiet) {
                  continue;
                }
                raisedInBatch.put(hit.key(), hit.occurredAt());
                String summary =
                    count
                        + " x "
                        + hit.rule().typePrefix()
                        + " within "
                        + hit.rule().window().toMinutes()
                        + " min";
                raised = raised.chain(() -> raise(connection, hit, (int) count, summary));
              }
              return raised;
            });
  }

  private Uni<Void> firstSeen(SqlConnection connection, List<Hit> hits) {
    if (hits.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return connection
        .preparedQuery(
            "INSERT INTO alert_first_seen (rule, group_key, value)"
                + " SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[])"
                + " ON CONFLICT DO NOTHING RETURNING rule, group_key, value")
        .execute(
            Tuple.tuple()
                .addArrayOfString(hits.stream().map(Hit::name).toArray(String[]::new))
                .addArrayOfString(hits.stream().map(Hit::group).toArray(String[]::new))
                .addArrayOfString(hits.stream().map(Hit::value).toArray(String[]::new)))
        .chain(
            inserted -> {
              Set<String> fresh = new HashSet<>();
              for (Row row : inserted) {
                fresh.add(
                    row.getString("rule")
                        + "\u0000"
                        + row.getString("group_key")
                        + "\u0000"
                        + row.getString("value"));
              }
              Uni<Void> raised = Uni.createFrom().voidItem();
              for (Hit hit : hits) {
                // The first event of the batch with a new value raises; the rest see it known.
                if (fresh.remove(hit.key() + "\u0000" + hit.value())) {
                  String summary =
                      hit.rule().firstSeenField().orElseThrow()
                          + " "
                          + hit.value()
                          + " seen for the first time";
                  raised = raised.chain(() -> raise(connection, hit, 1, summary));
                }
              }
              return raised;
            });
  }

  private Uni<Void> raise(SqlConnection connection, Hit hit, int hits, String summary) {
    String name = hit.name();
    AuditConfig.AlertRule rule = hit.rule();
    String group = hit.group();
    JsonNode event = hit.event();
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
