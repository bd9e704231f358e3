package io.whispyrkeep.audit.ingest;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import io.whispyrkeep.audit.config.AuditConfig;
import io.whispyrkeep.platform.crypto.Ed25519KeyFiles;
import io.whispyrkeep.platform.event.EventSignature;
import io.whispyrkeep.platform.outbox.EventSigner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.Logger;

/**
 * Decides whether an event was published by the service it names as its {@code source}: the record
 * must carry exactly one Ed25519 signature and key id ({@link EventSignature}), the key must be one
 * configured for that source ({@code whispyrkeep.audit.event-keys.<source>.public-key-files}), and
 * the signature must hold over the exact bytes of the record value. Anyone who can write to Kafka
 * can still send records, but can no longer make the trail store them as another service's events.
 * Also re-checks stored signatures for {@code GET /audit/verify}. Signature checks are CPU work:
 * callers run them on worker threads.
 */
@Startup // keys are read, and a production service without any refuses to start, at start-up
@ApplicationScoped
public class EventAuthenticator {

  private static final Logger LOG = Logger.getLogger(EventAuthenticator.class);

  /** Key ids are RFC 8037 thumbprints: 43 base64url characters. */
  private static final int KEY_ID_LENGTH = 43;

  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{" + KEY_ID_LENGTH + "}");

  /** Longest signature header read (base64 of 64 bytes is 88 characters). */
  private static final int MAX_SIGNATURE_HEADER = 128;

  /** A public key trusted for the events of one source. */
  record TrustedKey(String source, EventSignature.Verifier verifier) {}

  /** The outcome of {@link #authenticate}. */
  public sealed interface Verdict permits Authentic, Refused {}

  /** A correctly signed record: the key id, the source the key is trusted for, the signature. */
  public record Authentic(String keyId, String source, byte[] signature) implements Verdict {}

  /** A record whose origin cannot be established, and why (safe to log: no record content). */
  public record Refused(String reason) implements Verdict {}

  /** The source audit-service's own events carry. */
  static final String OWN_SOURCE = "audit-service";

  private final Map<String, TrustedKey> keys;

  @Inject
  EventAuthenticator(AuditConfig config, EventSigner signer) {
    this(config.eventKeys());
    signer.keyId().ifPresent(this::requireOwnKeyTrusted);
  }

  /**
   * audit-service's own events (dead-letter reports, stalls, queries) come back through Kafka
   * signed with its outbox key: unless that key is trusted for audit-service, each dead-letter
   * report would itself be dead-lettered and reported again, without end.
   */
  private void requireOwnKeyTrusted(String ownKeyId) {
    TrustedKey own = keys.get(ownKeyId);
    if (own != null && own.source().equals(OWN_SOURCE)) {
      return;
    }
    String problem =
        "audit-service's own event signing key "
            + ownKeyId
            + " is not trusted for "
            + OWN_SOURCE
            + " (whispyrkeep.audit.event-keys."
            + OWN_SOURCE
            + ".public-key-files): its own events would be dead-lettered";
    if (LaunchMode.current() == LaunchMode.NORMAL) {
      throw new IllegalStateException(problem);
    }
    LOG.warn(problem);
  }

