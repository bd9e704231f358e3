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
    if (colon < 0 || colon - PREFIX.length() > 9 || colon == PREFIX.length()) {
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
}
