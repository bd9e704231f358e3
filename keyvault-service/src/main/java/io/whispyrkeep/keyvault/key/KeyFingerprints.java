package io.whispyrkeep.keyvault.key;

import io.quarkus.runtime.Startup;
import io.whispyrkeep.keyvault.config.KeyvaultConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Fingerprints of API keys: HMAC-SHA256 under a secret key of this service, truncated to 128 bits.
 * A player can recognise their key and the security team can see the same key stored twice, but
 * nobody holding only the audit trail can test guesses against it (an unkeyed hash of a key with a
 * known prefix and a short random part could be brute-forced).
 */
@ApplicationScoped
@Startup
public class KeyFingerprints {

  /** 256-bit HMAC key (RFC 2104 recommends at least the hash output length). */
  static final int KEY_BYTES = 32;

  static final String PREFIX = "hmac-sha256:";

  private final SecretKeySpec key;

  KeyFingerprints(KeyvaultConfig config) {
    this.key = new SecretKeySpec(load(config.keys()), "HmacSHA256");
  }

  /** The fingerprint of {@code keyBytes} (UTF-8 of the key); the caller still owns the bytes. */
  public String of(byte[] keyBytes) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      byte[] digest = mac.doFinal(keyBytes);
      return PREFIX + HexFormat.of().formatHex(digest, 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  static byte[] load(KeyvaultConfig.Keys keys) {
    String encoded;
    if (keys.fingerprintKey().filter(value -> !value.isBlank()).isPresent()) {
      encoded = keys.fingerprintKey().get();
    } else if (keys.fingerprintKeyFile().isPresent()) {
      try {
        encoded =
            new String(Files.readAllBytes(keys.fingerprintKeyFile().get()), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "whispyrkeep.keyvault.keys.fingerprint-key-file cannot be read", e);
      }
    } else {
      throw new IllegalStateException(
          "whispyrkeep.keyvault.keys.fingerprint-key(-file) is required: 32 random bytes, base64");
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(encoded.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the fingerprint key is not base64");
    }
    if (decoded.length < KEY_BYTES) {
      Arrays.fill(decoded, (byte) 0);
      throw new IllegalStateException(
          "the fingerprint key must be at least " + KEY_BYTES + " bytes (base64)");
    }
    return decoded;
  }
}
