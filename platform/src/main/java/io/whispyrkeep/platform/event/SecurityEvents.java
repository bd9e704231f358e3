package io.whispyrkeep.platform.event;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.whispyrkeep.platform.http.RequestMetadata;
import io.whispyrkeep.platform.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * The one way a service records a security event: built by {@link SecurityEventFactory} (cleaned,
 * cut, schema-valid) and written to the outbox in the caller's transaction, so the change and its
 * event commit or roll back together. Two entry points for the two data-access idioms a service may
 * use (each service uses one): the current Hibernate Reactive transaction, or an explicit Vert.x
 * SQL connection in a transaction.
 */
@ApplicationScoped
public class SecurityEvents {

  private final SecurityEventFactory factory;
  private final Outbox outbox;

  SecurityEvents(SecurityEventFactory factory, Outbox outbox) {
    this.factory = factory;
    this.outbox = outbox;
  }

  /**
   * Records the event in the current Hibernate Reactive transaction (inside {@code
   * Panache.withTransaction} or {@code @WithTransaction}); fails outside one.
   */
  public Uni<Void> record(
      String type,
      Severity severity,
      String actor,
      String subject,
      Map<String, String> details,
      RequestMetadata request) {
    return outbox.record(factory.create(type, severity, actor, subject, details, request));
  }

  /**
   * Records the event in the transaction of {@code transaction} (a connection from {@code
   * Pool.withTransaction}), with the current request's metadata; returns the event as written.
   */
  public Uni<SecurityEvent> record(
      SqlConnection transaction,
      String type,
      Severity severity,
      String actor,
      String subject,
      Map<String, String> details) {
    return insert(transaction, factory.create(type, severity, actor, subject, details));
  }

  /** As above, with the given request metadata (e.g. for a scheduled report about a client). */
  public Uni<SecurityEvent> record(
      SqlConnection transaction,
      String type,
      Severity severity,
      String actor,
      String subject,
      Map<String, String> details,
      RequestMetadata request) {
    return insert(transaction, factory.create(type, severity, actor, subject, details, request));
  }

  private Uni<SecurityEvent> insert(SqlConnection transaction, SecurityEvent event) {
    return outbox.record(transaction, event).replaceWith(event);
  }
}
