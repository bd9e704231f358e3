package io.whispyrkeep.platform.crypto;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.util.KeyUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 keys (RFC 8032) from PEM files, decoded by smallrye-jwt's {@link KeyUtils}: a PKCS#8
 * private key (what {@code openssl genpkey -algorithm ed25519} writes), whose public half is
 * computed from it so one file is all a signer needs, and SubjectPublicKeyInfo public keys for
 * verifiers. The key id is the RFC 7638 / RFC 8037 JWK thumbprint of the public key, so nobody
 * names keys by hand and a key id cannot point at another key.
 */
public final class Ed25519KeyFiles {

  /** JDK algorithm name of the keys and of their signatures. */
  public static final String ALGORITHM = "Ed25519";

  /** Length of an Ed25519 signature and of a raw public key (RFC 8032 section 5.1.5). */
  public static final int SIGNATURE_BYTES = 64;

  private static final int RAW_KEY_BYTES = 32;

  /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw key follows. */
  private static final byte[] SPKI_PREFIX =
      java.util.HexFormat.of().parseHex("302a300506032b6570032100");

  /** A signing key, its public half and its id. */
  public record SigningKey(String keyId, PrivateKey privateKey, PublicKey publicKey) {}

  private Ed25519KeyFiles() {}

  /** Reads a PKCS#8 PEM Ed25519 private key and derives its public key and id. */
  public static SigningKey loadPrivate(Path file) {
    try {
      PrivateKey privateKey =
          KeyUtils.decodePrivateKey(
              Files.readString(file, StandardCharsets.US_ASCII), SignatureAlgorithm.EDDSA);
      PublicKey publicKey = publicKeyOf(privateKey);
      return new SigningKey(thumbprint(publicKey), privateKey, publicKey);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read key " + file, e);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("key " + file + " is not a PKCS#8 Ed25519 private key", e);
    }
  }

  /** Reads a PEM (SubjectPublicKeyInfo) Ed25519 public key. */
  public static PublicKey loadPublic(Path file) {
    try {
      return decodePublic(
          KeyUtils.decodePublicKey(
                  Files.readString(file, StandardCharsets.US_ASCII), SignatureAlgorithm.EDDSA)
              .getEncoded());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read key " + file, e);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("key " + file + " is not an Ed25519 public key", e);
    }
  }

  /** An Ed25519 public key from its X.509 (SubjectPublicKeyInfo) encoding. */
  public static PublicKey decodePublic(byte[] der) throws GeneralSecurityException {
    PublicKey key = KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
    if (!(key instanceof EdECPublicKey edec)
        || !ALGORITHM.equalsIgnoreCase(edec.getParams().getName())) {
      throw new GeneralSecurityException("not an Ed25519 key");
    }
    return key;
  }

  /** PEM text of a public key (SubjectPublicKeyInfo), the form verifiers are configured with. */
  public static String publicKeyPem(PublicKey key) {
    return pem("PUBLIC KEY", key.getEncoded());
  }

  /** PEM text of a private key (PKCS#8). */
  public static String privateKeyPem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  /**
   * RFC 8037 JWK thumbprint (RFC 7638, SHA-256, base64url) of an Ed25519 public key: the SHA-256 of
   * {@code {"crv":"Ed25519","kty":"OKP","x":"<raw key, base64url>"}}.
   */
  public static String thumbprint(PublicKey key) {
    String x = Base64.getUrlEncoder().withoutPadding().encodeToString(rawPublicKey(key));
    String jwk = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + x + "\"}";
    try {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(
              MessageDigest.getInstance("SHA-256").digest(jwk.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The 32 raw key bytes: the end of the SubjectPublicKeyInfo encoding. */
  public static byte[] rawPublicKey(PublicKey key) {
    byte[] encoded = key.getEncoded();
    return Arrays.copyOfRange(encoded, encoded.length - RAW_KEY_BYTES, encoded.length);
  }

  /** The public key of a private key (RFC 8032 section 5.1.5, computed from the seed). */
  private static PublicKey publicKeyOf(PrivateKey privateKey) throws GeneralSecurityException {
    byte[] raw = new byte[RAW_KEY_BYTES];
    Ed25519.generatePublicKey(seed(privateKey), 0, raw, 0);
    byte[] spki = new byte[SPKI_PREFIX.length + RAW_KEY_BYTES];
    System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
    System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, RAW_KEY_BYTES);
    return decodePublic(spki);
  }

  /** The 32-byte seed of an Ed25519 private key. */
  public static byte[] seed(PrivateKey key) {
    if (key instanceof EdECPrivateKey edec
        && ALGORITHM.equalsIgnoreCase(edec.getParams().getName())) {
      byte[] seed = edec.getBytes().orElse(new byte[0]);
      if (seed.length == RAW_KEY_BYTES) {
        return seed;
      }
    }
    throw new IllegalArgumentException("not an Ed25519 private key");
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }
}
