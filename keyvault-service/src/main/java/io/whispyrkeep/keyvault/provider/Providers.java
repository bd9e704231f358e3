package io.whispyrkeep.keyvault.provider;

import io.whispyrkeep.keyvault.KeyvaultProblems;
import io.whispyrkeep.keyvault.config.KeyvaultConfig;
import io.whispyrkeep.keyvault.outbound.Provider;
import io.whispyrkeep.keyvault.outbound.ProviderEndpoint;
import io.whispyrkeep.keyvault.outbound.ProviderEndpoints;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The allowlist of LLM providers ({@code whispyrkeep.keyvault.providers}): a name in a path is
 * looked up here before anything else, so an unknown or disabled provider is a 404 and never
 * reaches the database, the custody engine or the network. An enabled provider is either one of the
 * operator's ({@code openai}, {@code anthropic}, {@code offline}: URL configured under {@code
 * whispyrkeep.keyvault.outbound}) or takes the player's own base URL; start-up fails otherwise.
 */
@ApplicationScoped
public class Providers {

  /** Provider names are path segments: short, lower-case, no surprises. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

  private final Map<String, KeyvaultConfig.Provider> providers;
  private final ProviderEndpoints endpoints;

  Providers(KeyvaultConfig config, ProviderEndpoints endpoints) {
    this.providers = Map.copyOf(config.providers());
    this.endpoints = endpoints;
    providers.forEach(
        (name, provider) -> {
          if (!NAME.matcher(name).matches()) {
            throw new IllegalStateException("provider name not allowed: " + name);
          }
          if (provider.enabled() && !provider.playerBaseUrl() && operator(name) == null) {
            throw new IllegalStateException(
                "provider "
                    + name
                    + " is enabled but has no operator URL (whispyrkeep.keyvault.outbound) and"
                    + " takes no player base URL");
          }
        });
  }

  /** The enabled provider of that name, or a 404 problem. */
  public KeyvaultConfig.Provider require(String name) {
    KeyvaultConfig.Provider provider = find(name);
    if (provider == null) {
      throw KeyvaultProblems.unknownProvider();
    }
    return provider;
  }

  /** The enabled provider of that name, or null. */
  public KeyvaultConfig.Provider find(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      return null;
    }
    KeyvaultConfig.Provider provider = providers.get(name);
    return provider != null && provider.enabled() ? provider : null;
  }

  /**
   * Where a call for this provider goes: the operator's endpoint, or the player's stored base URL
   * (untrusted: checked again by the SSRF guard at call time).
   */
  public ProviderEndpoint endpoint(
      String name, KeyvaultConfig.Provider provider, String playerBaseUrl) {
    if (provider.playerBaseUrl()) {
      return ProviderEndpoint.custom(provider.wireFormat(), playerBaseUrl);
    }
    return operator(name);
  }

  private ProviderEndpoint operator(String name) {
    return Provider.fromPathName(name)
        .filter(known -> known != Provider.CUSTOM)
        .flatMap(endpoints::operator)
        .orElse(null);
  }
}
