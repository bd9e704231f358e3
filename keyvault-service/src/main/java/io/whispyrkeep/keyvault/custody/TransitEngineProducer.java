package io.whispyrkeep.keyvault.custody;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.regex.Pattern;

/**
 * The one {@link TransitEngine} of the service, chosen by {@code
 * whispyrkeep.keyvault.custody.engine}. Only the chosen engine's beans are ever created: with
 * {@code local}, quarkus-vault's client is never built and Vault never contacted; with {@code
 * vault}, no master key is needed and the local tables stay empty. At start-up the local engine
 * checks its master keys (start-up fails without a valid one), creates its key if missing and
 * re-wraps versions still wrapped under retired master keys; the Vault engine contacts Vault only
 * on first use, so a Vault outage does not stop start-up.
 */
@ApplicationScoped
class TransitEngineProducer {

  /** Vault accepts more in a key name; this is what a path segment and a log line take safely. */
  private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  private final CustodyConfig config;
  private final Instance<LocalTransitKeys> local;
  private final Instance<VaultTransitClient> vault;

  TransitEngineProducer(
      CustodyConfig config, Instance<LocalTransitKeys> local, Instance<VaultTransitClient> vault) {
    this.config = config;
    this.local = local;
    this.vault = vault;
  }

  @Produces
  @Singleton
  TransitEngine transitEngine() {
    String keyName = keyName(config);
    return switch (config.engine()) {
      case LOCAL -> local.get().engine(keyName);
      case VAULT -> new VaultTransitEngine(keyName, vault.get());
    };
  }

  void onStart(@Observes StartupEvent event) throws Throwable {
    String keyName = keyName(config);
    if (config.engine() == CustodyConfig.Engine.LOCAL) {
      LocalTransitKeys keys = local.get();
      VertxContextSupport.subscribeAndAwait(() -> keys.prepare(keyName));
    }
  }

  static String keyName(CustodyConfig config) {
    if (!KEY_NAME.matcher(config.keyName()).matches()) {
      throw new IllegalStateException(
          "whispyrkeep.keyvault.custody.key-name must be 1 to 128 letters, digits, - or _");
    }
    return config.keyName();
  }
}
