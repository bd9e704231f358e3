package io.whispyrkeep.auth.exchange;

import io.whispyrkeep.auth.token.SigningKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.Key;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Verifies the subject token of a token exchange as auth-service's own: a compact RS256 JWS
 * (nothing else, so neither {@code alg: none} nor HS256 keyed with a public key passes) whose
 * {@code kid} names one of the keys auth-service signs with (the active one or one still published
 * during a rotation; never a key from the token's own headers), issued by this issuer, not expired
 * by the service's clock (no skew: a token about to expire yields a delegated token that expires
 * with it), meant for the exchanging client ({@code aud} names it), and a player's own token: a
 * user id as {@code sub}, the {@code player} role, no {@code service} role, and neither {@code act}
 * nor {@code scope} (a delegated token cannot be exchanged again). A refusal is {@code
 * invalid_grant} with the reason for the event.
 *
 * <p>Verification is one RSA public-key operation on a token of at most {@link
 * ExchangeRequest#MAX_SUBJECT_TOKEN_LENGTH} characters, tens of microseconds, so it runs on the
 * caller's thread; signing, a private-key operation, runs on the signing pool.
 */
@ApplicationScoped
public class SubjectTokenVerifier {

  /** A verified subject token: whose it is, when it expires, its id. */
  record SubjectToken(UUID accountId, Instant expiresAt, String tokenId) {}

  /** The role every player's token carries. */
  static final String PLAYER_ROLE = "player";

  /** The role of service (client credentials) tokens, never a subject. */
  static final String SERVICE_ROLE = "service";

  private final Clock clock;
  private final String issuer;
  private final JwtConsumer consumer;

  @Inject
  SubjectTokenVerifier(
      SigningKeys keys,
      Clock clock,
      @ConfigProperty(name = "whispyrkeep.jwt.issuer") String issuer) {
    this(publicKeys(keys.all()), clock, issuer);
  }

  /** With the verification keys by key id (null for an unknown id), for tests without a boot. */
  SubjectTokenVerifier(Function<String, Key> keysById, Clock clock, String issuer) {
    this.clock = clock;
    this.issuer = issuer;
    this.consumer =
        new JwtConsumerBuilder()
            // Signature only here: the claims are checked by refusalReason, against our clock.
            .setSkipAllValidators()
            .setJwsAlgorithmConstraints(
                new AlgorithmConstraints(
                    AlgorithmConstraints.ConstraintType.PERMIT,
                    AlgorithmIdentifiers.RSA_USING_SHA256))
            // No encrypted tokens: auth-service issues none.
            .setJweAlgorithmConstraints(
                new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT))
            .setJweContentEncryptionAlgorithmConstraints(
                new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT))
            .setVerificationKeyResolver(
                (jws, nesting) -> {
                  String keyId = jws.getKeyIdHeaderValue();
                  Key key = keyId == null ? null : keysById.apply(keyId);
                  if (key == null) {
                    throw new UnresolvableKeyException("not one of auth-service's signing keys");
                  }
                  return key;
                })
            .build();
  }

  private static Function<String, Key> publicKeys(Map<String, SigningKeys.SigningKey> keys) {
    return keyId -> {
      SigningKeys.SigningKey key = keys.get(keyId);
      return key == null ? null : key.publicKey();
    };
  }

  /** The verified subject token, or an {@code invalid_grant} {@link ExchangeRefusal}. */
  SubjectToken verify(String token, String clientId) {
    if (!isCompactJws(token)) {
      throw ExchangeRefusal.invalidGrant("malformed");
    }
    JwtClaims claims;
    try {
      JwtContext context = consumer.process(token);
      if (context.getJoseObjects().size() != 1) {
        throw ExchangeRefusal.invalidGrant("malformed"); // a nested token
      }
      claims = context.getJwtClaims();
    } catch (InvalidJwtException e) {
      throw ExchangeRefusal.invalidGrant(
          e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID) ? "bad_signature" : "unverifiable");
    }
    Instant now = clock.instant();
    try {
      String reason = refusalReason(claims, issuer, clientId, now);
      if (reason != null) {
        // Signed by auth-service: its sub is ours to record (whoever's it is).
        throw ExchangeRefusal.invalidGrant(reason, claims.getSubject());
      }
      return new SubjectToken(
          UUID.fromString(claims.getSubject()),
          Instant.ofEpochSecond(claims.getExpirationTime().getValue()),
          claims.getJwtId());
    } catch (MalformedClaimException e) {
      throw ExchangeRefusal.invalidGrant("malformed");
    }
  }

  /** Three base64url parts: a compact JWS (a JWE has five). */
  private static boolean isCompactJws(String token) {
    int dots = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '.') {
        dots++;
      } else if (!(c >= 'A' && c <= 'Z'
          || c >= 'a' && c <= 'z'
          || c >= '0' && c <= '9'
          || c == '-'
          || c == '_')) {
        return false;
      }
    }
    return dots == 2;
  }

  /**
   * Why the verified claims cannot be exchanged by this client now, or null when they can. Pure, so
   * tests state each rule directly.
   */
  static String refusalReason(JwtClaims claims, String issuer, String clientId, Instant now)
      throws MalformedClaimException {
    if (!issuer.equals(claims.getIssuer())) {
      return "foreign_issuer";
    }
    NumericDate expiresAt = claims.getExpirationTime();
    if (expiresAt == null || !Instant.ofEpochSecond(expiresAt.getValue()).isAfter(now)) {
      return "expired";
    }
    NumericDate notBefore = claims.getNotBefore();
    if (notBefore != null && Instant.ofEpochSecond(notBefore.getValue()).isAfter(now)) {
      return "not_yet_valid";
    }
    List<String> audiences = claims.getAudience();
    if (audiences == null || !audiences.contains(clientId)) {
      return "not_for_client";
    }
    if (claims.hasClaim("act") || claims.hasClaim("scope")) {
      return "delegated_token";
    }
    List<String> groups =
        claims.hasClaim("groups") ? claims.getStringListClaimValue("groups") : List.of();
    if (groups.contains(SERVICE_ROLE)) {
      return "service_token";
    }
    if (!groups.contains(PLAYER_ROLE) || !isAccountId(claims.getSubject())) {
      return "not_a_player";
    }
    return null;
  }

  /** A UUID in its canonical form, as auth-service writes account ids. */
  private static boolean isAccountId(String subject) {
    if (subject == null || subject.length() != 36) {
      return false;
    }
    try {
      return UUID.fromString(subject).toString().equals(subject);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
