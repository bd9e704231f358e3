package io.whispyrkeep.audit.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Reads the audit trail newest first with keyset pagination on (occurred_at, event_id): the cursor
 * is the last row's key, so page N costs the same as page 1, on the indexes of V1.
 */
@ApplicationScoped
public class AuditEventRepository {

  /** Rows fetched per round trip while exporting. */
  static final int EXPORT_FETCH = 500;

  private final Pool pool;
  private final ObjectMapper mapper;

  AuditEventRepository(Pool pool, ObjectMapper mapper) {
    this.pool = pool;
    this.mapper = mapper;
  }

  /** One page of events and the cursor of the next page (null at the end). */
  public record Page(List<JsonNode> items, String nextCursor) {}

  /** A filtered SELECT and its parameters. */
  private record Filtered(StringBuilder sql, Tuple parameters) {}

  private static Filtered filtered(AuditQuery query, String columns) {
    StringBuilder sql = new StringBuilder("SELECT " + columns + " FROM audit_event WHERE true");
    Tuple parameters = Tuple.tuple();
    if (query.typePrefix() != null) {
      parameters.addString(escapeLike(query.typePrefix()) + "%");
      sql.append(" AND type LIKE $").append(parameters.size());
    }
    add(sql, parameters, "actor", query.actor());
    add(sql, parameters, "subject", query.subject());
    add(sql, parameters, "client_ip", query.clientIp());
    add(sql, parameters, "severity", query.severity());
    if (query.from() != null) {
      parameters.addOffsetDateTime(OffsetDateTime.ofInstant(query.from(), ZoneOffset.UTC));
      sql.append(" AND occurred_at >= $").append(parameters.size());
    }
    if (query.to() != null) {
      parameters.addOffsetDateTime(OffsetDateTime.ofInstant(query.to(), ZoneOffset.UTC));
      sql.append(" AND occurred_at < $").append(parameters.size());
    }
    if (query.text() != null) {
      parameters.addString("%" + escapeLike(query.text()) + "%");
      sql.append(" AND payload ILIKE $").append(parameters.size());
    }
    if (query.cursor() != null) {
      Object[] key = decodeCursor(query.cursor());
      parameters.addOffsetDateTime((OffsetDateTime) key[0]);
      parameters.addUUID((UUID) key[1]);
      sql.append(" AND (occurred_at, event_id) < ($")
          .append(parameters.size() - 1)
          .append(", $")
          .append(parameters.size())
          .append(")");
    }
    return new Filtered(sql, parameters);
  }

  /**
   * Every matching event, newest first, read through a server-side cursor in chunks of {@value
   * #EXPORT_FETCH} rows: an export of millions of rows holds one chunk in memory, not the result.
   */
  public Multi<JsonNode> stream(AuditQuery query) {
    Filtered filtered = filtered(query, "payload");
    filtered.sql().append(" ORDER BY occurred_at DESC, event_id DESC");
    return Multi.createFrom()
        .uni(pool.getConnection())
        .onItem()
        .transformToMultiAndConcatenate(
            connection ->
                connection
                    .begin()
                    .onItem()
                    .transformToMulti(
                        transaction ->
                            connection
                                .prepare(filtered.sql().toString())
                                .onItem()
                                .transformToMulti(
                                    statement ->
                                        statement
                                            .createStream(EXPORT_FETCH, filtered.parameters())
                                            .toMulti()))
                    .onTermination()
                    .call(() -> connection.close()))
        .map(row -> parse(row.getString("payload")));
  }

  public Uni<Page> find(AuditQuery query) {
    Filtered filtered = filtered(query, "event_id, occurred_at, payload");
    StringBuilder sql = filtered.sql();
    Tuple parameters = filtered.parameters();
    parameters.addInteger(query.limit() + 1);
    sql.append(" ORDER BY occurred_at DESC, event_id DESC LIMIT $").append(parameters.size());
    return pool.preparedQuery(sql.toString())
        .execute(parameters)
        .map(
            rows -> {
              List<JsonNode> items = new ArrayList<>();
              Row last = null;
              for (Row row : rows) {
                if (items.size() == query.limit()) {
                  return new Page(items, encodeCursor(last));
                }
                items.add(parse(row.getString("payload")));
                last = row;
              }
              return new Page(items, null);
            });
  }

  public Uni<JsonNode> findById(UUID id) {
    return pool.preparedQuery("SELECT payload FROM audit_event WHERE event_id = $1")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : parse(rows.iterator().next().getString("payload")));
  }

  private JsonNode parse(String payload) {
    try {
      return mapper.readTree(payload);
    } catch (Exception e) {
      throw new IllegalStateException("stored audit event is not JSON", e);
    }
  }

  private static void add(StringBuilder sql, Tuple parameters, String column, String value) {
    if (value != null) {
      parameters.addString(value);
      sql.append(" AND ").append(column).append(" = $").append(parameters.size());
    }
  }

  private static String escapeLike(String value) {
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  static String encodeCursor(Row row) {
    return encodeCursor(row.getOffsetDateTime("occurred_at").toInstant(), row.getUUID("event_id"));
  }

  /** The cursor after the row keyed (occurredAt, eventId): that key in URL-safe Base64, opaque. */
  static String encodeCursor(java.time.Instant occurredAt, UUID eventId) {
    String key = occurredAt + "|" + eventId;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  static Object[] decodeCursor(String cursor) {
    try {
      String key = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int bar = key.indexOf('|');
      return new Object[] {
        OffsetDateTime.ofInstant(java.time.Instant.parse(key.substring(0, bar)), ZoneOffset.UTC),
        UUID.fromString(key.substring(bar + 1))
      };
    } catch (RuntimeException e) {
      throw new ProblemException(ProblemType.BAD_REQUEST, "The cursor is not valid.");
    }
  }
}
