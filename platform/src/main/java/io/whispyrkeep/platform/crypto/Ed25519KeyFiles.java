package io.whispyrkeep.platform.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Ed25519 keys (RFC 8032) from PEM files: a PKCS#8 private key (what {@code openssl genpkey
 * -algorithm ed25519} writes), whose public half is derived from it so one file is all a signer
 * needs, and SubjectPublicKeyInfo public keys for verifiers. The key id is the RFC 7638 / RFC 8037
 * JWK thumbprint of the public key, so nobody names keys by hand and a key id cannot point at
 * another key.
 */
public final class Ed25519KeyFiles {

  /** JDK algorithm name of the keys and of their signatures. */
  public static final String ALGORITHM = "Ed25519";

  /** Length of an Ed25519 signature and of a raw public key (RFC 8032 section 5.1.5). */
  public static final int SIGNATURE_BYTES = 64;

  private static final int RAW_KEY_BYTES = 32;

  /** A signing key, its public half and its id. */
  public record SigningKey(String keyId, PrivateKey privateKey, PublicKey publicKey) {}

  private Ed25519KeyFiles() {}

  /** Reads a PKCS#8 PEM Ed25519 private key and derives its public key and id. */
  public static SigningKey loadPrivate(Path file) {
    try {
      byte[] der = pemBody(Files.readString(file, StandardCharsets.US_ASCII), "PRIVATE KEY");
      PrivateKey privateKey =
          KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
      PublicKey publicKey = publicKeyOf((EdECPrivateKey) privateKey);
      return new SigningKey(thumbprint(publicKey), privateKey, publicKey);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read key " + file, e);
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalStateException("key " + file + " is not a PKCS#8 Ed25519 private key", e);
    }
  }

  /** Reads a PEM (SubjectPublicKeyInfo) Ed25519 public key. */
  public static PublicKey loadPublic(Path file) {
    try {
      return decodePublic(pemBody(Files.readString(file, StandardCharsets.US_ASCII), "PUBLIC KEY"));
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
    String x = Base64.getUrlEncoder().withoutPadding().encodeToString(raw(key));
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
  private static byte[] raw(PublicKey key) {
    byte[] encoded = key.getEncoded();
    return Arrays.copyOfRange(encoded, encoded.length - RAW_KEY_BYTES, encoded.length);
  }

  /**
   * The public key of a private key. The JDK has no call for it, but key generation is
   * deterministic in the 32-byte seed it draws (RFC 8032 section 5.1.5): generating from a source
   * that yields exactly the seed gives the key pair back.
   */
  private static PublicKey publicKeyOf(EdECPrivateKey privateKey) throws GeneralSecurityException {
    byte[] seed =
        privateKey
            .getBytes()
            .orElseThrow(() -> new GeneralSecurityException("private key has no seed"));
    if (seed.length != RAW_KEY_BYTES) {
      throw new GeneralSecurityException("not an Ed25519 private key");
    }
    KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
    generator.initialize(NamedParameterSpec.ED25519, new SeedReplay(seed));
    KeyPair pair = generator.generateKeyPair();
    if (!Arrays.equals(((EdECPrivateKey) pair.getPrivate()).getBytes().orElse(null), seed)) {
      throw new GeneralSecurityException("public key derivation failed");
    }
    return pair.getPublic();
  }

  private static byte[] pemBody(String pem, String label) {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("no " + label + " PEM block");
    }
    return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
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

  /** Hands the key generator a fixed seed; used only to re-derive a public key, never to create. */
  private static final class SeedReplay extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final transient byte[] seed;

    SeedReplay(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (bytes.length != seed.length) {
        throw new IllegalStateException("unexpected draw of " + bytes.length + " bytes");
      }
      System.arraycopy(seed, 0, bytes, 0, bytes.length);
    }
  }
}
