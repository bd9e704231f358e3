package io.whispyrkeep.keyvault.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.whispyrkeep.keyvault.outbound.WireFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * keyvault-service settings (custody engine settings are in {@code CustodyConfig}). Secrets (the
 * fingerprint key, the master key) come from files or the environment, never from a properties
 * file.
 */
@ConfigMapping(prefix = "whispyrkeep.keyvault")
public interface KeyvaultConfig {

  /**
   * LLM providers players may store a key for, by name (the {@code {provider}} path segment). The
   * defaults are {@code openai}, {@code anthropic}, {@code openai-compatible} and {@code offline}
   * (disabled unless enabled, on in the local launcher).
   */
  Map<String, Provider> providers();

  Keys keys();

  Broker broker();

  Rewrap rewrap();

  /** One provider. */
  interface Provider {

    /** Whether players may store keys for it and the broker may call it. Default true. */
    @WithDefault("true")
    boolean enabled();

    /**
     * The API a player's own server speaks ({@link #playerBaseUrl()} providers): {@code openai}
     * (chat completions) or {@code anthropic}. Operator providers' formats and URLs are fixed in
     * {@code whispyrkeep.keyvault.outbound.*}.
     */
    @WithDefault("openai")
    WireFormat wireFormat();

    /**
     * Whether the player supplies the base URL (required in PUT, checked by the SSRF guard when
     * stored and again at every call). Default false: the provider is one of the operator's ({@code
     * openai}, {@code anthropic}, {@code offline}), whose URL is configured.
     */
    @WithDefault("false")
    boolean playerBaseUrl();

    /** Prefix every key of this provider has (OpenAI {@code sk-}, Anthropic {@code sk-ant-}). */
    Optional<String> keyPrefix();

    /** Shortest key accepted, prefix included. Default 20. */
    @WithDefault("20")
    int keyMinLength();

    /** Longest key accepted. Default 256 (real keys are under 200 characters). */
    @WithDefault("256")
    int keyMaxLength();
  }

  /** Stored keys. */
  interface Keys {

    /**
     * File holding the HMAC-SHA256 key of key fingerprints (32 bytes, base64); or set {@link
     * #fingerprintKey()}. Without one the service does not start: an unkeyed hash of an API key
     * could be brute-forced from the audit trail.
     */
    Optional<Path> fingerprintKeyFile();

    /** The fingerprint key itself (base64, 32 bytes), e.g. from an environment variable. */
    Optional<String> fingerprintKey();

    /**
     * Key changes (PUT and DELETE) a player may make per hour, across all replicas. Default 10 (the
     * seed's {@code LLMConfigRateThrottle}).
     */
    @WithDefault("10")
    int changesPerHour();
  }

  /** The outbound broker ({@code POST /internal/llm/{provider}/chat}). */
  interface Broker {

    /**
     * Services ({@code act.sub} of a delegated token) allowed to have a player's key used. Default
     * turn-service.
     */
    @WithDefault("turn-service")
    Set<String> allowedCallers();

    /** The scope a delegated token must carry. Default {@code llm:invoke}. */
    @WithDefault("llm:invoke")
    String requiredScope();

    /**
     * Broker calls one player may have running at once on one replica; more are refused with 429 at
     * once. Default 4 (a player takes one turn at a time): the providers' bulkheads (64 calls per
     * operator provider, 16 for all players' own servers) are shared, and without this bound one
     * player's slow calls could take every slot.
     */
    @WithDefault("4")
    int maxConcurrentPerPlayer();
  }

  /** Re-encryption of stored keys under the newest transit key version. */
  interface Rewrap {

    /** Rows re-encrypted per batch (one engine call and one transaction). Default 200. */
    @WithDefault("200")
    int batchSize();

    /**
     * How long a worker's claim on a run lasts without progress; after it a crashed worker's run is
     * resumed by any replica. Default 2 minutes.
     */
    @WithDefault("2m")
    Duration lease();

    /**
     * How long after the latest rewrap started the scheduled job starts another when stored keys
     * are behind the newest version (e.g. after a rotation). Default 1h.
     */
    @WithDefault("1h")
    Duration every();

    /**
     * How often the scheduled job looks for a run whose worker has gone (its lease ran out) and
     * resumes it. Default 1m.
     */
    @WithDefault("1m")
    Duration resumeEvery();
  }
}
