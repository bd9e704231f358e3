package io.whispyrkeep.testsupport.quarkus;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.whispyrkeep.narrator.OfflineNarrator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Starts the offline narrator (an OpenAI-compatible STAND-IN for LLM providers, not a real one)
 * once per test JVM on an ephemeral port and points keyvault-service's {@code offline} provider at
 * it. Tests read what it received through {@link #narrator()}; {@code #hold} requests wait until a
 * test calls {@code narrator().releaseHeld()}.
 */
public class OfflineNarratorTestResource implements QuarkusTestResourceLifecycleManager {

  private static OfflineNarrator narrator;

  /** The running narrator of this JVM (started on first use). */
  public static synchronized OfflineNarrator narrator() {
    if (narrator == null) {
      try {
        narrator =
            OfflineNarrator.start("127.0.0.1", 0, OfflineNarrator.Options.defaults().withHolds());
      } catch (IOException e) {
        throw new UncheckedIOException("offline narrator did not start", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(narrator::close));
    }
    return narrator;
  }

  @Override
  public Map<String, String> start() {
    return Map.of(
        "whispyrkeep.keyvault.outbound.offline-base-url",
        narrator().baseUrl(),
        "whispyrkeep.keyvault.providers.offline.enabled",
        "true");
  }

  @Override
  public void stop() {
    // Shared by every boot of this JVM; stopped at exit.
  }
}
