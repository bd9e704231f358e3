package io.whispyrkeep.audit.query;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.platform.event.SecurityEventFactory;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who looked at the audit trail, and at what: every read or acknowledgement by the security team is
 * itself recorded as an {@code audit.queried} event, through the outbox, before it is answered.
 */
@ApplicationScoped
public class QueryAudit {

  private final Outbox outbox;
  private final SecurityEventFactory events;
  private final SecurityIdentity identity;

  QueryAudit(Outbox outbox, SecurityEventFactory events, SecurityIdentity identity) {
    this.outbox = outbox;
    this.events = events;
    this.identity = identity;
  }

  /** Records the query {@code what} with its parameters; {@code subject} may be null. */
  public Uni<Void> record(String what, String subject, Map<String, String> parameters) {
    Map<String, String> details = new LinkedHashMap<>(parameters);
    details.put("query", what);
    return Panache.withTransaction(
        () ->
            outbox.record(
                events.create(
                    "audit.queried",
                    Severity.INFO,
                    SecurityEventFactory.actorOf(identity),
                    subject,
                    details)));
  }
}
