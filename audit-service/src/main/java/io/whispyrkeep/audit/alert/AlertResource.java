package io.whispyrkeep.audit.alert;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
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
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Alerts raised by the rules, for the security team: list and acknowledge (audited). */
@Path("/audit/alerts")
@RolesAllowed("security")
@Produces(MediaType.APPLICATION_JSON)
public class AlertResource {

  private final AlertService alerts;
  private final SecurityIdentity identity;

  AlertResource(AlertService alerts, SecurityIdentity identity) {
    this.alerts = alerts;
    this.identity = identity;
  }

  @Operation(summary = "Alerts raised by the rules, newest first (security role; audited)")
  @APIResponse(responseCode = "200", description = "Alerts")
  @GET
  public Uni<List<AlertService.AlertResponse>> list(
      @QueryParam("open") Boolean openOnly, @QueryParam("limit") Integer limit) {
    int pageSize = limit == null ? 100 : limit;
    if (pageSize < 1 || pageSize > 500) {
      throw new ProblemException(ProblemType.BAD_REQUEST, "limit must be between 1 and 500.");
    }
    return alerts.list(Boolean.TRUE.equals(openOnly), pageSize);
  }

  @Operation(summary = "Acknowledge an alert (never one about yourself; audited)")
  @APIResponse(responseCode = "204", description = "Acknowledged")
  @APIResponse(responseCode = "404", description = "No such alert")
  @POST
  @Path("{id}/ack")
  public Uni<Response> acknowledge(@PathParam("id") UUID id) {
    return alerts
        .acknowledge(id, SecurityEventFactory.actorOf(identity))
        .replaceWith(() -> Response.noContent().build());
  }
}
