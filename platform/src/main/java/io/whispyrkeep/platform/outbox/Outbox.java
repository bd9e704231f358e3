package io.whispyrkeep.platform.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.whispyrkeep.platform.event.SecurityEvent;
import io.whispyrkeep.platform.event.SecurityEventTopics;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;

/**
 * Records security events in the caller's database transaction, so a change and its event commit or
 * roll back together; {@link OutboxRelay} then publishes them. Refuses to run outside a
 * transaction, because an event written on its own could survive a change that rolled back.
 */
@ApplicationScoped
public class Outbox {

  private final ObjectMapper mapper;
  private final Clock clock;

  Outbox(ObjectMapper mapper, Clock clock) {
    this.mapper = mapper;
    this.clock = clock;
  }

  /** Adds the event to the current transaction (call inside {@code @WithTransaction}). */
  public Uni<Void> record(SecurityEvent event) {
    OutboxMessage message = new OutboxMessage();
    message.id = event.id();
    message.topic = SecurityEventTopics.SECURITY_EVENTS;
    message.messageKey = event.partitionKey();
    message.payload = toJson(event);
    message.createdAt = clock.instant();
    message.nextAttemptAt = message.createdAt;
    message.traceParent = TraceParent.current();
    return Panache.currentTransaction()
        .onItem()
        .ifNull()
        .failWith(
            () ->
                new IllegalStateException(
                    "Outbox.record must run inside the transaction of the change it describes"))
        .chain(transaction -> Panache.getSession())
        .chain(session -> session.persist(message));
  }

  /**
   * Adds the event to the transaction of {@code transaction}, a Vert.x SQL connection inside {@code
   * Pool.withTransaction}: for services that reach the database through the SQL client.
   */
  public Uni<Void> record(SqlConnection transaction, SecurityEvent event) {
    String payload;
    try {
      payload = toJson(event);
    } catch (IllegalArgumentException e) {
      return Uni.createFrom().failure(e);
    }
    return OutboxSql.insert(
        transaction,
        event.id(),
        SecurityEventTopics.SECURITY_EVENTS,
        event.partitionKey(),
        payload,
        clock.instant());
  }

  private String toJson(SecurityEvent event) {
    try {
      return mapper.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("security event cannot be serialised", e);
    }
  }
}
