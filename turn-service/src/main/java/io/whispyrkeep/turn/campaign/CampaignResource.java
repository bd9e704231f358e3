package io.whispyrkeep.turn.campaign;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.platform.http.RequestMetadata;
import io.whispyrkeep.turn.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
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

/**
 * A player's campaigns. Every path acts on the caller's campaigns only (the token's {@code sub});
 * another player's campaign is a 404, like one that does not exist.
 */
@Path("/campaigns")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class CampaignResource {

  private final CampaignService campaigns;
  private final JsonWebToken jwt;

  CampaignResource(CampaignService campaigns, JsonWebToken jwt) {
    this.campaigns = campaigns;
    this.jwt = jwt;
  }

  @Operation(summary = "Start a campaign from the default state")
  @APIResponse(responseCode = "201", description = "Created")
  @APIResponse(responseCode = "400", description = "Name or provider not valid")
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<Response> create(
      @Valid @NotNull CreateCampaignRequest request, RoutingContext context) {
    return campaigns
        .create(jwt.getSubject(), request, RequestMetadata.from(context))
        .map(created -> Response.status(201).entity(created).build());
  }

  @Operation(summary = "The caller's campaigns, newest first")
  @APIResponse(responseCode = "200", description = "A page; next is the cursor of the next one")
  @APIResponse(responseCode = "400", description = "limit out of range or cursor not valid")
  @GET
  public Uni<Page<CampaignResponse>> list(
      @QueryParam("limit") Integer limit, @QueryParam("cursor") String cursor) {
    return campaigns.list(jwt.getSubject(), limit, cursor);
  }

  @Operation(summary = "One of the caller's campaigns")
  @APIResponse(responseCode = "200", description = "The campaign")
  @APIResponse(responseCode = "404", description = "No such campaign of the caller")
  @GET
  @Path("/{id}")
  public Uni<CampaignResponse> get(@PathParam("id") UUID id) {
    return campaigns.get(jwt.getSubject(), id);
  }

  @Operation(summary = "A campaign's state, its version and in-game time")
  @APIResponse(responseCode = "200", description = "The state")
  @APIResponse(responseCode = "404", description = "No such campaign of the caller")
  @GET
  @Path("/{id}/state")
  public Uni<CampaignStateResponse> state(@PathParam("id") UUID id) {
    return campaigns.state(jwt.getSubject(), id);
  }
}