  EventAuthenticator(Map<String, AuditConfig.EventKeys> sources) {
    Map<String, TrustedKey> loaded = new HashMap<>();
    sources.forEach(
        (source, files) -> {
          for (Path file : files.publicKeyFiles().orElse(List.of())) {
            PublicKey key = Ed25519KeyFiles.loadPublic(file);
            String keyId = Ed25519KeyFiles.thumbprint(key);
            TrustedKey previous =
                loaded.put(keyId, new TrustedKey(source, EventSignature.verifier(key)));
            if (previous != null && !previous.source().equals(source)) {
              // One key for two sources would let either forge the other's events.
              throw new IllegalStateException(
                  "event key "
                      + keyId
                      + " is configured for both "
                      + previous.source()
                      + " and "
                      + source
                      + "; each source needs its own key");
            }
          }
        });
    this.keys = Map.copyOf(loaded);
    if (keys.isEmpty()) {
      if (LaunchMode.current() == LaunchMode.NORMAL) {
        throw new IllegalStateException(
            "no event keys: set whispyrkeep.audit.event-keys.<source>.public-key-files"
                + " (WK_EVENT_KEYS_<SOURCE>) for each publishing service");
      }
      LOG.warn(
          "NO EVENT KEYS (whispyrkeep.audit.event-keys): every security event will be"
              + " dead-lettered as unauthenticated");
    } else {
      keys.forEach(
          (keyId, trusted) -> LOG.infof("trusting event key %s for %s", keyId, trusted.source()));
    }
  }

  /**
   * Checks a record's signature headers against its exact value bytes. Does not look inside the
   * value: the caller compares {@link Authentic#source()} with the event's {@code source} once it
   * has parsed it.
   */
  public Verdict authenticate(Headers headers, byte[] value) {
    Header[] signatures = toArray(headers.headers(EventSignature.SIGNATURE_HEADER));
    Header[] keyIds = toArray(headers.headers(EventSignature.KEY_ID_HEADER));
    if (signatures.length == 0 || keyIds.length == 0) {
      return new Refused(
          "unsigned: no "
              + EventSignature.SIGNATURE_HEADER
              + " and "
              + EventSignature.KEY_ID_HEADER
              + " headers");
    }
    if (signatures.length > 1 || keyIds.length > 1) {
      return new Refused("more than one signature or key id header");
    }
    String keyId = text(keyIds[0].value(), KEY_ID_LENGTH);
    if (keyId == null || !KEY_ID.matcher(keyId).matches()) {
      return new Refused("malformed key id");
    }
    TrustedKey trusted = keys.get(keyId);
    if (trusted == null) {
      return new Refused("signed by an unknown key " + keyId);
    }
    byte[] signature = decode(signatures[0].value());
    if (signature == null || signature.length != Ed25519KeyFiles.SIGNATURE_BYTES) {
      return new Refused("malformed signature");
    }
    if (!trusted.verifier().isValid(value, signature)) {
      return new Refused("signature does not match the payload (key " + keyId + ")");
    }
    return new Authentic(keyId, trusted.source(), signature);
  }

  /** The refusal when an authentic record claims a source its key is not trusted for, or null. */
  public static String sourceMismatch(Authentic authentic, String claimedSource) {
    if (authentic.source().equals(claimedSource)) {
      return null;
    }
    return "key "
        + authentic.keyId()
        + " is trusted for "
        + authentic.source()
        + ", not for the claimed source";
  }

  /**
   * Re-checks a stored event's signature: null when the signature holds and the key is still
   * trusted for {@code source}, else why not.
   */
  public String recheck(String source, String keyId, byte[] signature, byte[] signedBytes) {
    if (keyId == null || signature == null) {
      return "event has no signature";
    }
    TrustedKey trusted = keys.get(keyId);
    if (trusted == null) {
      return "event is signed by a key no longer trusted";
    }
    if (!trusted.source().equals(source)) {
      return "event is signed by a key of another source";
    }
    if (!trusted.verifier().isValid(signedBytes, signature)) {
      return "event signature does not match its content";
    }
    return null;
  }

  private static Header[] toArray(Iterable<Header> headers) {
    List<Header> list = new ArrayList<>(2);
    for (Header header : headers) {
      list.add(header);
      if (list.size() > 2) {
        break;
      }
    }
    return list.toArray(Header[]::new);
  }

  private static String text(byte[] value, int max) {
    if (value == null || value.length > max) {
      return null;
    }
    return new String(value, StandardCharsets.US_ASCII);
  }

  private static byte[] decode(byte[] base64) {
    if (base64 == null || base64.length > MAX_SIGNATURE_HEADER) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
