package io.whispyrkeep.turn.narrator;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** keyvault-service's broker: one chat call with the player's own key (delegated token only). */
@Path("/internal/llm")
interface BrokerApi {

  @POST
  @Path("/{provider}/chat")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  Uni<Response> chat(
      @PathParam("provider") String provider,
      @HeaderParam("Authorization") String delegatedAuthorization,
      @HeaderParam("X-Request-ID") String requestId,
      JsonNode request);
}
