package io.whispyrkeep.auth.token;

import io.whispyrkeep.auth.config.AuthConfig;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** OpenID Connect discovery, so standard clients find the issuer, keys and token endpoint. */
@Path("/.well-known/openid-configuration")
@PermitAll
public class DiscoveryResource {

  private final Map<String, Object> document;

  DiscoveryResource(
      @ConfigProperty(name = "whispyrkeep.jwt.issuer") String issuer, AuthConfig config) {
    String base = config.publicBaseUrl();
    this.document =
        Map.of(
            "issuer", issuer,
            "jwks_uri", base + "/auth/jwks",
            "token_endpoint", base + "/auth/token",
            "grant_types_supported",
                List.of("client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange"),
            "token_endpoint_auth_methods_supported", List.of("client_secret_basic"),
            "id_token_signing_alg_values_supported", List.of("RS256"),
            "response_types_supported", List.of("token"),
            "subject_types_supported", List.of("public"));
  }

  @Operation(summary = "OpenID Connect discovery document")
  @APIResponse(responseCode = "200", description = "Provider metadata")
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> discovery() {
    return document;
  }
}
