package io.whispyrkeep.auth.token;

import io.whispyrkeep.auth.config.AuthConfig;
import io.whispyrkeep.platform.crypto.RsaKeyFiles;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;

/**
 * The RSA keys auth-service signs with, loaded from PEM files at start-up. Every key is published
 * in the JWKS under its RFC 7638 thumbprint as {@code kid}; one of them, the active key, signs new
 * tokens. Keys rotate without invalidating tokens in flight: publish the new key next to the old
 * one, switch the active id, retire the old key after one access-token lifetime.
 */
@ApplicationScoped
public class SigningKeys {

  /** A signing key and its id. */
  public record SigningKey(String keyId, RSAPrivateCrtKey privateKey, RSAPublicKey publicKey) {}

  private final Map<String, SigningKey> keys;
  private final SigningKey active;
  private final String jwksJson;

  SigningKeys(AuthConfig config) {
    Map<String, SigningKey> loaded = new LinkedHashMap<>();
    for (Path file : config.token().signingKeyFiles()) {
      SigningKey key = load(file);
      loaded.put(key.keyId(), key);
    }
    if (loaded.isEmpty()) {
      throw new IllegalStateException("whispyrkeep.auth.token.signing-key-files names no key");
    }
    this.keys = Map.copyOf(loaded);
    String activeId = config.token().activeKeyId().orElse(loaded.keySet().iterator().next());
    this.active = loaded.get(activeId);
    if (active == null) {
      throw new IllegalStateException("active signing key " + activeId + " is not configured");
    }
    this.jwksJson = toJwks(loaded.values());
  }

  public SigningKey active() {
    return active;
  }

  public Map<String, SigningKey> all() {
    return keys;
  }

  /** The public JWK Set (RS256, use sig), in the order the keys were configured. */
  public String jwksJson() {
    return jwksJson;
  }

  static SigningKey load(Path file) {
    RsaKeyFiles.RsaKey key = RsaKeyFiles.load(file);
    return new SigningKey(key.keyId(), key.privateKey(), key.publicKey());
  }

  /** RFC 7638 JWK thumbprint (SHA-256, base64url): a key id derived from the key itself. */
  public static String thumbprint(RSAPublicKey key) {
    return RsaKeyFiles.thumbprint(key);
  }

  private static String toJwks(Iterable<SigningKey> keys) {
    List<JsonWebKey> jwks = new ArrayList<>();
    for (SigningKey key : keys) {
      RsaJsonWebKey jwk = new RsaJsonWebKey(key.publicKey());
      jwk.setKeyId(key.keyId());
      jwk.setAlgorithm("RS256");
      jwk.setUse("sig");
      jwks.add(jwk);
    }
    return new JsonWebKeySet(jwks).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
  }
}
