package io.whispyrkeep.auth.token;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.auth.AuthEvents;
import io.whispyrkeep.auth.config.AuthConfig;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * Rotating refresh tokens with reuse detection (OAuth 2.0 Security BCP, RFC 9700 section 4.14):
 * each use returns a new token and retires the old one; presenting a retired token means it was
 * copied, so the whole family is revoked. Tokens are 256 random bits, stored only as SHA-256,
 * expire after 24 h unused and 7 days after login whatever happens. Runs inside the caller's
 * transaction; the presented token's row is locked, so two concurrent uses cannot both win.
 */
@ApplicationScoped
public class RefreshTokenService {

  /** Prefix that makes our refresh tokens recognisable to secret scanners and the redactor. */
  public static final String PREFIX = "wkrt_";

  /** Random bytes per token (256 bits). */
  static final int DEFAULT_TOKEN_BYTES = 32;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final AuthConfig.Refresh config;
  private final SecurityEvents events;
  private final Clock clock;

  RefreshTokenService(AuthConfig config, SecurityEvents events, Clock clock) {
    this.config = config.refresh();
    this.events = events;
    this.clock = clock;
  }

  /** Result of presenting a refresh token: the account and a new token, or why not. */
  public record Rotation(UUID accountId, String newToken, boolean reuseDetected) {
    public boolean succeeded() {
      return newToken != null;
    }
  }

  /** Starts a new family at login; returns the token to hand out. */
  public Uni<String> startFamily(UUID accountId) {
    Instant now = clock.instant();
    return issue(accountId, UUID.randomUUID(), now.plus(config.absoluteExpiry()), now);
  }

  /** Rotates the presented token; a failed rotation still commits (revocation, event). */
  public Uni<Rotation> rotate(String presented, RequestMetadata meta) {
    Instant now = clock.instant();
    return find(presented)
        .chain(
            token -> {
              if (token == null || token.revokedAt != null) {
                return Uni.createFrom().item(new Rotation(null, null, false));
              }
              if (token.usedAt != null) {
                return revokeFamily(token.familyId, now)
                    .chain(
                        () ->
                            events.record(
                                AuthEvents.REFRESH_REUSE_DETECTED,
                                Severity.CRITICAL,
                                token.accountId.toString(),
                                token.accountId.toString(),
                                Map.of("family", token.familyId.toString()),
                                meta))
                    .replaceWith(new Rotation(token.accountId, null, true));
              }
              if (!token.expiresAt.isAfter(now) || !token.familyExpiresAt.isAfter(now)) {
                return Uni.createFrom().item(new Rotation(token.accountId, null, false));
              }
              token.usedAt = now;
              return issue(token.accountId, token.familyId, token.familyExpiresAt, now)
                  .map(next -> new Rotation(token.accountId, next, false));
            });
  }

  /** Logout: revokes the family of the presented token if it belongs to the account. */
  public Uni<Boolean> revokeFamilyOf(String presented, UUID accountId) {
    Instant now = clock.instant();
    return find(presented)
        .chain(
            token ->
                token == null || !token.accountId.equals(accountId)
                    ? Uni.createFrom().item(false)
                    : revokeFamily(token.familyId, now).replaceWith(true));
  }

  private Uni<RefreshToken> find(String presented) {
    if (presented == null || !presented.startsWith(PREFIX) || presented.length() > 100) {
      return Uni.createFrom().nullItem();
    }
    return RefreshToken.<RefreshToken>find("tokenHash", hash(presented))
        .withLock(LockModeType.PESSIMISTIC_WRITE)
        .firstResult();
  }

  private Uni<Void> revokeFamily(UUID familyId, Instant now) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "UPDATE refresh_token SET revoked_at = :now"
                            + " WHERE family_id = :family AND revoked_at IS NULL")
                    .setParameter("now", now)
                    .setParameter("family", familyId)
                    .executeUpdate())
        .replaceWithVoid();
  }

  private Uni<String> issue(UUID accountId, UUID familyId, Instant familyExpiresAt, Instant now) {
    byte[] random = new byte[DEFAULT_TOKEN_BYTES];
    RANDOM.nextBytes(random);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    RefreshToken row = new RefreshToken();
    row.id = UUID.randomUUID();
    row.familyId = familyId;
    row.accountId = accountId;
    row.tokenHash = hash(token);
    row.issuedAt = now;
    Instant idle = now.plus(config.idleExpiry());
    row.expiresAt = idle.isBefore(familyExpiresAt) ? idle : familyExpiresAt;
    row.familyExpiresAt = familyExpiresAt;
    return row.persist().replaceWith(token);
  }

  static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
