package io.whispyrkeep.platform.outbox;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import io.whispyrkeep.platform.crypto.Ed25519KeyFiles;
import io.whispyrkeep.platform.event.EventSignature;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

/**
 * Signs every record the outbox publishes with the service's Ed25519 key, so audit-service can tell
 * this service's events from anything else written to Kafka. The key is read at start-up: a
 * production service without one, or with an unreadable one, refuses to start rather than publish
 * events nobody can authenticate.
 */
@Startup
@ApplicationScoped
public class EventSigner {

  private static final Logger LOG = Logger.getLogger(EventSigner.class);

  private final Optional<Ed25519KeyFiles.SigningKey> key;

  EventSigner(EventSigningConfig config) {
    this.key = config.signingKeyFile().map(Ed25519KeyFiles::loadPrivate);
    if (key.isPresent()) {
      LOG.infof("security events are signed with Ed25519 key %s", key.get().keyId());
    } else if (LaunchMode.current() == LaunchMode.NORMAL) {
      throw new IllegalStateException(
          "no event signing key: set whispyrkeep.events.signing-key-file"
              + " (WK_EVENT_SIGNING_KEY_FILE) to a PKCS#8 PEM Ed25519 private key");
    } else {
      LOG.warn(
          "NO EVENT SIGNING KEY (whispyrkeep.events.signing-key-file): security events are"
              + " published UNSIGNED and audit-service will dead-letter them; allowed only in"
              + " dev and test mode");
    }
  }

  /** Id of the signing key, if there is one. */
  public Optional<String> keyId() {
    return key.map(Ed25519KeyFiles.SigningKey::keyId);
  }

  /**
   * The signature headers for a record value, exactly as the producer will serialise it (UTF-8);
   * empty headers without a key. CPU work: call it off the event loop.
   */
  public Headers headers(String value) {
    RecordHeaders headers = new RecordHeaders();
    if (key.isPresent()) {
      byte[] signature =
          EventSignature.sign(key.get().privateKey(), value.getBytes(StandardCharsets.UTF_8));
      headers.add(EventSignature.SIGNATURE_HEADER, Base64.getEncoder().encode(signature));
      headers.add(
          EventSignature.KEY_ID_HEADER, key.get().keyId().getBytes(StandardCharsets.US_ASCII));
    }
    return headers;
  }
}
