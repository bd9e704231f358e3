package io.whispyrkeep.testsupport.vault;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.UUID;

/**
 * Points the application's quarkus-vault client at a {@link VaultTransitStandIn} (a stand-in, not
 * Vault: proves wiring only) with a token of its own. Tests reach the stand-in's fault injection
 * through {@code quarkus.vault.url}.
 */
public class VaultTransitStandInTestResource implements QuarkusTestResourceLifecycleManager {

  private VaultTransitStandIn standIn;

  @Override
  public Map<String, String> start() {
    String token = "stand-in-" + UUID.randomUUID();
    standIn = VaultTransitStandIn.start(token);
    return Map.of(
        "quarkus.vault.url", standIn.url(), "quarkus.vault.authentication.client-token", token);
  }

  @Override
  public void stop() {
    if (standIn != null) {
      standIn.close();
    }
  }
}
