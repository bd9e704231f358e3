package io.whispyrkeep.auth.token;

import io.quarkus.runtime.Startup;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.auth.config.AuthConfig;
import io.whispyrkeep.platform.worker.BoundedWorkers;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Signs RS256 access tokens with the active key: {@code iss}, {@code aud}, {@code sub} (user or
 * client id), {@code upn}, {@code groups} (roles), {@code iat}, {@code exp}, {@code jti} and the
 * {@code kid} header. Verified everywhere by smallrye-jwt against the JWKS. An RSA-3072 signature
 * costs milliseconds of CPU, so it runs on a bounded worker pool ({@code
 * whispyrkeep.auth.signing.*}), never on the event loop; beyond the pool's queue the caller gets
 * 503 with Retry-After.
 */
@ApplicationScoped
@Startup // so a lifetime above the maximum stops the service at start-up, not at first login
public class AccessTokenIssuer {

  /** Longest access-token lifetime accepted at start-up. */
  public static final Duration MAX_LIFETIME = Duration.ofMinutes(60);

  private final SigningKeys keys;
  private final Clock clock;
  private final String issuer;
  private final Duration lifetime;
  private final BoundedWorkers signing;

  AccessTokenIssuer(
      SigningKeys keys,
      Clock clock,
      AuthConfig config,
      @ConfigProperty(name = "whispyrkeep.jwt.issuer") String issuer) {
    this.keys = keys;
    this.clock = clock;
    this.issuer = issuer;
    this.lifetime = checkedLifetime(config.token().accessTokenLifetime());
    this.signing =
        new BoundedWorkers(
            "rs256",
            config.signing().maxConcurrent(),
            config.signing().queueCapacity(),
            BoundedWorkers.busy("Too many tokens are being signed; retry shortly."));
  }

  /** Refuses lifetimes that are not positive or exceed {@link #MAX_LIFETIME}. */
  public static Duration checkedLifetime(Duration lifetime) {
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
      throw new IllegalStateException(
          "whispyrkeep.auth.token.access-token-lifetime must be between 1 s and 60 min, was "
              + lifetime);
    }
    return lifetime;
  }

  /**
   * A signed token for the subject, valid for the configured lifetime, signed on the signing pool;
   * the Uni resumes on the caller's Vert.x context.
   */
  public Uni<IssuedToken> issue(
      String subject, String principalName, Set<String> roles, Collection<String> audiences) {
    return signing.submit(() -> sign(subject, principalName, roles, audiences));
  }

  private IssuedToken sign(
      String subject, String principalName, Set<String> roles, Collection<String> audiences) {
    Instant now = clock.instant();
    Instant expiresAt = now.plus(lifetime);
    SigningKeys.SigningKey key = keys.active();
    String token =
        Jwt.issuer(issuer)
            .audience(Set.copyOf(audiences))
            .subject(subject)
            .upn(principalName)
            .groups(roles)
            .issuedAt(now)
            .expiresAt(expiresAt)
            .claim("jti", UUID.randomUUID().toString())
            .jws()
            .keyId(key.keyId())
            .algorithm(SignatureAlgorithm.RS256)
            .sign(key.privateKey());
    return new IssuedToken(token, lifetime.toSeconds(), expiresAt);
  }

  /**
   * A delegated token (OAuth 2.0 Token Exchange, RFC 8693 section 4.1): the subject acting through
   * the actor, for one audience and scope ({@code scope}, space-separated), with {@code act:
   * {"sub": actor}} and neither {@code upn} nor {@code groups}, so it passes no role check: the
   * receiving service authorises it by its scope. It expires after {@code lifetime} or at {@code
   * notAfter} (the subject token's expiry), whichever comes first; when that is not in the future
   * by the time it is signed, {@code expiresIn} is 0 or less and the caller must not hand it out.
   * Signed on the signing pool like every token.
   */
  public Uni<IssuedToken> issueDelegated(
      String subject,
      String actor,
      String audience,
      String scope,
      Duration lifetime,
      Instant notAfter) {
    return signing.submit(
        () -> {
          Instant now = clock.instant();
          Instant byLifetime = now.plus(lifetime);
          Instant expiresAt = byLifetime.isBefore(notAfter) ? byLifetime : notAfter;
          SigningKeys.SigningKey key = keys.active();
          String token =
              Jwt.issuer(issuer)
                  .audience(audience)
                  .subject(subject)
                  .claim("act", Map.of("sub", actor))
                  .claim("scope", scope)
                  .issuedAt(now)
                  .expiresAt(expiresAt)
                  .claim("jti", UUID.randomUUID().toString())
                  .jws()
                  .keyId(key.keyId())
                  .algorithm(SignatureAlgorithm.RS256)
                  .sign(key.privateKey());
          return new IssuedToken(
              token,
              expiresAt.getEpochSecond() - now.getEpochSecond(),
              Instant.ofEpochSecond(expiresAt.getEpochSecond()));
        });
  }

  @PreDestroy
  void shutdown() {
    signing.shutdown();
  }

  /** A signed access token, its lifetime in seconds and its {@code exp}. */
  public record IssuedToken(String token, long expiresIn, Instant expiresAt) {

    @Override
    public String toString() {
      return "IssuedToken[expiresIn=" + expiresIn + ", expiresAt=" + expiresAt + "]";
    }
  }
}
