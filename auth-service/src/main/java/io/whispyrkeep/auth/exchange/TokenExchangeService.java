package io.whispyrkeep.auth.exchange;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.auth.AuthEvents;
import io.whispyrkeep.auth.account.AccountRepository;
import io.whispyrkeep.auth.client.ClientAuthenticator;
import io.whispyrkeep.auth.client.ClientAuthenticator.AuthenticatedClient;
import io.whispyrkeep.auth.client.TokenRequest;
import io.whispyrkeep.auth.config.AuthConfig;
import io.whispyrkeep.auth.login.LoginService;
import io.whispyrkeep.auth.token.AccessTokenIssuer;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * OAuth 2.0 Token Exchange (RFC 8693) for delegation: a service client (HTTP Basic, {@link
 * ClientAuthenticator}) presents a player's access token and gets a short-lived token that lets it
 * act for that player towards one other service, for the scopes it names: {@code sub} the player,
 * {@code act.sub} the client, {@code aud} the one requested audience, {@code scope} the requested
 * scopes, no {@code groups} (a delegated token carries only what the delegate needs, so it passes
 * no role check anywhere; the receiving service authorises it by scope). It lives at most {@code
 * whispyrkeep.auth.exchange.token-lifetime} (5 minutes) and never past the player's token.
 *
 * <p>A client may exchange only for the audiences and scopes configured for it ({@code
 * whispyrkeep.auth.clients.<id>.exchange.*}, none by default). The subject token must be a current
 * player token that auth-service signed and whose {@code aud} names the client ({@link
 * SubjectTokenVerifier}), of an account that still exists. Requests that do not authenticate the
 * client count against the token endpoint's per-address rate limit (an authenticated client's do
 * not: one service exchanges for every player from one address); each exchange is recorded as
 * {@code auth.token_exchanged}, each refusal of an authenticated client as {@code
 * auth.token_exchange_refused} with the error and the reason the client is not told.
 */
@ApplicationScoped
@Startup // so a lifetime above the maximum stops the service at start-up, not at first exchange
public class TokenExchangeService {

  /** The grant type of token exchange (RFC 8693 section 2.1). */
  public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";

  /** Longest delegated-token lifetime accepted at start-up. */
  public static final Duration MAX_LIFETIME = Duration.ofMinutes(5);

  /** Longest requested audience or scope copied into a refusal event. */
  private static final int MAX_EVENT_TEXT = 100;

  private final AuthConfig config;
  private final ClientAuthenticator clients;
  private final SubjectTokenVerifier verifier;
  private final AccountRepository accounts;
  private final AccessTokenIssuer issuer;
  private final LoginService logins;
  private final SecurityEvents events;
  private final Duration lifetime;

  TokenExchangeService(
      AuthConfig config,
      ClientAuthenticator clients,
      SubjectTokenVerifier verifier,
      AccountRepository accounts,
      AccessTokenIssuer issuer,
      LoginService logins,
      SecurityEvents events,
      @ConfigProperty(name = "whispyrkeep.jwt.audience") String ownAudience) {
    this.config = config;
    this.clients = clients;
    this.verifier = verifier;
    this.accounts = accounts;
    this.issuer = issuer;
    this.logins = logins;
    this.events = events;
    this.lifetime = checkedLifetime(config.exchange().tokenLifetime());
    checkAudiences(config.clients(), ownAudience);
  }

