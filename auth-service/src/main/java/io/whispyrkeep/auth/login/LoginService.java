package io.whispyrkeep.auth.login;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.auth.AuthEvents;
import io.whispyrkeep.auth.AuthProblems;
import io.whispyrkeep.auth.account.Account;
import io.whispyrkeep.auth.account.AccountRepository;
import io.whispyrkeep.auth.account.EmailAddresses;
import io.whispyrkeep.auth.config.AuthConfig;
import io.whispyrkeep.auth.lockout.LockoutService;
import io.whispyrkeep.auth.password.HashingExecutor;
import io.whispyrkeep.auth.password.PasswordHasher;
import io.whispyrkeep.auth.ratelimit.RateLimiter;
import io.whispyrkeep.auth.token.AccessTokenIssuer;
import io.whispyrkeep.auth.token.RefreshTokenService;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * Sign-in, token refresh and logout. Wrong password, unknown email and locked account end in the
 * same 401 after the same work: an unknown email still costs one argon2id hash (against a dummy
 * hash made at start-up), and a locked account is still hashed. Counters and events commit before
 * the 401 is returned, so a failure is never lost with the response.
 */
@ApplicationScoped
@Startup // makes the dummy hash at start-up, not on the first login's event loop
public class LoginService {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final AccountRepository accounts;
  private final PasswordHasher hasher;
  private final HashingExecutor hashing;
  private final LockoutService lockout;
  private final RateLimiter rateLimiter;
  private final AccessTokenIssuer accessTokens;
  private final RefreshTokenService refreshTokens;
  private final AuthEvents events;
  private final AuthConfig config;
  private final String dummyHash;

  LoginService(
      AccountRepository accounts,
      PasswordHasher hasher,
      HashingExecutor hashing,
      LockoutService lockout,
      RateLimiter rateLimiter,
      AccessTokenIssuer accessTokens,
      RefreshTokenService refreshTokens,
      AuthEvents events,
      AuthConfig config) {
    this.accounts = accounts;
    this.hasher = hasher;
    this.hashing = hashing;
    this.lockout = lockout;
    this.rateLimiter = rateLimiter;
    this.accessTokens = accessTokens;
    this.refreshTokens = refreshTokens;
    this.events = events;
    this.config = config;
    byte[] random = new byte[24];
    RANDOM.nextBytes(random);
    this.dummyHash = hasher.hash(Base64.getEncoder().encodeToString(random).toCharArray());
  }

  /** What the database said before the hash: the account (or none) and whether it is locked. */
  private record Attempt(Account account, boolean locked) {}

  /** What the hash said. */
  private record Verdict(Attempt attempt, boolean passwordMatches, String upgradedHash) {}

  public Uni<TokenResponse> login(LoginRequest request, RequestMetadata meta) {
    String email = EmailAddresses.normalise(request.email()).orElse(null);
    String password = request.password() == null ? "" : request.password();
    return enforceRateLimit("login", config.rateLimit().loginPerMinute(), meta)
        .chain(() -> Panache.withSession(() -> attempt(email, meta)))
        .chain(attempt -> hashing.submit(() -> verify(attempt, password)))
        .chain(verdict -> Panache.withTransaction(() -> conclude(verdict, email, meta)))
        .onItem()
        .ifNull()
        .failWith(AuthProblems::invalidCredentials);
  }

  private Uni<Attempt> attempt(String email, RequestMetadata meta) {
    if (email == null || email.length() > 254) {
      return Uni.createFrom().item(new Attempt(null, false));
    }
    return accounts
        .findByEmail(email)
        .chain(
            account ->
                account == null
                    ? Uni.createFrom().item(new Attempt(null, false))
                    : lockout
                        .isLocked(account, meta.clientIp())
                        .map(locked -> new Attempt(account, locked)));
  }

  private Verdict verify(Attempt attempt, String password) {
    char[] chars = password.toCharArray();
    try {
      if (attempt.account() == null) {
        hasher.verify(dummyHash, chars);
        return new Verdict(attempt, false, null);
      }
      boolean matches = hasher.verify(attempt.account().passwordHash, chars);
      String upgraded =
          matches && !attempt.locked() && hasher.needsRehash(attempt.account().passwordHash)
              ? hasher.hash(chars)
              : null;
      return new Verdict(attempt, matches, upgraded);
    } finally {
      java.util.Arrays.fill(chars, '\0');
    }
  }

