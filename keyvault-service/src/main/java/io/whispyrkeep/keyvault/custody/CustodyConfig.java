package io.whispyrkeep.keyvault.custody;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Custody of players' provider keys: which transit engine encrypts them and how. Secrets (the local
 * engine's master keys, Vault tokens) come from files or the environment, never a properties file.
 * Vault's own connection and authentication are quarkus-vault's settings ({@code
 * quarkus.vault.url}, {@code quarkus.vault.authentication.*}); the fault-tolerance bounds of Vault
 * calls are SmallRye's ({@code
 * quarkus.fault-tolerance."io.whispyrkeep.keyvault.custody.VaultTransitClient/<method>".*}).
 */
@ConfigMapping(prefix = "whispyrkeep.keyvault.custody")
public interface CustodyConfig {

  /** The engines that can hold the transit key. */
  enum Engine {
    /** Embedded: key versions in this service's database, wrapped under a master key. */
    LOCAL,
    /** HashiCorp Vault or OpenBao transit, through quarkus-vault. */
    VAULT
  }

  /**
   * Which engine encrypts: {@code local} (default: the local launcher, tests and any machine
   * without Vault) or {@code vault} (production). Only the selected engine is ever started: with
   * {@code local}, quarkus-vault never contacts Vault.
   */
  @WithDefault("local")
  Engine engine();

  /**
   * Name of the transit key, in Vault or in the local table. Default {@code whispyrkeep-llm-keys}.
   * Letters, digits, {@code -} and {@code _}, at most 128 characters (it is a Vault path segment).
   */
  @WithDefault("whispyrkeep-llm-keys")
  String keyName();

  /** The Vault engine. */
  Vault vault();

  /** The embedded engine. */
  Local local();

  /** The Vault engine's settings beside quarkus-vault's own. */
  interface Vault {
    /** Mount path of the transit secrets engine. Default {@code transit}. */
    @WithDefault("transit")
    String mount();
  }

  /** The embedded engine. */
  interface Local {
    /**
     * The current master key (KEK) that wraps the key versions in the database: base64 of exactly
     * 32 random bytes, e.g. from an environment variable. Exactly one of this and {@link
     * #masterKeyFile()} must be set when the engine is {@code local}; start-up fails otherwise.
     */
    Optional<String> masterKey();

    /**
     * A file holding the current master key as base64 of exactly 32 random bytes (a mounted Secret;
     * the local launcher generates {@code .local/secrets/transit-master.key}).
     */
    Optional<Path> masterKeyFile();

    /**
     * Retired master keys (base64, 32 bytes each) that may still wrap some key versions. At
     * start-up every key version wrapped under one of them is re-wrapped under the current master
     * key, without touching any ciphertext; remove a retired key once every replica has started
     * with the new one. Rotation across replicas: first add the new key here on every replica, then
     * make it current (the old one moving here), so no running replica meets a wrap it cannot open.
     */
    Optional<List<String>> previousMasterKeys();

    /** Files holding retired master keys, as {@link #previousMasterKeys()}. */
    Optional<List<Path>> previousMasterKeyFiles();

    /**
     * How long a replica uses the key's state (newest and minimum decryption version) before
     * reading it again in the background: the longest another replica's rotation or raised minimum
     * takes to hold here (the replica that makes the change applies it at once). Default 2 s. Wait
     * longer than this after a rotation before concluding that no row is left under an older
     * version. Encrypt and decrypt read nothing from the database.
     */
    @WithDefault("2s")
    Duration stateRefresh();

    /**
     * Per-context keys derived (HKDF-SHA256) and kept in memory, so a player's repeated calls do
     * not derive again. Default 10000 (about 1 MiB); least recently used ones are dropped first.
     */
    @WithDefault("10000")
    int derivedKeyCacheSize();

    /**
     * Crypto tasks run at once, on threads of their own (never the event loop). Default 2: one per
     * core of the reference machine.
     */
    @WithDefault("2")
    int maxConcurrent();

    /**
     * Crypto tasks waiting for a thread; beyond this, calls fail with {@link
     * CustodyUnavailableException} (503). Default 1000.
     */
    @WithDefault("1000")
    int queueCapacity();
  }
}
