package io.whispyrkeep.auth.client;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.auth.AuthEvents;
import io.whispyrkeep.auth.AuthProblems;
import io.whispyrkeep.auth.config.AuthConfig;
import io.whispyrkeep.auth.login.LoginService;
import io.whispyrkeep.auth.login.TokenResponse;
import io.whispyrkeep.auth.token.AccessTokenIssuer;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * OAuth 2.0 client credentials grant (RFC 6749 section 4.4) for service-to-service calls: a client
 * authenticates with HTTP Basic and gets a short-lived token whose {@code aud} lists only the
 * services it may call. Secrets are compared as SHA-256 digests in constant time; every outcome is
 * recorded as a security event; attempts are rate limited per address like logins.
 */
@ApplicationScoped
public class ClientCredentialsService {

  /** The role every service token carries. */
  public static final String SERVICE_ROLE = "service";

  private final AuthConfig config;
  private final AccessTokenIssuer issuer;
  private final LoginService logins;
  private final SecurityEvents events;

  ClientCredentialsService(
      AuthConfig config, AccessTokenIssuer issuer, LoginService logins, SecurityEvents events) {
    this.config = config;
    this.issuer = issuer;
    this.logins = logins;
    this.events = events;
  }

  /** A token for the client named in the Basic {@code authorization} header, or a problem. */
  public Uni<TokenResponse> issue(String grantType, String authorization, RequestMetadata meta) {
    return logins
        .enforceRateLimit("token", config.rateLimit().loginPerMinute(), meta)
        .chain(
            () -> {
              if (!"client_credentials".equals(grantType)) {
                return Uni.createFrom().failure(AuthProblems.unsupportedGrantType());
              }
              String[] credentials = basicCredentials(authorization);
              AuthConfig.Client client =
                  credentials == null ? null : config.clients().get(credentials[0]);
              if (client == null || !secretMatches(client, credentials[1])) {
                String clientId = credentials == null ? null : credentials[0];
                return Panache.withTransaction(
                        () ->
                            events.record(
                                AuthEvents.CLIENT_AUTH_FAILURE,
                                Severity.WARNING,
                                null,
                                clientId,
                                Map.of(),
                                meta))
                    .chain(() -> Uni.createFrom().failure(AuthProblems.invalidClient()));
              }
              return issuer
                  .issue(credentials[0], credentials[0], Set.of(SERVICE_ROLE), client.audiences())
                  .call(
                      token ->
                          Panache.withTransaction(
                              () ->
                                  events.record(
                                      AuthEvents.CLIENT_TOKEN_ISSUED,
                                      Severity.INFO,
                                      credentials[0],
                                      credentials[0],
                                      Map.of("audiences", String.join(",", client.audiences())),
                                      meta)))
                  .map(
                      token -> new TokenResponse(token.token(), "Bearer", token.expiresIn(), null));
            });
  }

  /** [id, secret] from a Basic header, or null when absent or malformed. */
  static String[] basicCredentials(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded =
          new String(
              Base64.getDecoder().decode(authorization.substring(6).trim()),
              StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon <= 0
          ? null
          : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean secretMatches(AuthConfig.Client client, String secret) {
    try {
      byte[] presented =
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      byte[] expected = HexFormat.of().parseHex(client.secretSha256().trim());
      return MessageDigest.isEqual(presented, expected);
    } catch (NoSuchAlgorithmException | IllegalArgumentException e) {
      return false;
    }
  }
}
