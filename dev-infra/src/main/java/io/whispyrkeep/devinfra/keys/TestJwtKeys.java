package io.whispyrkeep.devinfra.keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * RSA signing keys for tests, standing in for auth-service's keys until tests run against it: a
 * JWKS file the application under test verifies with, and the private key tests sign with. Kept in
 * files under {@code target/test-jwt} (not in static fields) because Quarkus loads test resources
 * and test classes in different class loaders.
 */
public final class TestJwtKeys {

  /** Key id of the trusted test key. */
  public static final String KEY_ID = "test-key-1";

  private static final Path DIRECTORY = Path.of("target", "test-jwt");

  private TestJwtKeys() {}

  /** Creates the key pair and JWKS on first use; returns the JWKS file. */
  public static synchronized Path jwksFile() {
    Path jwks = DIRECTORY.resolve("jwks.json");
    if (!Files.exists(jwks)) {
      KeyPair pair = generate();
      try {
        Files.createDirectories(DIRECTORY);
        Files.writeString(
            DIRECTORY.resolve("private.key"),
            Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
        Files.writeString(
            DIRECTORY.resolve("public.key"),
            Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
        Files.writeString(jwks, jwks((RSAPublicKey) pair.getPublic(), KEY_ID));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return jwks.toAbsolutePath();
  }

  public static PrivateKey privateKey() {
    jwksFile();
    try {
      byte[] encoded =
          Base64.getDecoder().decode(Files.readString(DIRECTORY.resolve("private.key")));
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(encoded));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The trusted public key, DER (X.509) encoded: what an HS256 confusion attack would use. */
  public static byte[] publicKeyBytes() {
    jwksFile();
    try {
      return Base64.getDecoder().decode(Files.readString(DIRECTORY.resolve("public.key")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A fresh key pair nobody trusts. */
  public static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The private half of a key pair as PKCS#8 PEM, the form the services read key files in. */
  public static String privateKeyPem(KeyPair pair) {
    return PemText.privateKey(pair.getPrivate());
  }

  static String jwks(RSAPublicKey key, String keyId) {
    return jwks(java.util.Map.of(keyId, key));
  }

  /** A JWK Set with one RS256 signing key per key id. */
  public static String jwks(java.util.Map<String, RSAPublicKey> keys) {
    StringBuilder json = new StringBuilder("{\"keys\":[");
    keys.forEach(
        (keyId, key) -> {
          if (json.charAt(json.length() - 1) == '}') {
            json.append(',');
          }
          json.append("{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"")
              .append(keyId)
              .append("\",\"n\":\"")
              .append(base64Url(key.getModulus()))
              .append("\",\"e\":\"")
              .append(base64Url(key.getPublicExponent()))
              .append("\"}");
        });
    return json.append("]}").toString();
  }

  /** The trusted public key. */
  public static RSAPublicKey publicKey() {
    try {
      return (RSAPublicKey)
          KeyFactory.getInstance("RSA")
              .generatePublic(new java.security.spec.X509EncodedKeySpec(publicKeyBytes()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base64Url(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      byte[] trimmed = new byte[bytes.length - 1];
      System.arraycopy(bytes, 1, trimmed, 0, trimmed.length);
      bytes = trimmed;
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
