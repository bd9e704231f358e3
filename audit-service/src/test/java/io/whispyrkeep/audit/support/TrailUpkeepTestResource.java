package io.whispyrkeep.audit.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A checkpoint signing key generated for the test run (never committed), a 30-day retention, and
 * their schedules off so that the test alone decides when checkpoints and retention run; verify
 * still expects a checkpoint at most 10 minutes old (of the tests' clock). Events may be up to ten
 * years behind the service's clock, which the tests move months ahead.
 */
public class TrailUpkeepTestResource implements QuarkusTestResourceLifecycleManager {

  private Path directory;

  @Override
  public Map<String, String> start() {
    try {
      directory = Files.createTempDirectory("wk-audit-keys-");
      Path key = directory.resolve("checkpoint-key.pem");
      Files.writeString(key, TestJwtKeys.privateKeyPem(TestJwtKeys.generate()));
      return Map.of(
          "whispyrkeep.audit.checkpoint.signing-key-file", key.toString(),
          "whispyrkeep.audit.retention.keep", "30d",
          "whispyrkeep.audit.retention.every", "off",
          "whispyrkeep.audit.checkpoint.every", "off",
          "whispyrkeep.audit.checkpoint.max-age", "10m",
          // The tests move the service's clock months ahead while events keep the real time.
          "whispyrkeep.audit.ingest.max-past-skew", "3650d");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void stop() {
    try {
      Files.deleteIfExists(directory.resolve("checkpoint-key.pem"));
      Files.deleteIfExists(directory);
    } catch (IOException e) {
      // a temporary folder; the OS cleans it up
    }
  }
}
