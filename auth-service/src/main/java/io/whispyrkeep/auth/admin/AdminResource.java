package io.whispyrkeep.auth.admin;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

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

  @POST
  @Path("unlock")
  public Uni<Response> unlock(@PathParam("id") UUID id, RoutingContext context) {
    return admin
        .unlock(id, jwt.getSubject(), RequestMetadata.from(context))
        .replaceWith(Response.noContent().build());
  }

  @POST
  @Path("roles")
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<Response> grant(
      @PathParam("id") UUID id, RoleRequest request, RoutingContext context) {
    return admin
        .grant(
            id,
            request == null ? null : request.role(),
            jwt.getSubject(),
            RequestMetadata.from(context))
        .replaceWith(Response.noContent().build());
  }

  @DELETE
  @Path("roles/{role}")
  public Uni<Response> revoke(
      @PathParam("id") UUID id, @PathParam("role") String role, RoutingContext context) {
    return admin
        .revoke(id, role, jwt.getSubject(), RequestMetadata.from(context))
        .replaceWith(Response.noContent().build());
  }
}
