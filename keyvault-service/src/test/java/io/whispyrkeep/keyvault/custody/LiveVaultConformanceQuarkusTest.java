package io.whispyrkeep.keyvault.custody;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import io.whispyrkeep.testsupport.vault.RequiresVault;
import io.whispyrkeep.testsupport.vault.VaultStarter;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The conformance suite against a live HashiCorp Vault ({@link VaultStarter}: {@code VAULT_ADDR}
 * and {@code VAULT_TOKEN}, or Docker), through quarkus-vault's client as in production. Setup
 * enables a transit mount of its own; each test creates its derived key there. Skipped, with the
 * reason printed, where no Vault can be reached.
 */
@RequiresVault
@QuarkusTest
@TestProfile(LiveVaultConformanceQuarkusTest.LiveVault.class)
class LiveVaultConformanceQuarkusTest extends TransitEngineConformance {

  /** The Vault engine against the live Vault ({@link LiveVaultResource}). */
  public static class LiveVault implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(
          new TestResourceEntry(PostgresTestResource.class),
          new TestResourceEntry(KafkaTestResource.class),
          new TestResourceEntry(JwtTestResource.class),
          new TestResourceEntry(LiveVaultResource.class));
    }
  }

  /**
   * Started only when the test runs (Quarkus reads profiles while discovering tests, even skipped
   * ones): enables a transit mount of its own on the live Vault and points the service at it.
   */
  public static class LiveVaultResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
      VaultStarter.VaultServer vault =
          VaultStarter.vault()
              .orElseThrow(() -> new IllegalStateException(VaultStarter.unavailableReason()));
      String mount = "wk-transit-" + UUID.randomUUID().toString().substring(0, 8);
      enableTransit(vault, mount);
      return Map.of(
          "whispyrkeep.keyvault.custody.engine",
          "vault",
          "whispyrkeep.keyvault.custody.vault.mount",
          mount,
          "quarkus.vault.url",
          vault.address(),
          "quarkus.vault.authentication.client-token",
          vault.token());
    }

    @Override
    public void stop() {
      // The mount is left for post-mortems; a throw-away Vault goes with its container.
    }

    /** {@code vault secrets enable -path=<mount> transit}. */
    private static void enableTransit(VaultStarter.VaultServer vault, String mount) {
      try {
        HttpResponse<String> response =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create(vault.address() + "/v1/sys/mounts/" + mount))
                        .header("X-Vault-Token", vault.token())
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"transit\"}"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
          throw new IllegalStateException(
              "enabling transit at " + mount + " answered " + response.statusCode());
        }
      } catch (IOException e) {
        throw new IllegalStateException("enabling transit at " + mount + " failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Inject VaultTransitClient client;

  @Override
  protected TransitEngine newKey() {
    String name = "conformance-" + UUID.randomUUID();
    await(client.createDerivedKey(name));
    return new VaultTransitEngine(name, client);
  }
}
