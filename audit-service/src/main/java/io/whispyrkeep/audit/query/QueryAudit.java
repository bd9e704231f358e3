package io.whispyrkeep.audit.query;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.whispyrkeep.platform.event.SecurityEventFactory;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who looked at the audit trail, and at what: every read or acknowledgement by the security team is
 * itself recorded as an {@code audit.queried} event, through the outbox, before it is answered.
 */
@ApplicationScoped
public class QueryAudit {

  private final Pool pool;
  private final SecurityEvents events;
  private final SecurityIdentity identity;

  QueryAudit(Pool pool, SecurityEvents events, SecurityIdentity identity) {
    this.pool = pool;
    this.events = events;
    this.identity = identity;
  }

  /** Records the query {@code what} with its parameters, in a transaction of its own. */
  public Uni<Void> record(String what, String subject, Map<String, String> parameters) {
    return pool.withTransaction(transaction -> record(transaction, what, subject, parameters));
  }

  /**
   * Records the query {@code what} in the caller's transaction, so it commits with what the query
   * changed; {@code subject} may be null.
   */
  public Uni<Void> record(
      SqlConnection transaction, String what, String subject, Map<String, String> parameters) {
    Map<String, String> details = new LinkedHashMap<>(parameters);
    details.put("query", what);
    return events
        .record(
            transaction,
            "audit.queried",
            Severity.INFO,
            SecurityEventFactory.actorOf(identity),
            subject,
            details)
        .replaceWithVoid();
  }
}
