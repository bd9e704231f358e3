package io.whispyrkeep.devinfra.keys;

import io.smallrye.jwt.build.Jwt;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Access tokens for tests, shaped like auth-service's (issuer, audience, subject, upn, groups, jti,
 * kid), plus the forged and broken ones that every service must refuse.
 */
public final class TestTokens {

  /** Issuer the test configuration trusts. */
  public static final String ISSUER = "https://auth.whispyrkeep.test";

  private TestTokens() {}

  /** A valid token for the audience, signed by the trusted test key. */
  public static String valid(String subject, String audience, String... roles) {
    return signed(subject, audience, ISSUER, Instant.now().plusSeconds(300), roles);
  }

  public static String signed(
      String subject, String audience, String issuer, Instant expiresAt, String... roles) {
    return sign(
        subject, audience, issuer, expiresAt, TestJwtKeys.KEY_ID, TestJwtKeys.privateKey(), roles);
  }

  public static String sign(
      String subject,
      String audience,
      String issuer,
      Instant expiresAt,
      String keyId,
      PrivateKey key,
      String... roles) {
    var builder =
        Jwt.issuer(issuer)
            .audience(audience)
            .subject(subject)
            .upn(subject + "@players.test")
            .groups(Set.of(roles))
            .issuedAt(expiresAt.minusSeconds(600))
            .expiresAt(expiresAt)
            .claim("jti", java.util.UUID.randomUUID().toString())
            .jws();
    if (keyId != null) {
      builder.keyId(keyId);
    }
    return builder.algorithm(io.smallrye.jwt.algorithm.SignatureAlgorithm.RS256).sign(key);
  }

  /** The same claims with {@code alg: none} and no signature. */
  public static String algNone(String subject, String audience, String... roles) {
    return algNone(valid(subject, audience, roles));
  }

  /** The token's payload with {@code alg: none} and no signature. */
  public static String algNone(String token) {
    String[] parts = token.split("\\.");
    String header = encode("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    return header + "." + parts[1] + ".";
  }

  /** HS256 "signed" with the trusted public key as HMAC secret (algorithm confusion attack). */
  public static String hs256WithPublicKey(String subject, String audience, String... roles) {
    return hs256WithKey(
        valid(subject, audience, roles), TestJwtKeys.publicKeyBytes(), TestJwtKeys.KEY_ID);
  }

  /** Re-signs a token's payload with HS256, using {@code keyBytes} (a public key) as secret. */
  public static String hs256WithKey(String token, byte[] keyBytes, String keyId) {
    String[] parts = token.split("\\.");
    String header = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" + keyId + "\"}");
    String signingInput = header + "." + parts[1];
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(keyBytes, "HmacSHA256"));
      byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A valid token whose payload was changed after signing (roles raised to admin). */
  public static String tampered(String subject, String audience) {
    return tampered(valid(subject, audience, "player"));
  }

  /** The token with its payload changed after signing ("player" raised to "admin"). */
  public static String tampered(String token) {
    String[] parts = token.split("\\.");
    String payload =
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace("\"player\"", "\"admin\"");
    return parts[0] + "." + encode(payload) + "." + parts[2];
  }

  private static String encode(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
