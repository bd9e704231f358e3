package io.whispyrkeep.keyvault.key;

import java.time.Instant;

/** A stored key as its owner sees it: metadata only, never the key or its ciphertext. */
public record KeyResponse(
    String provider,
    String last4,
    String fingerprint,
    int keyVersion,
    String baseUrl,
    Instant createdAt,
    Instant updatedAt) {

  static KeyResponse of(ApiKey key) {
    return new KeyResponse(
        key.provider,
        key.last4,
        key.fingerprint,
        key.keyVersion,
        key.baseUrl,
        key.createdAt,
        key.updatedAt);
  }
}
