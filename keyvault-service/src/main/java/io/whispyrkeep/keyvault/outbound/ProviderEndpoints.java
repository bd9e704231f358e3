package io.whispyrkeep.keyvault.outbound;

import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * The operator-configured providers ({@code whispyrkeep.keyvault.outbound.*-base-url}), checked for
 * shape at startup: http or https, a host, no userinfo, query or fragment.
 */
@ApplicationScoped
public class ProviderEndpoints {

  private final ProviderEndpoint openai;
  private final ProviderEndpoint anthropic;
  private final ProviderEndpoint offline;

  public ProviderEndpoints(OutboundConfig config) {
    this.openai =
        ProviderEndpoint.operator(
            Provider.OPENAI, WireFormat.OPENAI, checked(config.openaiBaseUrl(), "openai"));
    this.anthropic =
        ProviderEndpoint.operator(
            Provider.ANTHROPIC,
            WireFormat.ANTHROPIC,
            checked(config.anthropicBaseUrl(), "anthropic"));
    this.offline =
        config
            .offlineBaseUrl()
            .map(
                url ->
                    ProviderEndpoint.operator(
                        Provider.OFFLINE, WireFormat.OPENAI, checked(url, "offline")))
            .orElse(null);
  }

  /**
   * The operator's endpoint for {@code provider}; empty for {@link Provider#CUSTOM} and for an
   * unconfigured offline narrator.
   */
  public Optional<ProviderEndpoint> operator(Provider provider) {
    switch (provider) {
      case OPENAI:
        return Optional.of(openai);
      case ANTHROPIC:
        return Optional.of(anthropic);
      case OFFLINE:
        return Optional.ofNullable(offline);
      default:
        return Optional.empty();
    }
  }

  private static URI checked(URI url, String name) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!("https".equals(scheme) || "http".equals(scheme))
        || url.getHost() == null
        || url.getRawUserInfo() != null
        || url.getRawQuery() != null
        || url.getRawFragment() != null) {
      throw new IllegalStateException(
          "whispyrkeep.keyvault.outbound."
              + name
              + "-base-url must be an http(s) URL with a host"
              + " and no userinfo, query or fragment");
    }
    return url;
  }
}
