package io.whispyrkeep.platform.crypto;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.util.KeyUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import org.jose4j.jwk.RsaJsonWebKey;

/**
 * RSA keys from PEM files, decoded by smallrye-jwt's {@link KeyUtils}: private keys in PKCS#8 (the
 * form Kubernetes Secrets and {@code openssl genpkey} produce), with the public half derived from
 * the private key so one file is all a service needs, and an id derived from the key itself (RFC
 * 7638 thumbprint) so nobody has to name keys by hand.
 */
public final class RsaKeyFiles {

  /** Smallest RSA modulus accepted (NIST SP 800-57: 2048 bits until 2030). */
  public static final int MIN_RSA_BITS = 2048;

  /** A key pair and its id. */
  public record RsaKey(String keyId, RSAPrivateCrtKey privateKey, RSAPublicKey publicKey) {}

  private RsaKeyFiles() {}

  /** Reads a PKCS#8 PEM RSA private key of at least {@value #MIN_RSA_BITS} bits. */
  public static RsaKey load(Path file) {
    try {
      RSAPrivateCrtKey privateKey =
          (RSAPrivateCrtKey)
              KeyUtils.decodePrivateKey(Files.readString(file), SignatureAlgorithm.RS256);
      KeyFactory factory = KeyFactory.getInstance("RSA");
      if (privateKey.getModulus().bitLength() < MIN_RSA_BITS) {
        throw new IllegalStateException("key " + file + " is shorter than 2048 bits");
      }
      RSAPublicKey publicKey =
          (RSAPublicKey)
              factory.generatePublic(
                  new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
      return new RsaKey(thumbprint(publicKey), privateKey, publicKey);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read key " + file, e);
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalStateException("key " + file + " is not a PKCS#8 RSA private key", e);
    }
  }

  /** Reads a PEM (SubjectPublicKeyInfo) RSA public key, as verifiers are configured with. */
  public static RSAPublicKey loadPublic(Path file) {
    try {
      return (RSAPublicKey)
          KeyUtils.decodePublicKey(Files.readString(file), SignatureAlgorithm.RS256);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read public key " + file, e);
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalStateException("key " + file + " is not a PEM RSA public key", e);
    }
  }

  /** RFC 7638 JWK thumbprint (SHA-256, base64url): a key id derived from the key itself. */
  public static String thumbprint(RSAPublicKey key) {
    return new RsaJsonWebKey(key).calculateBase64urlEncodedThumbprint("SHA-256");
  }
}
