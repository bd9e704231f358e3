package io.whispyrkeep.keyvault.outbound;

import java.util.Locale;
import java.util.Optional;

/**
 * Where a call goes. The first three are configured by the operator and trusted; {@link #CUSTOM} is
 * a base URL the player supplied, checked by {@link BaseUrlGuard} on every call. Each has its own
 * bulkhead, and each operator provider its own circuit breaker.
 */
public enum Provider {
  OPENAI,
  ANTHROPIC,
  /** The offline narrator, an OpenAI-compatible stand-in for local runs and tests. */
  OFFLINE,
  /** A player's own OpenAI- or Anthropic-compatible server. */
  CUSTOM;

  /** Lower-case name as in {@code /internal/llm/{provider}/chat}. */
  public String pathName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The provider named {@code name} (case-insensitive), if any. */
  public static Optional<Provider> fromPathName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    for (Provider provider : values()) {
      if (provider.pathName().equalsIgnoreCase(name)) {
        return Optional.of(provider);
      }
    }
    return Optional.empty();
  }
}
