package io.whispyrkeep.keyvault.custody;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * The embedded engine's cryptography, with no storage and no threads of its own (callers run it off
 * the event loop): AES-256-GCM under a key derived per (key name, version, context) with
 * HKDF-SHA256, framed as Vault frames it ({@code vault:v<N>:<base64(nonce | ciphertext | tag)>}).
 *
 * <ul>
 *   <li>Nonces: 96 bits from {@link SecureRandom} for every message (NIST SP 800-38D 8.2.2). Each
 *       derived key serves one player's few keys, far below the 2^32 random-nonce messages SP
 *       800-38D 8.3 allows per key.
 *   <li>Derivation: RFC 5869 HKDF-SHA256, IKM the version's random 256-bit key, a fixed salt, info
 *       the label, key name and context, each length-prefixed so no two inputs share an encoding.
 *   <li>Associated data: label, key name, version and context, length-prefixed: relabelling a
 *       ciphertext to another version, key or context fails authentication even before the derived
 *       key differs.
 *   <li>Body: strict base64; a non-canonical encoding (different text, same bytes) is refused, so a
 *       stored ciphertext has exactly one textual form.
 * </ul>
 *
 * Derived keys are cached (bounded, least recently used dropped first), keyed by key name, version
 * and context: a key name and version must always stand for the same version key, which holds for
 * one database's table.
 */
public final class LocalTransitCrypto {

  /** AES-256 (a version key and a derived key). */
  public static final int KEY_BYTES = 32;

  /** 96-bit nonce, the GCM IV length NIST SP 800-38D recommends. */
  static final int NONCE_BYTES = 12;

  /** Full 128-bit tag (NIST SP 800-38D 5.2.1.2). */
  static final int TAG_BITS = 128;

  private static final String AES_GCM = "AES/GCM/NoPadding";
  private static final byte[] HKDF_SALT = ascii("whispyrkeep/transit/v1/hkdf-salt");
  private static final byte[] DERIVE_LABEL = ascii("whispyrkeep/transit/v1/derive");
  private static final byte[] AAD_LABEL = ascii("whispyrkeep/transit/v1/aad");

  private record DerivedKeyId(String keyName, int version, String context) {}

  private final Cache<DerivedKeyId, SecretKey> derivedKeys;
  private final SecureRandom random = new SecureRandom();

  /** {@code derivedKeyCacheSize}: derived keys kept in memory (at least 1). */
  public LocalTransitCrypto(int derivedKeyCacheSize) {
    this.derivedKeys = Caffeine.newBuilder().maximumSize(Math.max(1, derivedKeyCacheSize)).build();
  }

  /**
   * Encrypts under {@code versionKey} (version {@code version} of {@code keyName}) derived for
   * {@code context}; {@link IllegalArgumentException} for an invalid context.
   */
  public String encrypt(
      String keyName, int version, byte[] versionKey, String context, byte[] plaintext) {
    byte[] contextBytes = DerivationContext.encode(context);
    SecretKey key = derivedKey(keyName, version, versionKey, context, contextBytes);
    byte[] body = seal(key, associatedData(keyName, version, contextBytes), plaintext, random);
    return CiphertextFormat.frame(version, Base64.getEncoder().encodeToString(body));
  }

  /**
   * Decrypts a ciphertext of version {@code version} (the caller read it from the frame and chose
   * the version key); {@link CiphertextRefusedException} when it is malformed or does not
   * authenticate (altered, another context, another version or key). The caller clears the result.
   */
  public byte[] decrypt(
      String keyName, int version, byte[] versionKey, String context, String ciphertext) {
    if (CiphertextFormat.version(ciphertext) != version) {
      throw new IllegalArgumentException("version key given for another version than the frame's");
    }
    byte[] contextBytes = DerivationContext.encode(context);
    byte[] body = decodeBody(CiphertextFormat.body(ciphertext));
    SecretKey key = derivedKey(keyName, version, versionKey, context, contextBytes);
    try {
      return open(key, associatedData(keyName, version, contextBytes), body);
    } catch (AEADBadTagException e) {
      throw new CiphertextRefusedException(CiphertextRefusedException.Reason.AUTHENTICATION_FAILED);
    }
  }

  /** RFC 5869 HKDF with SHA-256 (BouncyCastle's generator): {@code length} bytes of OKM. */
  public static byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(ikm, salt, info));
    byte[] okm = new byte[length];
    hkdf.generateBytes(okm, 0, length);
    return okm;
  }

  /** AES-GCM with a fresh random 96-bit nonce: {@code nonce | ciphertext | tag}. */
  static byte[] seal(SecretKey key, byte[] aad, byte[] plaintext, SecureRandom random) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] body = new byte[NONCE_BYTES + plaintext.length + TAG_BITS / 8];
    System.arraycopy(nonce, 0, body, 0, NONCE_BYTES);
    try {
      Cipher cipher = Cipher.getInstance(AES_GCM);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, body, 0, NONCE_BYTES));
      cipher.updateAAD(aad);
      cipher.doFinal(plaintext, 0, plaintext.length, body, NONCE_BYTES);
      return body;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /**
   * Opens {@code nonce | ciphertext | tag}; {@link AEADBadTagException} if it does not verify or is
   * too short to hold a tag (as Go's GCM, so Vault, answers), {@link CiphertextRefusedException}
   * (malformed) if it cannot even hold a nonce.
   */
  static byte[] open(SecretKey key, byte[] aad, byte[] body) throws AEADBadTagException {
    if (body.length < NONCE_BYTES) {
      throw new CiphertextRefusedException(CiphertextRefusedException.Reason.MALFORMED);
    }
    if (body.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new AEADBadTagException("too short for a tag");
    }
    try {
      Cipher cipher = Cipher.getInstance(AES_GCM);
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, body, 0, NONCE_BYTES));
      cipher.updateAAD(aad);
      return cipher.doFinal(body, NONCE_BYTES, body.length - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** Length-prefixed fields (4-byte big-endian lengths): an encoding no two inputs share. */
  static byte[] fields(byte[]... fields) {
    int length = 0;
    for (byte[] field : fields) {
      length += 4 + field.length;
    }
    ByteBuffer buffer = ByteBuffer.allocate(length);
    for (byte[] field : fields) {
      buffer.putInt(field.length).put(field);
    }
    return buffer.array();
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] int32(int value) {
    return ByteBuffer.allocate(4).putInt(value).array();
  }

  private static byte[] associatedData(String keyName, int version, byte[] context) {
    return fields(AAD_LABEL, utf8(keyName), int32(version), context);
  }

  private SecretKey derivedKey(
      String keyName, int version, byte[] versionKey, String context, byte[] contextBytes) {
    return derivedKeys.get(
        new DerivedKeyId(keyName, version, context),
        id -> {
          byte[] okm =
              hkdfSha256(
                  versionKey,
                  HKDF_SALT,
                  fields(DERIVE_LABEL, utf8(keyName), contextBytes),
                  KEY_BYTES);
          try {
            return new SecretKeySpec(okm, "AES");
          } finally {
            Arrays.fill(okm, (byte) 0);
          }
        });
  }

  private static byte[] decodeBody(String body) {
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new CiphertextRefusedException(CiphertextRefusedException.Reason.MALFORMED);
    }
    if (!Base64.getEncoder().encodeToString(decoded).equals(body)) {
      throw new CiphertextRefusedException(CiphertextRefusedException.Reason.MALFORMED);
    }
    return decoded;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
