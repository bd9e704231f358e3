package io.whispyrkeep.keyvault.custody;

import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * Envelope encryption of players' provider keys, with the semantics of Vault's transit engine: one
 * named, versioned key; a <em>derived</em> key per context (the owner's user id), so a ciphertext
 * copied onto another user's row does not decrypt; ciphertexts framed as {@code
 * vault:v<N>:<base64>}; rotation adds a version, rewrap re-encrypts under the newest one, and a
 * minimum decryption version refuses older ciphertexts.
 *
 * <p>Two engines implement it: {@code VaultTransitEngine} (HashiCorp Vault or OpenBao, production)
 * and {@code LocalTransitEngine} (embedded, for the local launcher, tests and any machine without
 * Vault). Both pass the same conformance suite. Failures are {@link CustodyUnavailableException}
 * (the engine cannot answer: 503) or {@link CiphertextRefusedException} (this ciphertext will never
 * decrypt here). Plaintext is passed as bytes so that callers can clear it after use.
 */
public interface TransitEngine {

  /**
   * Most items in one batch call; more fail with {@link IllegalArgumentException}. A bound on the
   * work one call holds a crypto thread (or a Vault request) for; callers split longer lists.
   */
  int MAX_BATCH_ITEMS = 1000;

  /**
   * Longest plaintext, in bytes (64 KiB: far above any provider key or credential file); longer
   * ones, and empty ones, fail with {@link IllegalArgumentException}.
   */
  int MAX_PLAINTEXT_BYTES = 64 * 1024;

  /**
   * Encrypts {@code plaintext} under the newest key version, derived for {@code context} (a
   * non-empty, well-formed string of at most 256 UTF-8 bytes, else {@link
   * IllegalArgumentException}). The caller keeps {@code plaintext} unchanged until the call
   * completes.
   */
  Uni<String> encrypt(String context, byte[] plaintext);

  /** Decrypts a ciphertext made for {@code context}; the caller clears the returned bytes. */
  Uni<byte[]> decrypt(String context, String ciphertext);

  /** Re-encrypts a ciphertext under the newest key version without revealing its plaintext. */
  Uni<String> rewrap(String context, String ciphertext);

  /**
   * {@link #encrypt} for many items in one call; results in the order of {@code items}. Batches are
   * all or nothing: when an item is refused the call fails with {@link BatchItemRefusedException}
   * naming the first refused item, and returns no results.
   */
  Uni<List<String>> encryptBatch(List<Plaintext> items);

  /** {@link #decrypt} for many items in one call; results in the order of {@code items}. */
  Uni<List<byte[]>> decryptBatch(List<Sealed> items);

  /** {@link #rewrap} for many items in one call; results in the order of {@code items}. */
  Uni<List<String>> rewrapBatch(List<Sealed> items);

  /** Adds a new key version, used from then on for encryption; older ones still decrypt. */
  Uni<TransitKeyInfo> rotate();

  /** The key's newest version and its minimum decryption version. */
  Uni<TransitKeyInfo> keyInfo();

  /**
   * Refuses, from now on, ciphertexts of versions below {@code version} (at most the newest
   * version; never lowered).
   */
  Uni<TransitKeyInfo> raiseMinDecryptionVersion(int version);

  /** The key version a ciphertext was made with, from its {@code vault:v<N>:} prefix. */
  static int versionOf(String ciphertext) {
    return CiphertextFormat.version(ciphertext);
  }

  /** A plaintext and its derivation context. */
  record Plaintext(String context, byte[] bytes) {}

  /** A ciphertext and its derivation context. */
  record Sealed(String context, String ciphertext) {}
}
