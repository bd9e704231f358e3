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
import io.whispyrkeep.auth.lockout.DeviceTokens;
import io.whispyrkeep.auth.lockout.LockoutService;
import io.whispyrkeep.auth.password.HashingExecutor;
import io.whispyrkeep.auth.password.PasswordHasher;
import io.whispyrkeep.auth.token.AccessTokenIssuer;
import io.whispyrkeep.auth.token.RefreshTokenService;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.RequestMetadata;
import io.whispyrkeep.platform.ratelimit.RateLimiter;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * Sign-in, token refresh and logout. Wrong password, unknown email, locked address and unknown
 * device during an attack end in the same 401 after the same work: an unknown email still costs one
 * argon2id hash (against a dummy hash made at start-up), and a locked account is still hashed.
 * Counters and events commit before the 401 is returned, so a failure is never lost with the
 * response.
 */
@ApplicationScoped
@Startup // makes the dummy hash at start-up, not on the first login's event loop
public class LoginService {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Stands in for the account when the email has none, so that path does the same work. */
  private static final UUID NO_ACCOUNT = new UUID(0, 0);

  private final AccountRepository accounts;
  private final PasswordHasher hasher;
  private final HashingExecutor hashing;
  private final LockoutService lockout;
  private final DeviceTokens deviceTokens;
  private final RateLimiter rateLimiter;
  private final AccessTokenIssuer accessTokens;
  private final RefreshTokenService refreshTokens;
  private final SecurityEvents events;
  private final AuthConfig config;
  private final String dummyHash;

  LoginService(
      AccountRepository accounts,
      PasswordHasher hasher,
      HashingExecutor hashing,
      LockoutService lockout,
      DeviceTokens deviceTokens,
      RateLimiter rateLimiter,
      AccessTokenIssuer accessTokens,
      RefreshTokenService refreshTokens,
      SecurityEvents events,
      AuthConfig config) {
    this.accounts = accounts;
    this.hasher = hasher;
    this.hashing = hashing;
    this.lockout = lockout;
    this.deviceTokens = deviceTokens;
    this.rateLimiter = rateLimiter;
    this.accessTokens = accessTokens;
    this.refreshTokens = refreshTokens;
    this.events = events;
    this.config = config;
    byte[] random = new byte[24];
    RANDOM.nextBytes(random);
    this.dummyHash = hasher.hash(Base64.getEncoder().encodeToString(random).toCharArray());
  }

  /** What the hash said, with the device token verdict and (for a match) a new device token. */
  private record Verdict(
      Account account,
      boolean passwordMatches,
      boolean knownDevice,
      String upgradedHash,
      String newDeviceToken) {}

  /**
   * Signs in with email and password. The device token (from the body or the cookie) matters only
   * while the account is under attack. Every refusal (address locked, unknown device during an
   * attack) is decided after the hash, in the transaction that records the outcome and under the
   * account's row lock, so a burst of parallel guesses is decided one by one against the newest
   * counters: once a lock is set, no later guess gets through, right password or not.
   */
  public Uni<TokenResponse> login(LoginRequest request, String deviceCookie, RequestMetadata meta) {
    String email = EmailAddresses.normalise(request.email()).orElse(null);
    String password = request.password() == null ? "" : request.password();
    return enforceRateLimit("login", config.rateLimit().loginPerMinute(), meta)
        .chain(
            () ->
                email == null
                    ? Uni.createFrom().<Account>nullItem()
                    : Panache.withSession(() -> accounts.findByEmail(email)))
        .chain(
            account ->
                hashing.submit(
                    () -> verify(account, password, request.deviceToken(), deviceCookie)))
        .chain(verdict -> Panache.withTransaction(() -> conclude(verdict, email, meta)))
        .onItem()
        .ifNull()
        .failWith(AuthProblems::invalidCredentials);
  }

