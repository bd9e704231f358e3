package io.whispyrkeep.platform.event;

import io.whispyrkeep.platform.crypto.Ed25519KeyFiles;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * How an event proves who published it: an Ed25519 signature (RFC 8032) over the exact bytes of the
 * Kafka record value, in the {@value #SIGNATURE_HEADER} header (base64), with the signing key's id
 * in {@value #KEY_ID_HEADER} (its RFC 8037 thumbprint). audit-service trusts a key for one {@code
 * source} only, so a service can neither forge another's events nor alter one in transit.
 */
public final class EventSignature {

  /** Kafka header: standard base64 of the 64-byte Ed25519 signature. */
  public static final String SIGNATURE_HEADER = "wk-sig";

  /** Kafka header: id of the signing key (RFC 8037 JWK thumbprint, base64url, 43 characters). */
  public static final String KEY_ID_HEADER = "wk-kid";

  private EventSignature() {}

  /** Signs the payload bytes. CPU work: call it off the event loop. */
  public static byte[] sign(PrivateKey key, byte[] payload) {
    try {
      Signature signature = Signature.getInstance(Ed25519KeyFiles.ALGORITHM);
      signature.initSign(key);
      signature.update(payload);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign an event", e);
    }
  }

  /** True when the signature is the key's over exactly these bytes. */
  public static boolean isValid(PublicKey key, byte[] payload, byte[] signature) {
    if (signature == null || signature.length != Ed25519KeyFiles.SIGNATURE_BYTES) {
      return false;
    }
    try {
      Signature verifier = Signature.getInstance(Ed25519KeyFiles.ALGORITHM);
      verifier.initVerify(key);
      verifier.update(payload);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
