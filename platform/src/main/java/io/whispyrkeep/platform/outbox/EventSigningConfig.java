package io.whispyrkeep.platform.outbox;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;
import java.util.Optional;

/** The key a service signs its published events with (see {@code EventSignature}). */
@ConfigMapping(prefix = "whispyrkeep.events")
public interface EventSigningConfig {

  /**
   * PKCS#8 PEM Ed25519 private key of this service (env {@code WK_EVENT_SIGNING_KEY_FILE});
   * production keeps it in a Kubernetes Secret, the local launcher in {@code .local/secrets/}.
   * Required in production: without it the service refuses to start. In dev and test mode it may be
   * unset, and events then go out unsigned (audit-service dead-letters them), with a warning.
   */
  Optional<Path> signingKeyFile();
}
