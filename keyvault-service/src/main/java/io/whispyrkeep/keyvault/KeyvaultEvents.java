package io.whispyrkeep.keyvault;

/**
 * keyvault-service's security event types, recorded through the platform's outbox in the same
 * transaction as the change they describe. None ever carries a key, a ciphertext or a token.
 */
public final class KeyvaultEvents {

  public static final String STORED = "key.stored";
  public static final String REPLACED = "key.replaced";
  public static final String DELETED = "key.deleted";

  /** Every decryption, committed before the key is decrypted (fail closed, as Vault audits). */
  public static final String USED = "key.used";

  public static final String DECRYPT_DENIED = "key.decrypt_denied";
  public static final String RATE_LIMITED = "key.rate_limited";
  public static final String ROTATED = "key.rotated";
  public static final String REWRAPPED = "key.rewrapped";
  public static final String MIN_VERSION_RAISED = "key.min_version_raised";

  private KeyvaultEvents() {}
}
