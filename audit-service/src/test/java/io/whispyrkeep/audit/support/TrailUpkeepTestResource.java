package io.whispyrkeep.audit.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;

/**
 * A checkpoint signing key generated for the test run (never committed), a 30-day retention, and
 * their schedules off so that the test alone decides when checkpoints and retention run.
 */
public class TrailUpkeepTestResource implements QuarkusTestResourceLifecycleManager {

  private Path directory;

  @Override
  public Map<String, String> start() {
    try {
      directory = Files.createTempDirectory("wk-audit-keys-");
      Path key = directory.resolve("checkpoint-key.pem");
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      Files.writeString(
          key,
          "-----BEGIN PRIVATE KEY-----\n"
              + Base64.getMimeEncoder()
                  .encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
              + "\n-----END PRIVATE KEY-----\n");
      return Map.of(
          "whispyrkeep.audit.checkpoint.signing-key-file", key.toString(),
          "whispyrkeep.audit.retention.keep", "30d",
          "whispyrkeep.audit.retention.every", "off",
          "whispyrkeep.audit.checkpoint.every", "off");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
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
