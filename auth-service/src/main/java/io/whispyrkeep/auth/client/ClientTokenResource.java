package io.whispyrkeep.auth.client;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.auth.exchange.TokenExchangeResponse;
import io.whispyrkeep.auth.exchange.TokenExchangeService;
import io.whispyrkeep.auth.login.TokenResponse;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The token endpoint for service clients: the client credentials grant ({@link
 * ClientCredentialsService}) and token exchange ({@link TokenExchangeService}), chosen by {@code
 * grant_type}.
 */
@Path("/auth/token")
public class ClientTokenResource {

  private final ClientCredentialsService clients;
  private final TokenExchangeService exchanges;

  ClientTokenResource(ClientCredentialsService clients, TokenExchangeService exchanges) {
    this.clients = clients;
    this.exchanges = exchanges;
  }

  @Operation(
      summary =
          "Token endpoint for service clients (HTTP Basic): client credentials grant, or token"
              + " exchange (RFC 8693) of a player's access token for a delegated token")
  @APIResponse(
      responseCode = "200",
      description =
          "client_credentials: a service token. Token exchange: a delegated token (sub the player,"
              + " act.sub the client, one aud, scope, no groups, at most 5 minutes)",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(oneOf = {TokenResponse.class, TokenExchangeResponse.class})))
  @APIResponse(
      responseCode = "400",
      description =
          "Refused request; the problem's error member is the RFC 6749 code: invalid_request,"
              + " invalid_grant (subject token expired, forged, foreign, a service's or delegated,"
              + " or its account deleted), unauthorized_client (may not exchange), invalid_target,"
              + " invalid_scope, unsupported_grant_type",
      content =
          @Content(
              mediaType = "application/problem+json",
              schema = @Schema(ref = "#/components/schemas/Problem")))
  @APIResponse(
      responseCode = "401",
      description =
          "Unknown client or wrong secret (problem type invalid-client, error invalid_client)",
      content =
          @Content(
              mediaType = "application/problem+json",
              schema = @Schema(ref = "#/components/schemas/Problem")))
  @POST
  @PermitAll
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<Response> token(
      @BeanParam TokenRequest form,
      @HeaderParam("Authorization") String authorization,
      RoutingContext context) {
    RequestMetadata meta = RequestMetadata.from(context);
    String grantType = form.singleGrantType();
    Uni<?> response =
        TokenExchangeService.GRANT_TYPE.equals(grantType)
            ? exchanges.exchange(form, authorization, meta)
            : clients.issue(grantType, authorization, meta);
    return response.map(body -> Response.ok(body).build());
  }
}