  /** Refuses lifetimes that are not positive or exceed {@link #MAX_LIFETIME}. */
  static Duration checkedLifetime(Duration lifetime) {
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
      throw new IllegalStateException(
          "whispyrkeep.auth.exchange.token-lifetime must be between 1 s and 5 min, was "
              + lifetime);
    }
    return lifetime;
  }

  /**
   * Refuses a client allowed to exchange for auth-service itself: its endpoints authorise by role
   * and account, not by scope, so a delegated token there would act as the player in full.
   */
  static void checkAudiences(Map<String, AuthConfig.Client> clients, String ownAudience) {
    clients.forEach(
        (id, client) -> {
          if (client.exchange().audiences().orElse(Set.of()).contains(ownAudience)) {
            throw new IllegalStateException(
                "whispyrkeep.auth.clients."
                    + id
                    + ".exchange.audiences must not name "
                    + ownAudience);
          }
        });
  }

  /** A delegated token for the authenticated client, or a problem (see the class comment). */
  public Uni<TokenExchangeResponse> exchange(
      TokenRequest form, String authorization, RequestMetadata meta) {
    // An authenticated client is not counted against its address: turn-service exchanges once per
    // player turn from one address, and the per-address limit (30 a minute, shared with anyone
    // else there) would cap every player's narration together. Unauthenticated attempts are.
    Optional<AuthenticatedClient> known = clients.verified(authorization);
    Uni<AuthenticatedClient> authenticated =
        known.isPresent()
            ? Uni.createFrom().item(known.get())
            : logins
                .enforceRateLimit("token", config.rateLimit().loginPerMinute(), meta)
                .chain(() -> clients.authenticate(authorization, meta));
    return authenticated.chain(
        client ->
            Uni.createFrom()
                .deferred(
                    () ->
                        exchange(
                            client, ExchangeRequest.of(form, client.config().exchange()), meta))
                .onFailure(ExchangeRefusal.class)
                .recoverWithUni(failure -> refused(client, form, (ExchangeRefusal) failure, meta)));
  }

  private Uni<TokenExchangeResponse> exchange(
      AuthenticatedClient client, ExchangeRequest request, RequestMetadata meta) {
    SubjectTokenVerifier.SubjectToken subject =
        verifier.verify(request.subjectToken(), client.id());
    String playerId = subject.accountId().toString();
    return Panache.withSession(() -> accounts.findById(subject.accountId()))
        .chain(
            account -> {
              if (account == null) {
                // Deleted since the token was issued: the player can no longer be acted for.
                return Uni.createFrom()
                    .failure(ExchangeRefusal.invalidGrant("unknown_account", playerId));
              }
              return issuer.issueDelegated(
                  playerId,
                  client.id(),
                  request.audience(),
                  request.scope(),
                  lifetime,
                  subject.expiresAt());
            })
        .chain(
            token -> {
              if (token.expiresIn() <= 0) {
                // The subject token expired while this request waited for a signing thread.
                return Uni.createFrom().failure(ExchangeRefusal.invalidGrant("expired", playerId));
              }
              return Panache.withTransaction(
                      () ->
                          events.record(
                              AuthEvents.TOKEN_EXCHANGED,
                              Severity.INFO,
                              client.id(),
                              playerId,
                              Map.of(
                                  "audience", request.audience(),
                                  "scope", request.scope(),
                                  "expiresAt", token.expiresAt().toString(),
                                  "subjectJti", String.valueOf(subject.tokenId())),
                              meta))
                  .replaceWith(
                      new TokenExchangeResponse(
                          token.token(),
                          ExchangeRequest.ACCESS_TOKEN_TYPE,
                          "Bearer",
                          token.expiresIn(),
                          request.scope()));
            });
  }

  /** Records the refusal, then fails with its problem. */
  private Uni<TokenExchangeResponse> refused(
      AuthenticatedClient client,
      TokenRequest form,
      ExchangeRefusal refusal,
      RequestMetadata meta) {
    Map<String, String> details = new TreeMap<>();
    details.put("error", refusal.error().code());
    details.put("reason", refusal.reason());
    requested(form.audience()).ifPresent(audience -> details.put("audience", audience));
    requested(form.scope()).ifPresent(scope -> details.put("scope", scope));
    return Panache.withTransaction(
            () ->
                events.record(
                    AuthEvents.TOKEN_EXCHANGE_REFUSED,
                    refusal.error() == ExchangeRefusal.Error.INVALID_GRANT
                        ? Severity.WARNING
                        : Severity.NOTICE,
                    client.id(),
                    refusal.subject(),
                    details,
                    meta))
        .chain(() -> Uni.createFrom().failure(refusal.toProblem()));
  }

  /** What the client asked for, for the event: values joined, cut short (the factory cleans). */
  private static Optional<String> requested(List<String> values) {
    if (values.isEmpty()) {
      return Optional.empty();
    }
    String joined = String.join(",", values);
    return Optional.of(
        joined.length() <= MAX_EVENT_TEXT ? joined : joined.substring(0, MAX_EVENT_TEXT));
  }
}
