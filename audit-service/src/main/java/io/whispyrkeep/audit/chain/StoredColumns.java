package io.whispyrkeep.audit.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.mutiny.sqlclient.Row;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.UUID;

/**
 * The columns of {@code audit_event} that queries filter on are copies of fields of the hashed
 * payload. The hash covers only the payload, so whoever can write to the database could change a
 * column (say, the type) and hide an event from every filter while the chain still verifies; each
 * copy is therefore compared with the field it was taken from.
 */
final class StoredColumns {

  /** The columns compared, for the verifier's SELECT. */
  static final String SELECTED = "type, occurred_at, source, actor, subject, client_ip, severity";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** PostgreSQL keeps microseconds: a payload instant may carry more digits than its column. */
  private static final Duration TIMESTAMP_PRECISION = Duration.ofNanos(1000);

  private StoredColumns() {}

  /** The first column whose value differs from the payload's field, or null when all match. */
  static String mismatch(Row row) {
    JsonNode event;
    try {
      event = MAPPER.readTree(row.getString("payload"));
    } catch (Exception e) {
      return "payload";
    }
    if (event == null || !event.isObject()) {
      return "payload";
    }
    UUID id = row.getUUID("event_id");
    if (!Objects.equals(id == null ? null : id.toString(), text(event, "id"))) {
      return "event_id";
    }
    String[][] copies = {
      {"type", "type"},
      {"source", "source"},
      {"actor", "actor"},
      {"subject", "subject"},
      {"client_ip", "clientIp"},
      {"severity", "severity"}
    };
    for (String[] copy : copies) {
      if (!Objects.equals(row.getString(copy[0]), text(event, copy[1]))) {
        return copy[0];
      }
    }
    return sameInstant(row.getOffsetDateTime("occurred_at"), text(event, "occurredAt"))
        ? null
        : "occurred_at";
  }

  private static boolean sameInstant(OffsetDateTime column, String field) {
    if (column == null || field == null) {
      return column == null && field == null;
    }
    try {
      Instant hashed = OffsetDateTime.parse(field).toInstant();
      return Duration.between(column.toInstant(), hashed).abs().compareTo(TIMESTAMP_PRECISION) < 0;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static String text(JsonNode event, String field) {
    JsonNode value = event.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
