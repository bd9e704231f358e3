package io.whispyrkeep.testsupport.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Runs only where a real Vault is reachable (environment or Docker); on the build machines it is
 * skipped with the reason printed, which is the behaviour every Vault-dependent test inherits.
 */
@RequiresVault
class VaultStarterTest {

  @Test
  void vault_reachableAndUnsealed_healthAnswers200() throws Exception {
    VaultStarter.VaultServer vault = VaultStarter.vault().orElseThrow();
    HttpResponse<String> health =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(vault.address() + "/v1/sys/health"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode(), "Vault must be initialised and unsealed");
  }
}
