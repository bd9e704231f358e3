package io.whispyrkeep.keyvault.broker;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.keyvault.outbound.ChatCompletion;
import io.whispyrkeep.keyvault.outbound.ChatRequest;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The outbound broker: an allowed service, acting for a player through a delegated token (RFC
 * 8693), has the player's own key used for one chat call to a provider. Never reachable through the
 * ingress (internal path).
 */
@Path("/internal/llm")
@Authenticated
public class BrokerResource {

  private final BrokerService broker;
  private final JsonWebToken jwt;

  BrokerResource(BrokerService broker, JsonWebToken jwt) {
    this.broker = broker;
    this.jwt = jwt;
  }

  @Operation(summary = "Chat completion with the player's own key (delegated token only)")
  @APIResponse(responseCode = "200", description = "The provider's answer: content and usage")
  @APIResponse(responseCode = "400", description = "Request outside its bounds")
  @APIResponse(responseCode = "403", description = "Not a delegated token of an allowed service")
  @APIResponse(responseCode = "404", description = "Unknown provider")
  @APIResponse(responseCode = "409", description = "No key stored (key-not-configured) or unusable")
  @APIResponse(responseCode = "502", description = "The provider failed (upstream-error)")
  @APIResponse(responseCode = "503", description = "Custody, provider timeout or circuit open")
  @POST
  @Path("/{provider}/chat")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<ChatCompletion> chat(
      @PathParam("provider") String provider,
      @Valid @NotNull ChatRequest request,
      RoutingContext context) {
    return broker.chat(jwt, provider, request, RequestMetadata.from(context));
  }
}
