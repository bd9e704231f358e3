package io.whispyrkeep.audit.alert;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
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
    return pool.withTransaction(
            transaction ->
                transaction
                    .preparedQuery(
                        "SELECT a.group_key, e.actor, e.subject FROM alert a"
                            + " LEFT JOIN audit_event e ON e.event_id = a.trigger_event"
                            + " WHERE a.id = $1")
                    .execute(Tuple.of(id))
                    .chain(
                        rows -> {
                          if (rows.size() == 0) {
                            return Uni.createFrom().item(Acknowledgement.UNKNOWN);
                          }
                          Row about = rows.iterator().next();
                          if (caller == null || isAbout(about, caller)) {
                            return recorded(transaction, "alert_ack_refused", id)
                                .replaceWith(Acknowledgement.ABOUT_CALLER);
                          }
                          return transaction
                              .preparedQuery(
                                  "UPDATE alert SET acknowledged_at = $2, acknowledged_by = $3"
                                      + " WHERE id = $1 AND acknowledged_at IS NULL")
                              .execute(
                                  Tuple.of(
                                      id,
                                      OffsetDateTime.now(clock)
                                          .withOffsetSameInstant(ZoneOffset.UTC),
                                      caller))
                              .chain(() -> recorded(transaction, "alert_ack", id))
                              .replaceWith(Acknowledgement.DONE);
                        }))
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

  /** Whether the alert's group, or its trigger event's actor or subject, is the caller. */
  private static boolean isAbout(Row about, String caller) {
    for (int column = 0; column < about.size(); column++) {
      if (Objects.equals(about.getString(column), caller)) {
        return true;
      }
    }
    return false;
  }

  private Uni<Void> recorded(SqlConnection transaction, String what, UUID alert) {
    return audit.record(transaction, what, alert.toString(), Map.of("alert", alert.toString()));
  }
}
