package io.whispyrkeep.turn.turn;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.platform.http.RequestMetadata;
import io.whispyrkeep.turn.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** The turns of a player's campaign. Another player's campaign is a 404. */
@Path("/campaigns/{id}/turns")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class TurnResource {

  private final TurnService turns;
  private final JsonWebToken jwt;

  TurnResource(TurnService turns, JsonWebToken jwt) {
    this.turns = turns;
    this.jwt = jwt;
  }

  @Operation(summary = "Play a turn: narrated, and its state patch applied when valid")
  @APIResponse(responseCode = "201", description = "The narrated turn (also for a repeated key)")
  @APIResponse(responseCode = "400", description = "Input not valid, or Idempotency-Key missing")
  @APIResponse(responseCode = "404", description = "No such campaign of the caller")
  @APIResponse(responseCode = "409", description = "Same key still running, or no provider key")
  @APIResponse(responseCode = "422", description = "Idempotency-Key used for another body")
  @APIResponse(responseCode = "429", description = "More than 60 turns a minute")
  @APIResponse(responseCode = "502", description = "The provider failed; the turn is stored failed")
  @APIResponse(
      responseCode = "503",
      description = "Narrator unavailable; the turn is stored failed")
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<Response> submit(
      @PathParam("id") UUID campaignId,
      @HeaderParam("Idempotency-Key") String idempotencyKey,
      @Valid @NotNull SubmitTurnRequest request,
      RoutingContext context) {
    return turns
        .submit(
            jwt.getSubject(),
            jwt.getRawToken(),
            campaignId,
            idempotencyKey,
            request,
            RequestMetadata.from(context))
        .map(turn -> Response.status(201).entity(turn).build());
  }

  @Operation(summary = "The campaign's turns, newest first")
  @APIResponse(responseCode = "200", description = "A page; next is the cursor of the next one")
  @APIResponse(responseCode = "404", description = "No such campaign of the caller")
  @GET
  public Uni<Page<TurnSummary>> list(
      @PathParam("id") UUID campaignId,
      @QueryParam("limit") Integer limit,
      @QueryParam("cursor") String cursor) {
    return turns.list(jwt.getSubject(), campaignId, limit, cursor);
  }
}
