package io.whispyrkeep.auth.token;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The public key set and OpenID Connect discovery document, so every service (and any standard
 * client) can verify auth-service's tokens without sharing a secret.
 */
@Path("/")
@PermitAll
public class TokenMetadataResource {

  private final SigningKeys keys;
  private final String issuer;
  private final String publicBaseUrl;

  TokenMetadataResource(
      SigningKeys keys,
      @ConfigProperty(name = "whispyrkeep.jwt.issuer") String issuer,
      @ConfigProperty(name = "whispyrkeep.auth.public-base-url") String publicBaseUrl) {
    this.keys = keys;
    this.issuer = issuer;
    this.publicBaseUrl = publicBaseUrl;
  }

  @GET
  @Path("auth/jwks")
  @Produces("application/jwk-set+json")
  public Response jwks() {
    return Response.ok(keys.jwksJson()).build();
  }

  @GET
  @Path(".well-known/openid-configuration")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> discovery() {
    return Map.of(
        "issuer", issuer,
        "jwks_uri", publicBaseUrl + "/auth/jwks",
        "token_endpoint", publicBaseUrl + "/auth/token",
        "grant_types_supported", List.of("client_credentials", "password", "refresh_token"),
        "token_endpoint_auth_methods_supported", List.of("client_secret_basic"),
        "id_token_signing_alg_values_supported", List.of("RS256"),
        "response_types_supported", List.of("token"),
        "subject_types_supported", List.of("public"));
  }
}
