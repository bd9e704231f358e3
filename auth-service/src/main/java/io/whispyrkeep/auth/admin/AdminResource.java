package io.whispyrkeep.auth.admin;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Admin operations on accounts: unlock, grant and revoke roles. */
@Path("/auth/users/{id}")
@RolesAllowed("admin")
public class AdminResource {

  private final AdminService admin;
  private final JsonWebToken jwt;

  AdminResource(AdminService admin, JsonWebToken jwt) {
    this.admin = admin;
    this.jwt = jwt;
  }

  @Operation(summary = "Clear every lock and counter of an account (admin)")
  @APIResponse(responseCode = "204", description = "Unlocked")
  @APIResponse(responseCode = "404", description = "No such account")
  @POST
  @Path("unlock")
  public Uni<Response> unlock(@PathParam("id") UUID id, RoutingContext context) {
    return admin
        .unlock(id, jwt.getSubject(), RequestMetadata.from(context))
        .replaceWith(Response.noContent().build());
  }

  @Operation(summary = "Grant a role to an account (admin; never to oneself)")
  @APIResponse(responseCode = "204", description = "Granted")
  @APIResponse(responseCode = "404", description = "No such account")
  @APIResponse(
      responseCode = "403",
      description = "Own roles cannot be changed (problem type own-roles)")
  @POST
  @Path("roles")
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<Response> grant(
      @PathParam("id") UUID id, @Valid @NotNull RoleRequest request, RoutingContext context) {
    return admin
        .grant(id, request.role(), jwt.getSubject(), RequestMetadata.from(context))
        .replaceWith(Response.noContent().build());
  }

  @Operation(
      summary = "Revoke a role from an account (admin; never from oneself, never the last admin)")
  @APIResponse(responseCode = "204", description = "Revoked")
  @APIResponse(responseCode = "404", description = "No such account")
  @APIResponse(
      responseCode = "409",
      description = "The last admin cannot lose the role (problem type last-admin)")
  @DELETE
  @Path("roles/{role}")
  public Uni<Response> revoke(
      @PathParam("id") UUID id, @PathParam("role") String role, RoutingContext context) {
    return admin
        .revoke(id, role, jwt.getSubject(), RequestMetadata.from(context))
        .replaceWith(Response.noContent().build());
  }
}
