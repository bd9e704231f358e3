package io.whispyrkeep.platform.outbox;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The outbox for code that works on a reactive SQL connection rather than a Hibernate session
 * (audit-service's ingestion): the same table and relay as {@link Outbox}, any topic.
 */
public final class OutboxSql {

  private static final String INSERT =
      "INSERT INTO outbox (id, topic, message_key, payload, created_at, next_attempt_at,"
          + " trace_parent) VALUES ($1, $2, $3, $4, $5, $5, $6)";

  private OutboxSql() {}

  /**
   * Adds a message to the connection's current transaction. The relay sends rows in id order, so
   * pass an id from {@link io.whispyrkeep.platform.event.TimeOrderedUuid} (an event's own id) made
   * when the message was created.
   */
  public static Uni<Void> insert(
      SqlConnection connection, UUID id, String topic, String key, String payload, Instant now) {
    return connection
        .preparedQuery(INSERT)
        .execute(
            Tuple.tuple()
                .addUUID(id)
                .addString(topic)
                .addString(key)
                .addString(payload)
                .addOffsetDateTime(OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                .addString(TraceParent.current()))
        .replaceWithVoid();
  }
}
