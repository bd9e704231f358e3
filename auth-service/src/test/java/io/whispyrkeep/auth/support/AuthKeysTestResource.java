package io.whispyrkeep.auth.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.whispyrkeep.auth.token.SigningKeys;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.devinfra.keys.TestTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Two signing keys for auth-service under test, as PEM files like the mounted Secret: the old one
 * (still published) and the new, active one, so every test runs mid-rotation. auth-service verifies
 * its own tokens from a JWKS file of both (in production it fetches its own /auth/jwks).
 */
public class AuthKeysTestResource implements QuarkusTestResourceLifecycleManager {

  public static final Path DIRECTORY = Path.of("target", "test-auth-keys");

  @Override
  public Map<String, String> start() {
    try {
      Files.createDirectories(DIRECTORY);
      Path oldKey = DIRECTORY.resolve("old.pem");
      Path newKey = DIRECTORY.resolve("new.pem");
      if (!Files.exists(oldKey)) {
        write(oldKey, TestJwtKeys.generate());
        write(newKey, TestJwtKeys.generate());
      }
      Map<String, RSAPublicKey> published = new LinkedHashMap<>();
      published.put(keyId(oldKey), publicKey(oldKey));
      published.put(keyId(newKey), publicKey(newKey));
      Path jwks = DIRECTORY.resolve("jwks.json");
      Files.writeString(jwks, TestJwtKeys.jwks(published));
      return Map.of(
          "whispyrkeep.auth.token.signing-key-files",
          oldKey.toAbsolutePath() + "," + newKey.toAbsolutePath(),
          "whispyrkeep.auth.token.active-key-id",
          keyId(newKey),
          "whispyrkeep.jwt.jwks-url",
          jwks.toAbsolutePath().toUri().toString(),
          "whispyrkeep.jwt.issuer",
          TestTokens.ISSUER);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The retired-but-published key, to sign tokens "issued before the rotation". */
  public static PrivateKey oldPrivateKey() {
    return privateKey(DIRECTORY.resolve("old.pem"));
  }

  public static String oldKeyId() {
    return keyId(DIRECTORY.resolve("old.pem"));
  }

  public static RSAPublicKey newPublicKey() {
    return publicKey(DIRECTORY.resolve("new.pem"));
  }

  public static String newKeyId() {
    return keyId(DIRECTORY.resolve("new.pem"));
  }

  static String keyId(Path pem) {
    return SigningKeys.thumbprint(publicKey(pem));
  }

  static RSAPublicKey publicKey(Path pem) {
    try {
      var crt = (java.security.interfaces.RSAPrivateCrtKey) privateKey(pem);
      return (RSAPublicKey)
          KeyFactory.getInstance("RSA")
              .generatePublic(
                  new java.security.spec.RSAPublicKeySpec(
                      crt.getModulus(), crt.getPublicExponent()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static PrivateKey privateKey(Path pem) {
    try {
      String base64 =
          Files.readString(pem)
              .replaceAll("-----BEGIN PRIVATE KEY-----|-----END PRIVATE KEY-----|\\s", "");
      return KeyFactory.getInstance("RSA")
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(Path file, KeyPair pair) throws IOException {
    Files.writeString(file, TestJwtKeys.privateKeyPem(pair));
  }

  @Override
  public void stop() {}
}
