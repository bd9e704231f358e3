package io.whispyrkeep.audit.alert;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.whispyrkeep.audit.query.QueryAudit;
import io.whispyrkeep.platform.event.SecurityEventFactory;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Alerts raised by the rules, for the security team: list and acknowledge (audited). */
@Path("/audit/alerts")
@RolesAllowed("security")
@Produces(MediaType.APPLICATION_JSON)
public class AlertResource {

  private final Pool pool;
  private final QueryAudit audit;
  private final SecurityIdentity identity;
  private final Clock clock;

  AlertResource(Pool pool, QueryAudit audit, SecurityIdentity identity, Clock clock) {
    this.pool = pool;
    this.audit = audit;
    this.identity = identity;
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

  @GET
  public Uni<List<AlertResponse>> list(
      @QueryParam("open") Boolean openOnly, @QueryParam("limit") Integer limit) {
    int pageSize = limit == null ? 100 : limit;
    if (pageSize < 1 || pageSize > 500) {
      throw new ProblemException(ProblemType.BAD_REQUEST, "limit must be between 1 and 500.");
    }
    String where = Boolean.TRUE.equals(openOnly) ? " WHERE acknowledged_at IS NULL" : "";
    return audited("alerts", null)
        .chain(
            () ->
                pool.preparedQuery(
                        "SELECT * FROM alert"
                            + where
                            + " ORDER BY raised_at DESC, id DESC LIMIT $1")
                    .execute(Tuple.of(pageSize)))
        .map(
            rows -> {
              List<AlertResponse> alerts = new ArrayList<>();
              for (Row row : rows) {
                alerts.add(
                    new AlertResponse(
                        row.getUUID("id"),
                        row.getString("rule"),
                        row.getString("group_key"),
                        row.getString("severity"),
                        row.getOffsetDateTime("raised_at").toInstant().toString(),
                        row.getUUID("trigger_event"),
                        row.getInteger("hits"),
                        row.getString("summary"),
                        row.getOffsetDateTime("acknowledged_at") == null
                            ? null
                            : row.getOffsetDateTime("acknowledged_at").toInstant().toString(),
                        row.getString("acknowledged_by")));
              }
              return alerts;
            });
  }

  @POST
  @Path("{id}/ack")
  public Uni<Response> acknowledge(@PathParam("id") UUID id) {
    String actor = SecurityEventFactory.actorOf(identity);
    return pool.preparedQuery(
            "UPDATE alert SET acknowledged_at = $2, acknowledged_by = $3"
                + " WHERE id = $1 AND acknowledged_at IS NULL")
        .execute(
            Tuple.of(id, OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC), actor))
        .chain(
            result ->
                pool.preparedQuery("SELECT 1 FROM alert WHERE id = $1")
                    .execute(Tuple.of(id))
                    .map(rows -> rows.size() > 0))
        .chain(
            exists ->
                exists
                    ? audited("alert_ack", id.toString()).replaceWith(Response.noContent().build())
                    : Uni.createFrom()
                        .failure(
                            new ProblemException(ProblemType.NOT_FOUND, "No alert with this id.")));
  }

  private Uni<Void> audited(String what, String alertId) {
    return audit.record(what, alertId, alertId == null ? Map.of() : Map.of("alert", alertId));
  }
}
