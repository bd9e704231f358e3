package io.whispyrkeep.platform.testapp;

import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.HashMap;
import java.util.Map;

/** Test-only public endpoints (opened by {@code quarkus.http.auth.permission.test-public}). */
@Path("/public")
@PermitAll
@Produces(MediaType.APPLICATION_JSON)
public class PublicResource {

  @GET
  @Path("/ping")
  public Map<String, Boolean> ping() {
    return Map.of("ok", true);
  }

  @POST
  @Path("/echo")
  @Consumes(MediaType.APPLICATION_JSON)
  public WidgetRequest echo(WidgetRequest request) {
    return request;
  }

  /** The client address as security events would record it. */
  @GET
  @Path("/client-address")
  public Map<String, String> clientAddress(RoutingContext context) {
    Map<String, String> body = new HashMap<>();
    body.put("clientIp", RequestMetadata.from(context).clientIp());
    return body;
  }

  @GET
  @Path("/boom")
  public String boom() {
    throw new IllegalStateException(
        "internal detail: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
  }
}
