package io.whispyrkeep.auth.token;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** The public key set every service verifies auth-service's tokens with. */
@Path("/auth/jwks")
@PermitAll
public class JwksResource {

  private final SigningKeys keys;

  JwksResource(SigningKeys keys) {
    this.keys = keys;
  }

  @Operation(summary = "The public keys that verify access tokens (RFC 7517 JWK Set)")
  @APIResponse(responseCode = "200", description = "JWK Set")
  @GET
  @Produces({"application/jwk-set+json", "application/json"})
  public String jwks() {
    return keys.jwksJson();
  }
}
