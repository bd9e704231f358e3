package io.whispyrkeep.devinfra.keys;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.util.Base64;

/**
 * Writes keys as PEM text (RFC 7468: PKCS#8 {@code PRIVATE KEY}, SubjectPublicKeyInfo {@code PUBLIC
 * KEY}), the form the services read through smallrye-jwt's {@code KeyUtils}. The one PEM writer of
 * the launcher's secrets and the throw-away test keys.
 */
public final class PemText {

  private PemText() {}

  /** PEM text of a private key (PKCS#8). */
  public static String privateKey(Key key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  /** PEM text of a public key (SubjectPublicKeyInfo). */
  public static String publicKey(Key key) {
    return pem("PUBLIC KEY", key.getEncoded());
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
