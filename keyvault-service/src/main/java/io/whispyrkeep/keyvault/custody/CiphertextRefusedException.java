package io.whispyrkeep.keyvault.custody;

/**
 * This ciphertext will never decrypt here: malformed, altered, made for another context (another
 * user's row), of an unknown key version, or older than the minimum decryption version.
 */
public class CiphertextRefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why a ciphertext was refused; stable, safe to log and to put in an event. */
  public enum Reason {
    MALFORMED,
    AUTHENTICATION_FAILED,
    UNKNOWN_VERSION,
    BELOW_MIN_DECRYPTION_VERSION
  }

  private final Reason reason;

  public CiphertextRefusedException(Reason reason) {
    super("ciphertext refused: " + reason.name().toLowerCase(java.util.Locale.ROOT));
    this.reason = reason;
  }

  /** With a fixed, secret-free note on where (e.g. a batch index) in front of the reason. */
  protected CiphertextRefusedException(Reason reason, String where) {
    super(where + ": ciphertext refused: " + reason.name().toLowerCase(java.util.Locale.ROOT));
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
