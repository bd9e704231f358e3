package io.whispyrkeep.turn.narrator;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** auth-service's token endpoint, for the token exchange (RFC 8693); see {@link NarratorClient}. */
@Path("/auth")
interface AuthTokenApi {

  @POST
  @Path("/token")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces(MediaType.APPLICATION_JSON)
  Uni<Response> exchange(
      @HeaderParam("Authorization") String clientAuthorization,
      @HeaderParam("X-Request-ID") String requestId,
      @FormParam("grant_type") String grantType,
      @FormParam("subject_token") String subjectToken,
      @FormParam("subject_token_type") String subjectTokenType,
      @FormParam("audience") String audience,
      @FormParam("scope") String scope);
}