  private Uni<TokenResponse> conclude(Verdict verdict, String email, RequestMetadata meta) {
    Account account = verdict.attempt().account();
    if (account == null) {
      return failure(null, email, "unknown_account", meta);
    }
    if (verdict.attempt().locked()) {
      return failure(account, email, "locked", meta);
    }
    if (!verdict.passwordMatches()) {
      return lockout
          .recordFailure(account, meta)
          .chain(() -> failure(account, email, "bad_credentials", meta));
    }
    return accounts
        .findById(account.id)
        .chain(
            current -> {
              if (verdict.upgradedHash() != null) {
                current.passwordHash = verdict.upgradedHash();
              }
              return lockout
                  .recordSuccess(current)
                  .chain(() -> refreshTokens.startFamily(current.id))
                  .call(
                      () ->
                          events.record(
                              AuthEvents.LOGIN_SUCCESS,
                              Severity.INFO,
                              current.id.toString(),
                              current.id.toString(),
                              verdict.upgradedHash() == null
                                  ? Map.of()
                                  : Map.of("passwordHashUpgraded", "true"),
                              meta))
                  .map(refresh -> tokens(current, refresh));
            });
  }

  private Uni<TokenResponse> failure(
      Account account, String email, String reason, RequestMetadata meta) {
    String accountId = account == null ? null : account.id.toString();
    Map<String, String> details =
        email == null ? Map.of("reason", reason) : Map.of("reason", reason, "email", email);
    return events
        .record(AuthEvents.LOGIN_FAILURE, Severity.NOTICE, null, accountId, details, meta)
        .replaceWith(() -> null);
  }

  /** Rotates a refresh token into a new token pair. */
  public Uni<TokenResponse> refresh(RefreshRequest request, RequestMetadata meta) {
    return Panache.withTransaction(
            () ->
                refreshTokens
                    .rotate(request.refreshToken(), meta)
                    .chain(
                        rotation ->
                            !rotation.succeeded()
                                ? Uni.createFrom().<TokenResponse>nullItem()
                                : accounts
                                    .findById(rotation.accountId())
                                    .map(
                                        account ->
                                            account == null
                                                ? null
                                                : tokens(account, rotation.newToken()))))
        .onItem()
        .ifNull()
        .failWith(AuthProblems::invalidRefreshToken);
  }

  /** Revokes the presented token's family when it is the caller's. */
  public Uni<Void> logout(RefreshRequest request, UUID accountId, RequestMetadata meta) {
    return Panache.withTransaction(
        () ->
            refreshTokens
                .revokeFamilyOf(request.refreshToken(), accountId)
                .chain(
                    revoked ->
                        events.record(
                            AuthEvents.LOGOUT,
                            Severity.INFO,
                            accountId.toString(),
                            accountId.toString(),
                            Map.of("familyRevoked", revoked.toString()),
                            meta)));
  }

  private TokenResponse tokens(Account account, String refreshToken) {
    AccessTokenIssuer.IssuedToken access =
        accessTokens.issue(
            account.id.toString(),
            account.email,
            account.roleSet(),
            config.token().userAudiences());
    return new TokenResponse(access.token(), "Bearer", access.expiresIn(), refreshToken);
  }

  /** Counts the request against the address's limit; over it, records the event and fails. */
  public Uni<Void> enforceRateLimit(String action, int perMinute, RequestMetadata meta) {
    String address = meta.clientIp() == null ? "unknown" : meta.clientIp();
    return rateLimiter
        .hit(action + ":" + address, perMinute)
        .chain(
            decision ->
                decision.allowed()
                    ? Uni.createFrom().voidItem()
                    : Panache.withTransaction(
                            () ->
                                events.record(
                                    AuthEvents.RATE_LIMITED,
                                    Severity.WARNING,
                                    null,
                                    null,
                                    Map.of(
                                        "action",
                                        action,
                                        "limitPerMinute",
                                        Integer.toString(perMinute)),
                                    meta))
                        .chain(
                            () ->
                                Uni.createFrom()
                                    .failure(
                                        AuthProblems.rateLimited(decision.retryAfterSeconds()))));
  }
}
