package io.whispyrkeep.auth.lockout;

import io.whispyrkeep.auth.config.AuthConfig;
import io.whispyrkeep.auth.token.SigningKeys;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Device tokens (OWASP's "device cookies" against malicious lockout): after a successful sign-in
 * the client receives a token that says "this client once signed in to this account", bound to the
 * account and expiring after {@code whispyrkeep.auth.lockout.device-token-lifetime}. While an
 * account is under attack, only clients presenting a valid one for it may sign in.
 *
 * <p>Format: {@code wkdt1.<payload>.<signature>}, both base64url; the payload is {@code
 * account-id|expiry-epoch-seconds|key-id|nonce}; the signature is RS256 (RSASSA-PKCS1-v1_5 with
 * SHA-256) by the active token signing key over the ASCII bytes of {@code wkdt1.<payload>}, so no
 * new secret has to be distributed, keys rotate with the access-token keys, and the token cannot
 * pass for a JWT (its signed input does not start with a JOSE header). A token is not a credential:
 * it only exempts its holder from the account-wide protection, never from the password or the
 * per-address lock. Signing and verifying are RSA operations: call them off the event loop.
 */
@ApplicationScoped
public class DeviceTokens {

  /** Prefix and format version. */
  public static final String PREFIX = "wkdt1.";

  /**
   * Browser cookie carrying the token: {@code __Secure-} so browsers only accept it with {@code
   * Secure}; sent only to the login path.
   */
  public static final String COOKIE = "__Secure-wk-device";

  /** Path the cookie is sent to. */
  public static final String COOKIE_PATH = "/auth/login";

  /** Longer presented tokens are ignored without parsing (a real one is about 600 characters). */
  public static final int MAX_LENGTH = 1024;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SigningKeys keys;
  private final Clock clock;
  private final Duration lifetime;

  DeviceTokens(SigningKeys keys, Clock clock, AuthConfig config) {
    this.keys = keys;
    this.clock = clock;
    this.lifetime = config.lockout().deviceTokenLifetime();
  }

  /** How long a new token is valid. */
  public Duration lifetime() {
    return lifetime;
  }

  /** A new token for the account, signed by the active key. */
  public String issue(UUID accountId) {
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    SigningKeys.SigningKey key = keys.active();
    String payload =
        accountId
            + "|"
            + clock.instant().plus(lifetime).getEpochSecond()
            + "|"
            + key.keyId()
            + "|"
            + ENCODER.encodeToString(nonce);
    String signed = PREFIX + ENCODER.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(key.privateKey());
      signature.update(signed.getBytes(StandardCharsets.US_ASCII));
      return signed + "." + ENCODER.encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("device token cannot be signed", e);
    }
  }

  /**
   * Whether the token is well formed, signed by one of the configured keys, unexpired and issued
   * for this account. Anything else (absent, foreign, forged, truncated, oversized) is false.
   */
  public boolean isValidFor(String token, UUID accountId) {
    if (token == null || accountId == null || token.length() > MAX_LENGTH) {
      return false;
    }
    if (!token.startsWith(PREFIX)) {
      return false;
    }
    int dot = token.lastIndexOf('.');
    if (dot <= PREFIX.length()) {
      return false;
    }
    String signed = token.substring(0, dot);
    try {
      String[] fields =
          new String(DECODER.decode(signed.substring(PREFIX.length())), StandardCharsets.UTF_8)
              .split("\\|", -1);
      if (fields.length != 4) {
        return false;
      }
      SigningKeys.SigningKey key = keys.all().get(fields[2]);
      if (key == null) {
        return false;
      }
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initVerify(key.publicKey());
      signature.update(signed.getBytes(StandardCharsets.US_ASCII));
      if (!signature.verify(DECODER.decode(token.substring(dot + 1)))) {
        return false;
      }
      return fields[0].equals(accountId.toString())
          && Instant.ofEpochSecond(Long.parseLong(fields[1])).isAfter(clock.instant());
    } catch (IllegalArgumentException | DateTimeException | GeneralSecurityException e) {
      // Malformed base64, number or signature: not a token of ours.
      return false;
    }
  }
}
