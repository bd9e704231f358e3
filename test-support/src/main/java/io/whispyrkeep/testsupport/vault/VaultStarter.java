package io.whispyrkeep.testsupport.vault;

import io.whispyrkeep.testsupport.DockerProbe;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.testcontainers.vault.VaultContainer;

/**
 * Finds a real HashiCorp Vault: {@code VAULT_ADDR} and {@code VAULT_TOKEN} from the environment,
 * else a Testcontainers Vault when a Docker engine answers. There is no third option: no Vault
 * binary can be installed on the build machines, so tests that need a live Vault are skipped with
 * the reason from {@link #unavailableReason()}.
 */
public final class VaultStarter {

  /** Image used when Docker is available. */
  public static final String DEFAULT_IMAGE = "hashicorp/vault:1.18";

  private static final Logger LOG = Logger.getLogger(VaultStarter.class);
  private static Optional<VaultServer> server;

  private VaultStarter() {}

  /** The shared Vault of this JVM, if one can be reached or started. */
  public static synchronized Optional<VaultServer> vault() {
    if (server == null) {
      server = find();
    }
    return server;
  }

  public static String unavailableReason() {
    return "no Vault: set VAULT_ADDR and VAULT_TOKEN, or run with a Docker engine"
        + " (no Vault binary can be installed on this machine)";
  }

  @SuppressWarnings("resource")
  private static Optional<VaultServer> find() {
    String address = System.getenv("VAULT_ADDR");
    String token = System.getenv("VAULT_TOKEN");
    if (address != null && !address.isBlank() && token != null && !token.isBlank()) {
      return Optional.of(new VaultServer("env", address, token));
    }
    if (DockerProbe.isDockerAvailable()) {
      String rootToken = UUID.randomUUID().toString();
      VaultContainer<?> container = new VaultContainer<>(DEFAULT_IMAGE).withVaultToken(rootToken);
      container.start();
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
      return Optional.of(
          new VaultServer("testcontainers", container.getHttpHostAddress(), rootToken));
    }
    LOG.info(unavailableReason());
    return Optional.empty();
  }

  /** Address and root token of a reachable Vault. */
  public record VaultServer(String origin, String address, String token) {
    @Override
    public String toString() {
      return "VaultServer[origin=" + origin + ", address=" + address + ", token=<redacted>]";
    }
  }
}
