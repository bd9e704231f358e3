package io.whispyrkeep.keyvault.key;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * A player's own provider keys. Every path acts on the caller's keys only (the token's {@code
 * sub}); no path takes a user id.
 */
@Path("/keys")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class KeyResource {

  private final KeyService keys;
  private final JsonWebToken jwt;

  KeyResource(KeyService keys, JsonWebToken jwt) {
    this.keys = keys;
    this.jwt = jwt;
  }

  @Operation(summary = "Store or replace the caller's API key for a provider (encrypted at once)")
  @APIResponse(responseCode = "201", description = "Stored (metadata only)")
  @APIResponse(responseCode = "200", description = "Replaced (metadata only)")
  @APIResponse(responseCode = "400", description = "Key or base URL not valid for the provider")
  @APIResponse(responseCode = "404", description = "Unknown provider")
  @APIResponse(responseCode = "429", description = "More than 10 key changes in an hour")
  @APIResponse(responseCode = "503", description = "Key custody unavailable; nothing stored")
  @PUT
  @Path("/{provider}")
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<Response> store(
      @PathParam("provider") String provider, StoreKeyRequest request, RoutingContext context) {
    return keys.store(PlayerId.of(jwt), provider, request, RequestMetadata.from(context))
        .map(stored -> Response.status(stored.created() ? 201 : 200).entity(stored.key()).build());
  }

  @Operation(summary = "The caller's stored keys, as metadata")
  @APIResponse(responseCode = "200", description = "Metadata of each stored key")
  @GET
  public Uni<List<KeyResponse>> list() {
    return keys.list(PlayerId.of(jwt));
  }

  @Operation(summary = "The caller's key for one provider, as metadata")
  @APIResponse(responseCode = "200", description = "Metadata of the key")
  @APIResponse(responseCode = "404", description = "No key stored, or unknown provider")
  @GET
  @Path("/{provider}")
  public Uni<KeyResponse> get(@PathParam("provider") String provider) {
    return keys.get(PlayerId.of(jwt), provider);
  }

  @Operation(summary = "Delete the caller's key for a provider (the encrypted row is removed)")
  @APIResponse(responseCode = "204", description = "Deleted")
  @APIResponse(responseCode = "404", description = "No key stored, or unknown provider")
  @APIResponse(responseCode = "429", description = "More than 10 key changes in an hour")
  @DELETE
  @Path("/{provider}")
  public Uni<Response> delete(@PathParam("provider") String provider, RoutingContext context) {
    return keys.delete(PlayerId.of(jwt), provider, RequestMetadata.from(context))
        .map(nothing -> Response.noContent().build());
  }
}
