package io.whispyrkeep.platform.event;

import io.whispyrkeep.platform.crypto.Ed25519KeyFiles;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

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
    byte[] seed = Ed25519KeyFiles.seed(key);
    byte[] signature = new byte[Ed25519KeyFiles.SIGNATURE_BYTES];
    Ed25519.sign(seed, 0, payload, 0, payload.length, signature, 0);
    return signature;
  }

  /** True when the signature is the key's over exactly these bytes. */
  public static boolean isValid(PublicKey key, byte[] payload, byte[] signature) {
    return verifier(key).isValid(payload, signature);
  }

  /** A verifier for one key, with the key's curve point decoded once. */
  public static Verifier verifier(PublicKey key) {
    Ed25519.PublicPoint point =
        Ed25519.validatePublicKeyFullExport(Ed25519KeyFiles.rawPublicKey(key), 0);
    if (point == null) {
      throw new IllegalArgumentException("not a valid Ed25519 public key");
    }
    return new Verifier(point);
  }

  /** Checks signatures of one public key; thread-safe. */
  public static final class Verifier {
    private final Ed25519.PublicPoint point;

    private Verifier(Ed25519.PublicPoint point) {
      this.point = point;
    }

    /** True when the signature is this key's over exactly these bytes (strict RFC 8032). */
    public boolean isValid(byte[] payload, byte[] signature) {
      if (signature == null || signature.length != Ed25519KeyFiles.SIGNATURE_BYTES) {
        return false;
      }
      return Ed25519.verify(signature, 0, point, payload, 0, payload.length);
    }
  }
}
