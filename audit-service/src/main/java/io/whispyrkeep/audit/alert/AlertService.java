package io.whispyrkeep.audit.alert;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.whispyrkeep.audit.query.QueryAudit;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Listing and acknowledging alerts, each recorded as {@code audit.queried}. An acknowledgement and
 * its record commit in one transaction, so an alert is never closed without a trace of who closed
 * it; and nobody may close an alert about themselves (the alert's group, or the actor or subject of
 * the event that raised it, is the caller): separation of duties, so that whoever is being alerted
 * on cannot silence it.
 */
@ApplicationScoped
public class AlertService {

  private final Pool pool;
  private final QueryAudit audit;
  private final Clock clock;

  AlertService(Pool pool, QueryAudit audit, Clock clock) {
    this.pool = pool;
    this.audit = audit;
    this.clock = clock;
  }

  /** An alert as the API shows it. */
  public record AlertResponse(
      UUID id,
      String rule,
      String group,
      String severity,
      String raisedAt,
      UUID triggerEvent,
      int hits,
      String summary,
      String acknowledgedAt,
      String acknowledgedBy) {}

  /** The newest alerts (only open ones when asked), recorded before they are read. */
  public Uni<List<AlertResponse>> list(boolean openOnly, int limit) {
    String where = openOnly ? " WHERE acknowledged_at IS NULL" : "";
    return audit
        .record(
            "alerts",
            null,
            Map.of("open", Boolean.toString(openOnly), "limit", Integer.toString(limit)))
        .chain(
            () ->
                pool.preparedQuery(
                        "SELECT * FROM alert"
                            + where
                            + " ORDER BY raised_at DESC, id DESC LIMIT $1")
                    .execute(Tuple.of(limit)))
        .map(
            rows -> {
              List<AlertResponse> alerts = new ArrayList<>();
              for (Row row : rows) {
                alerts.add(response(row));
              }
              return alerts;
            });
  }

  private static AlertResponse response(Row row) {
    OffsetDateTime acknowledgedAt = row.getOffsetDateTime("acknowledged_at");
    return new AlertResponse(
        row.getUUID("id"),
        row.getString("rule"),
        row.getString("group_key"),
        row.getString("severity"),
        row.getOffsetDateTime("raised_at").toInstant().toString(),
        row.getUUID("trigger_event"),
        row.getInteger("hits"),
        row.getString("summary"),
        acknowledgedAt == null ? null : acknowledgedAt.toInstant().toString(),
        row.getString("acknowledged_by"));
  }

  /** Outcome of an acknowledgement, known inside its transaction. */
  private enum Acknowledgement {
    DONE,
    UNKNOWN,
    ABOUT_CALLER
  }

  /**
   * Acknowledges the alert as {@code caller} (already acknowledged: kept as it was) and records it,
   * in one transaction. 404 for an unknown alert; 403 when the alert is about the caller, a refusal
   * that is itself recorded.
   */
  public Uni<Void> acknowledge(UUID id, String caller) {
    return Panache.withTransaction(
            () ->
                Panache.getSession()
                    .chain(
                        session ->
                            session
                                .createNativeQuery(
                                    "SELECT a.group_key, e.actor, e.subject FROM alert a"
                                        + " LEFT JOIN audit_event e ON e.event_id = a.trigger_event"
                                        + " WHERE a.id = :id",
                                    Object[].class)
                                .setParameter("id", id)
                                .getResultList()
                                .chain(
                                    rows -> {
                                      if (rows.isEmpty()) {
                                        return Uni.createFrom().item(Acknowledgement.UNKNOWN);
                                      }
                                      Object[] about = rows.get(0);
                                      if (caller == null || isAbout(about, caller)) {
                                        return recorded("alert_ack_refused", id)
                                            .replaceWith(Acknowledgement.ABOUT_CALLER);
                                      }
                                      return session
                                          .createNativeQuery(
                                              "UPDATE alert SET acknowledged_at = :at,"
                                                  + " acknowledged_by = :by"
                                                  + " WHERE id = :id AND acknowledged_at IS NULL")
                                          .setParameter("id", id)
                                          .setParameter(
                                              "at",
                                              OffsetDateTime.now(clock)
                                                  .withOffsetSameInstant(ZoneOffset.UTC))
                                          .setParameter("by", caller)
                                          .executeUpdate()
                                          .chain(() -> recorded("alert_ack", id))
                                          .replaceWith(Acknowledgement.DONE);
                                    })))
        .map(
            outcome ->
                switch (outcome) {
                  case DONE -> null;
                  case UNKNOWN ->
                      throw new ProblemException(ProblemType.NOT_FOUND, "No alert with this id.");
                  case ABOUT_CALLER ->
                      throw new ProblemException(
                          ProblemType.FORBIDDEN,
                          "An alert about yourself must be acknowledged by someone else.");
                })
        .replaceWithVoid();
  }

  private static boolean isAbout(Object[] about, String caller) {
    for (Object value : about) {
      if (Objects.equals(value, caller)) {
        return true;
      }
    }
    return false;
  }

  private Uni<Void> recorded(String what, UUID alert) {
    return audit.record(what, alert.toString(), Map.of("alert", alert.toString()));
  }
}
