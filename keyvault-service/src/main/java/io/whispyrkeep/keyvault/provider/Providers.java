package io.whispyrkeep.keyvault.provider;

import io.whispyrkeep.keyvault.KeyvaultProblems;
import io.whispyrkeep.keyvault.config.KeyvaultConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The allowlist of LLM providers ({@code whispyrkeep.keyvault.providers}): a name in a path is
 * looked up here before anything else, so an unknown or disabled provider is a 404 and never
 * reaches the database, the custody engine or the network.
 */
@ApplicationScoped
public class Providers {

  /** Provider names are path segments: short, lower-case, no surprises. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

  private final Map<String, KeyvaultConfig.Provider> providers;

  Providers(KeyvaultConfig config) {
    this.providers = Map.copyOf(config.providers());
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
}
