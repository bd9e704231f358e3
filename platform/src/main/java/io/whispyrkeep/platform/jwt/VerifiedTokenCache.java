package io.whispyrkeep.platform.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.smallrye.jwt.auth.principal.ParseException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Remembers tokens that passed full verification, so a client repeating its token is not verified
 * again (RS256-3072 plus claims parsing cost several times a whole public request), as Envoy's JWT
 * filter does. Rules that keep every refusal:
 *
 * <ul>
 *   <li>the key is the SHA-256 of the whole raw token, signature included: a token altered in any
 *       byte has another key and goes through full verification;
 *   <li>only successes are stored; a refusal is never cached, so it is decided afresh each time;
 *   <li>an entry is served only while the injected clock is before the token's {@code exp}, never
 *       after (not even within the verifier's clock skew: from then on the full verifier decides);
 *   <li>issuer, audience and algorithm are checked by the full verifier before anything is stored,
 *       with the service's one configuration.
 * </ul>
 *
 * <p>A key withdrawn from the JWKS stops new tokens at once but not the ones already cached, which
 * live at most one access-token lifetime (15 minutes by default, 60 at most): the same window a
 * stolen token has anyway, and the reason the rotation procedure keeps an old key published for one
 * lifetime.
 */
public final class VerifiedTokenCache {

  /** The full verification: returns the verified token or throws. */
  @FunctionalInterface
  public interface Verifier {
    JsonWebToken verify(String token) throws ParseException;
  }

  private record Entry(JsonWebToken token, Instant expiresAt) {}

  private final Clock clock;
  private final Cache<String, Entry> entries;

  public VerifiedTokenCache(Clock clock, long maxSize) {
    this.clock = clock;
    this.entries =
        Caffeine.newBuilder()
            .maximumSize(Math.max(1, maxSize))
            // Frees memory when the token expires; whether an entry may be served is decided by
            // the injected clock in verify(), not by this timer.
            .expireAfter(
                Expiry.<String, Entry>creating(
                    (key, entry) -> positive(Duration.between(clock.instant(), entry.expiresAt()))))
            .build();
  }

  /**
   * The cached verification of this exact token while it is unexpired; otherwise the verifier's
   * answer, stored when it is a success with an expiry still ahead.
   */
  public JsonWebToken verify(String token, Verifier verifier) throws ParseException {
    String key = key(token);
    Entry cached = entries.getIfPresent(key);
    if (cached != null) {
      if (clock.instant().isBefore(cached.expiresAt())) {
        return cached.token();
      }
      entries.invalidate(key);
    }
    JsonWebToken verified = verifier.verify(token);
    Instant expiresAt = Instant.ofEpochSecond(verified.getExpirationTime());
    if (verified.getExpirationTime() > 0 && clock.instant().isBefore(expiresAt)) {
      entries.put(key, new Entry(verified, expiresAt));
    }
    return verified;
  }

  /** Entries held now, after pending evictions have run. */
  public long size() {
    entries.cleanUp();
    return entries.estimatedSize();
  }

  private static Duration positive(Duration duration) {
    return duration.isNegative() ? Duration.ZERO : duration;
  }

  private static String key(String token) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
