package io.whispyrkeep.auth.client;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.auth.login.TokenResponse;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** The token endpoint of the client credentials grant ({@link ClientCredentialsService}). */
@Path("/auth/token")
public class ClientTokenResource {

  private final ClientCredentialsService clients;

  ClientTokenResource(ClientCredentialsService clients) {
    this.clients = clients;
  }

  @Operation(
      summary = "Client credentials grant: a service token for a service client (HTTP Basic)")
  @APIResponse(responseCode = "200", description = "Access token")
  @APIResponse(
      responseCode = "401",
      description = "Unknown client or wrong secret (problem type invalid-client)")
  @POST
  @PermitAll
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<TokenResponse> token(
      @FormParam("grant_type") String grantType,
      @HeaderParam("Authorization") String authorization,
      RoutingContext context) {
    return clients.issue(grantType, authorization, RequestMetadata.from(context));
  }
}