  /** On the hashing pool: the hash, the presented device tokens, and a new one on a match. */
  private Verdict verify(Account account, String password, String bodyToken, String cookieToken) {
    char[] chars = password.toCharArray();
    try {
      if (account == null) {
        // The same work as for an account, device tokens included.
        hasher.verify(dummyHash, chars);
        deviceTokens.isValidFor(bodyToken, NO_ACCOUNT);
        deviceTokens.isValidFor(cookieToken, NO_ACCOUNT);
        return new Verdict(null, false, false, null, null);
      }
      boolean matches = hasher.verify(account.passwordHash, chars);
      boolean knownDevice =
          deviceTokens.isValidFor(bodyToken, account.id)
              | deviceTokens.isValidFor(cookieToken, account.id); // both checked: same work
      String upgraded =
          matches && hasher.needsRehash(account.passwordHash) ? hasher.hash(chars) : null;
      String deviceToken = matches ? deviceTokens.issue(account.id) : null;
      return new Verdict(account, matches, knownDevice, upgraded, deviceToken);
    } finally {
      java.util.Arrays.fill(chars, '\0');
    }
  }

  private Uni<TokenResponse> conclude(Verdict verdict, String email, RequestMetadata meta) {
    if (verdict.account() == null) {
      return failure(null, email, "unknown_account", meta);
    }
    return accounts
        .findForUpdate(verdict.account().id)
        .chain(
            current ->
                current == null
                    ? failure(null, email, "unknown_account", meta)
                    : lockout
                        .refusal(current, meta, verdict.knownDevice())
                        .chain(refusal -> decide(current, verdict, refusal, email, meta)));
  }

  private Uni<TokenResponse> decide(
      Account current,
      Verdict verdict,
      LockoutService.Refusal refusal,
      String email,
      RequestMetadata meta) {
    if (refusal == LockoutService.Refusal.ADDRESS_LOCKED) {
      // As before the hardening: guesses against a locked address are not counted, so the lock
      // doubles only with failures after it expires.
      return failure(current, email, refusal.reason(), meta);
    }
    if (refusal != null) {
      // Under attack: a wrong password is still a failure (it counts towards the next
      // protection), a right one from an unknown device is refused all the same.
      return (verdict.passwordMatches()
              ? Uni.createFrom().voidItem()
              : lockout.recordFailure(current, meta))
          .chain(() -> failure(current, email, refusal.reason(), meta));
    }
    if (!verdict.passwordMatches()) {
      return lockout
          .recordFailure(current, meta)
          .chain(() -> failure(current, email, "bad_credentials", meta));
    }
    if (verdict.upgradedHash() != null) {
      current.passwordHash = verdict.upgradedHash();
    }
    return lockout
        .recordSuccess(current, meta)
        .chain(() -> refreshTokens.startFamily(current.id))
        .call(
            () ->
                events.record(
                    AuthEvents.LOGIN_SUCCESS,
                    Severity.INFO,
                    current.id.toString(),
                    current.id.toString(),
                    successDetails(verdict),
                    meta))
        .chain(
            refresh ->
                tokens(current, refresh)
                    .map(response -> response.withDeviceToken(verdict.newDeviceToken())));
  }

  private static Map<String, String> successDetails(Verdict verdict) {
    Map<String, String> details = new java.util.TreeMap<>();
    details.put("knownDevice", Boolean.toString(verdict.knownDevice()));
    if (verdict.upgradedHash() != null) {
      details.put("passwordHashUpgraded", "true");
    }
    return details;
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
                                    .chain(
                                        account ->
                                            account == null
                                                ? Uni.createFrom().<TokenResponse>nullItem()
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

  /**
   * The token pair, the access token signed on the signing pool (inside the caller's transaction:
   * when signing is refused with 503, the login or rotation is rolled back with it).
   */
  private Uni<TokenResponse> tokens(Account account, String refreshToken) {
    return accessTokens
        .issue(
            account.id.toString(), account.email, account.roleSet(), config.token().userAudiences())
        .map(
            access ->
                new TokenResponse(access.token(), "Bearer", access.expiresIn(), refreshToken));
  }

  /**
   * Counts the request against the address's limit; over it, fails with 429. The refusals are
   * reported later, once per address and window ({@link RateLimiter#reportRefusals}).
   */
  public Uni<Void> enforceRateLimit(String action, int perMinute, RequestMetadata meta) {
    return rateLimiter
        .hitByAddress(action, meta, RateLimiter.Limit.perMinute(perMinute))
        .chain(
            decision ->
                decision.allowed()
                    ? Uni.createFrom().voidItem()
                    : Uni.createFrom()
                        .failure(AuthProblems.rateLimited(decision.retryAfterSeconds())));
  }
}
