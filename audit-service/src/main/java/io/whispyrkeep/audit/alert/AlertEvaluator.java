package io.whispyrkeep.audit.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.whispyrkeep.audit.config.AuditConfig;
import io.whispyrkeep.platform.event.SecurityEventTopics;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.event.TimeOrderedUuid;
import io.whispyrkeep.platform.outbox.OutboxSql;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
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

  /** Longest group key or value the hit tables hold (V2 migration). */
  static final int MAX_KEY = 200;

  private final Map<String, AuditConfig.AlertRule> rules;
  private final ObjectMapper mapper;
  private final Clock clock;

  AlertEvaluator(AuditConfig config, ObjectMapper mapper, Clock clock) {
    this.rules = Map.copyOf(config.alerts());
    this.mapper = mapper;
    this.clock = clock;
  }

  /** One event matching one rule. */
  record Hit(
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
    OffsetDateTime ingestedAt = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    List<Hit> counted = new ArrayList<>();
    List<Hit> firstSeen = new ArrayList<>();
    for (Hit hit : hits(rules, storedEvents, ingestedAt)) {
      (hit.value() == null ? counted : firstSeen).add(hit);
    }
    return countHits(connection, counted).chain(() -> firstSeen(connection, firstSeen));
  }

  /**
   * Which rules each event matches, in which group, at which time: counting hits carry no value,
   * "first seen" hits the value to look up (an event without that value matches nothing). Pure, so
   * the grouping is tested without a database.
   */
  static List<Hit> hits(
      Map<String, AuditConfig.AlertRule> rules,
      List<JsonNode> storedEvents,
      OffsetDateTime ingestedAt) {
    List<Hit> hits = new ArrayList<>();
    for (JsonNode event : storedEvents) {
      String type = event.path("type").asText();
      for (Map.Entry<String, AuditConfig.AlertRule> entry : rules.entrySet()) {
        AuditConfig.AlertRule rule = entry.getValue();
        if (!type.startsWith(rule.typePrefix())) {
          continue;
        }
        // A rule grouped by a field counts only events that have it: a missing subject must not
        // pool, say, every unknown-email login failure into one "*" account.
        String group = rule.groupBy().isPresent() ? key(field(event, rule.groupBy().get())) : "*";
        if (group == null) {
          continue;
        }
        // Windows follow event time, never later than the ingest time: an event dated in the
        // future can neither count ahead nor open a quiet period that silences the real ones.
        OffsetDateTime occurredAt = OffsetDateTime.parse(event.get("occurredAt").asText());
        OffsetDateTime at = occurredAt.isAfter(ingestedAt) ? ingestedAt : occurredAt;
        if (rule.firstSeenField().isEmpty()) {
          hits.add(new Hit(entry.getKey(), rule, group, event, at, null));
          continue;
        }
        String value = key(field(event, rule.firstSeenField().get()));
        if (value != null) {
          hits.add(new Hit(entry.getKey(), rule, group, event, at, value));
        }
      }
    }
    return hits;
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
                if (!fires(hit, count, row.getLong("open"), raisedInBatch.get(hit.key()))) {
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

  /**
   * Whether a counting hit raises an alert: {@code count} hits of its group within the window reach
   * the threshold, and its group is not in a quiet period (no alert stored within the window,
   * {@code openAlerts}, nor raised earlier in this batch at {@code raisedEarlierInBatch}).
   */
  static boolean fires(Hit hit, long count, long openAlerts, OffsetDateTime raisedEarlierInBatch) {
    boolean quiet =
        openAlerts > 0
            || (raisedEarlierInBatch != null
                && raisedEarlierInBatch.isAfter(hit.occurredAt().minus(hit.rule().window())));
    return count >= hit.rule().threshold() && !quiet;
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
    // Raised "at" the triggering event's time (never after ingestion), so the quiet period follows
    // event time.
    Alert alert =
        new Alert(
            TimeOrderedUuid.next(clock),
            hit.name(),
            hit.group(),
            hit.rule().severity(),
            hit.occurredAt(),
            UUID.fromString(hit.event().get("id").asText()),
            hits,
            summary);
    String payload;
    try {
      payload = json(alert);
    } catch (Exception e) {
      return Uni.createFrom().failure(e);
    }
    return store(connection, alert)
        .chain(
            () ->
                OutboxSql.insert(
                    connection,
                    alert.id(),
                    SecurityEventTopics.SECURITY_ALERTS,
                    alert.group(),
                    payload,
                    clock.instant()));
  }

  /** An alert as stored and as published on {@code security.alerts}. */
  public record Alert(
      UUID id,
      String rule,
      String group,
      Severity severity,
      OffsetDateTime raisedAt,
      UUID triggerEvent,
      int hits,
      String summary) {
    public Alert {
      summary = summary.length() > 500 ? summary.substring(0, 500) : summary;
    }
  }

  /** The JSON published on {@code security.alerts}. */
  public String json(Alert alert) throws com.fasterxml.jackson.core.JsonProcessingException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", alert.id().toString());
    json.put("rule", alert.rule());
    json.put("group", alert.group());
    json.put("severity", alert.severity().name());
    json.put("raisedAt", alert.raisedAt().withOffsetSameInstant(ZoneOffset.UTC).toString());
    json.put("triggerEvent", alert.triggerEvent().toString());
    json.put("hits", alert.hits());
    json.put("summary", alert.summary());
    return mapper.writeValueAsString(json);
  }

  /**
   * Stores an alert in the connection's transaction, without publishing it (rules publish through
   * the outbox; the stall alarm publishes directly, since the database may be what is down).
   */
  public Uni<Void> store(SqlConnection connection, Alert alert) {
    return connection
        .preparedQuery(
            "INSERT INTO alert (id, rule, group_key, severity, raised_at, trigger_event, hits, summary)"
                + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING")
        .execute(
            Tuple.tuple()
                .addUUID(alert.id())
                .addString(alert.rule())
                .addString(alert.group())
                .addString(alert.severity().name())
                .addOffsetDateTime(alert.raisedAt())
                .addUUID(alert.triggerEvent())
                .addInteger(alert.hits())
                .addString(alert.summary()))
        .replaceWithVoid();
  }

  /**
   * A group key or "first seen" value as the hit tables can hold it: values longer than the column
   * or carrying characters PostgreSQL refuses (a NUL) become their SHA-256, so they stay distinct
   * and can never make the batch fail.
   */
  static String key(String value) {
    if (value == null
        || (value.length() <= MAX_KEY && value.indexOf('\u0000') < 0 && !hasLoneSurrogate(value))) {
      return value;
    }
    try {
      return "sha256:"
          + HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean hasLoneSurrogate(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  static String field(JsonNode event, String field) {
    JsonNode value =
        field.startsWith("details.")
            ? event.path("details").get(field.substring("details.".length()))
            : event.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
