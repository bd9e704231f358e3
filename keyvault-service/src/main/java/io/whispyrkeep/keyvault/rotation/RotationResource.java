package io.whispyrkeep.keyvault.rotation;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.keyvault.custody.TransitKeyInfo;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Admin operations on the transit key: rotation, rewrap, minimum decryption version. */
@Path("/admin/keys")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class RotationResource {

  private final RewrapService rewrap;
  private final JsonWebToken jwt;

  RotationResource(RewrapService rewrap, JsonWebToken jwt) {
    this.rewrap = rewrap;
    this.jwt = jwt;
  }

  @Operation(summary = "Rotate the transit key: new keys are encrypted under a new version")
  @APIResponse(responseCode = "200", description = "The key's newest and minimum versions")
  @APIResponse(responseCode = "503", description = "Key custody unavailable")
  @POST
  @Path("/rotate")
  public Uni<TransitKeyInfo> rotate(RoutingContext context) {
    return rewrap.rotate(jwt.getSubject(), RequestMetadata.from(context));
  }

  @Operation(summary = "Start (or resume) a rewrap of every stored key to the newest version")
  @APIResponse(responseCode = "202", description = "Started or already running; its progress")
  @APIResponse(responseCode = "503", description = "Key custody unavailable")
  @POST
  @Path("/rewrap")
  public Uni<Response> startRewrap(RoutingContext context) {
    return rewrap
        .start(jwt.getSubject(), RequestMetadata.from(context))
        .map(progress -> Response.accepted(progress).build());
  }

  @Operation(summary = "Progress of the latest rewrap and how many keys are behind")
  @APIResponse(responseCode = "200", description = "Progress")
  @GET
  @Path("/rewrap")
  public Uni<RewrapService.Progress> rewrapProgress() {
    return rewrap.progress();
  }

  @Operation(summary = "Raise the minimum decryption version (only once no stored key is older)")
  @APIResponse(responseCode = "200", description = "The key's newest and minimum versions")
  @APIResponse(responseCode = "400", description = "Version out of range")
  @APIResponse(responseCode = "409", description = "Stored keys older than that version remain")
  @POST
  @Path("/min-decryption-version")
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<TransitKeyInfo> raiseMinDecryptionVersion(
      @Valid @NotNull MinDecryptionVersionRequest request, RoutingContext context) {
    return rewrap.raiseMinDecryptionVersion(
        request.version(), jwt.getSubject(), RequestMetadata.from(context));
  }
}
