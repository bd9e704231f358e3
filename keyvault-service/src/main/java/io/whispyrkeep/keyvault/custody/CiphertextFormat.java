package io.whispyrkeep.keyvault.custody;

/**
 * Vault's ciphertext framing, {@code vault:v<N>:<base64>}, shared by both engines so that stored
 * rows move between them unchanged in form.
 */
final class CiphertextFormat {

  static final String PREFIX = "vault:v";

  private CiphertextFormat() {}

  /** The version in the frame; {@link CiphertextRefusedException} when the frame is malformed. */
  static int version(String ciphertext) {
    if (ciphertext == null || !ciphertext.startsWith(PREFIX)) {
      throw new CiphertextRefusedException(CiphertextRefusedException.Reason.MALFORMED);
    }
    int colon = ciphertext.indexOf(':', PREFIX.length());
    // One spelling per version: no sign, no leading zero (Vault would read v01 as v1), 9 digits.
    if (colon < 0
        || colon - PREFIX.length() > 9
        || colon == PREFIX.length()
        || ciphertext.charAt(PREFIX.length()) == '0') {
      throw new CiphertextRefusedException(CiphertextRefusedException.Reason.MALFORMED);
    }
    int version = 0;
    for (int i = PREFIX.length(); i < colon; i++) {
      char c = ciphertext.charAt(i);
      if (c < '0' || c > '9') {
        throw new CiphertextRefusedException(CiphertextRefusedException.Reason.MALFORMED);
      }
      version = version * 10 + (c - '0');
    }
    if (version < 1) {
      throw new CiphertextRefusedException(CiphertextRefusedException.Reason.MALFORMED);
    }
    return version;
  }

  /**
   * The base64 body after the {@code vault:v<N>:} prefix (not decoded); {@link
   * CiphertextRefusedException} when the frame is malformed or the body empty.
   */
  static String body(String ciphertext) {
    version(ciphertext);
    String body = ciphertext.substring(ciphertext.indexOf(':', PREFIX.length()) + 1);
    if (body.isEmpty()) {
      throw new CiphertextRefusedException(CiphertextRefusedException.Reason.MALFORMED);
    }
    return body;
  }

  /** {@code vault:v<version>:<body>}. */
  static String frame(int version, String body) {
    return PREFIX + version + ':' + body;
  }
}
