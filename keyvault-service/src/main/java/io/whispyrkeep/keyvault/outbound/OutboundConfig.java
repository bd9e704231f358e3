package io.whispyrkeep.keyvault.outbound;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Outbound calls to model providers. The operator's provider URLs are trusted (no public-address
 * check, but never a redirect); a player's own base URL goes through {@link BaseUrlGuard}. The
 * per-attempt timeout, retries, circuit breakers and bulkheads are fault-tolerance annotations on
 * {@code ProviderCalls}, tuned through {@code quarkus.fault-tolerance."<class>/<method>".*}.
 */
@ConfigMapping(prefix = "whispyrkeep.keyvault.outbound")
public interface OutboundConfig {

  /** Base URL of OpenAI's API (trusted). Default {@code https://api.openai.com/v1}. */
  @WithDefault("https://api.openai.com/v1")
  URI openaiBaseUrl();

  /** Base URL of Anthropic's API (trusted). Default {@code https://api.anthropic.com/v1}. */
  @WithDefault("https://api.anthropic.com/v1")
  URI anthropicBaseUrl();

  /**
   * Base URL of the offline narrator, the OpenAI-compatible stand-in (trusted, may be plain http on
   * loopback, e.g. {@code http://127.0.0.1:8089/v1}). Unset by default: the {@code offline}
   * provider does not exist then.
   */
  Optional<URI> offlineBaseUrl();

  /**
   * How long resolving a player's base URL host may take before it is refused as {@code
   * not-public}: the timeout of each DNS query and of the whole lookup. Default 2 s.
   */
  @WithDefault("2s")
  Duration dnsTimeout();

  /**
   * Name server asked for players' base URL hosts (an IP address). Unset by default: the first
   * {@code nameserver} of the system's {@code /etc/resolv.conf}.
   */
  Optional<String> dnsServerHost();

  /** UDP port of {@link #dnsServerHost()}; ignored when that is unset. Default 53. */
  @WithDefault("53")
  int dnsServerPort();

  /**
   * Most lookups of players' base URL hosts in flight at once, across all players; one more is
   * refused at once as {@code not-public} instead of queueing. Default 256.
   */
  @WithDefault("256")
  int dnsMaxLookups();

  /**
   * Most lookups of one host in flight at once, so a player whose name server stalls cannot take
   * the whole {@link #dnsMaxLookups()}; one more is refused at once as {@code not-public}. Default
   * 8 (a player's stored base URL names one host; key changes are rate-limited per player).
   */
  @WithDefault("8")
  int dnsMaxLookupsPerHost();

  /** TCP and TLS connect timeout. Default 5 s. */
  @WithDefault("5s")
  Duration connectTimeout();

  /**
   * Longest silence on an open connection while waiting for the answer; the per-attempt
   * fault-tolerance timeout bounds the whole exchange. Default 60 s (a model may think that long
   * before the first byte).
   */
  @WithDefault("60s")
  Duration idleTimeout();

  /**
   * Largest provider answer read; larger ones are cut off and fail as {@code too-large}. Default 1
   * MiB.
   */
  @WithDefault("1M")
  MemorySize maxResponseSize();

  /**
   * Longest {@code Retry-After} honoured: a longer one is not waited for, the call fails at once (a
   * retry sooner than the provider asked would be refused again). Default 5 s.
   */
  @WithDefault("5s")
  Duration maxRetryAfter();

  /** Connections kept per target (host, port, address). Default 32. */
  @WithDefault("32")
  int maxConnectionsPerTarget();
}
