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
import java.util.Map;
import java.util.Set;

/**
 * OAuth 2.0 client credentials grant (RFC 6749 section 4.4) for service-to-service calls: a client
 * authenticates with HTTP Basic ({@link ClientAuthenticator}) and gets a short-lived token whose
 * {@code aud} lists only the services it may call. Every outcome is recorded as a security event;
 * attempts are rate limited per address like logins.
 */
@ApplicationScoped
public class ClientCredentialsService {

  /** The role every service token carries. */
  public static final String SERVICE_ROLE = "service";

  /** The grant type this service answers. */
  public static final String GRANT_TYPE = "client_credentials";

  private final AuthConfig config;
  private final AccessTokenIssuer issuer;
  private final LoginService logins;
  private final ClientAuthenticator clients;
  private final SecurityEvents events;

  ClientCredentialsService(
      AuthConfig config,
      AccessTokenIssuer issuer,
      LoginService logins,
      ClientAuthenticator clients,
      SecurityEvents events) {
    this.config = config;
    this.issuer = issuer;
    this.logins = logins;
    this.clients = clients;
    this.events = events;
  }

  /**
   * A token for the client named in the Basic {@code authorization} header, or a problem; any grant
   * type other than {@link #GRANT_TYPE} (null: absent or repeated) is refused after the rate limit.
   */
  public Uni<TokenResponse> issue(String grantType, String authorization, RequestMetadata meta) {
    return logins
        .enforceRateLimit("token", config.rateLimit().loginPerMinute(), meta)
        .chain(
            () ->
                GRANT_TYPE.equals(grantType)
                    ? clients.authenticate(authorization, meta)
                    : Uni.createFrom()
                        .<ClientAuthenticator.AuthenticatedClient>failure(
                            AuthProblems.unsupportedGrantType()))
        .chain(
            client ->
                issuer
                    .issue(
                        client.id(), client.id(), Set.of(SERVICE_ROLE), client.config().audiences())
                    .call(
                        token ->
                            Panache.withTransaction(
                                () ->
                                    events.record(
                                        AuthEvents.CLIENT_TOKEN_ISSUED,
                                        Severity.INFO,
                                        client.id(),
                                        client.id(),
                                        Map.of(
                                            "audiences",
                                            String.join(",", client.config().audiences())),
                                        meta)))
                    .map(
                        token ->
                            new TokenResponse(token.token(), "Bearer", token.expiresIn(), null)));
  }
}
