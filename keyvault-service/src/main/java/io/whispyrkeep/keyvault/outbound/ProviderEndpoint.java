package io.whispyrkeep.keyvault.outbound;

import java.net.URI;
import java.util.Objects;

/**
 * A provider to call: which one, its wire format and base URL. Operator endpoints come only from
 * {@link ProviderEndpoints} (configuration) and are trusted; {@link #custom} wraps a player's base
 * URL, which {@link ProviderClient} checks with {@link BaseUrlGuard} on every call. There is no
 * public way to mark a player's URL as trusted.
 */
public final class ProviderEndpoint {

  private final Provider provider;
  private final WireFormat format;
  private final String baseUrl;

  private ProviderEndpoint(Provider provider, WireFormat format, String baseUrl) {
    this.provider = Objects.requireNonNull(provider, "provider");
    this.format = Objects.requireNonNull(format, "format");
    this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
  }

  /** An operator-configured (trusted) endpoint; package-private so only configuration makes one. */
  static ProviderEndpoint operator(Provider provider, WireFormat format, URI baseUrl) {
    if (provider == Provider.CUSTOM) {
      throw new IllegalArgumentException("a custom endpoint is never trusted");
    }
    return new ProviderEndpoint(provider, format, baseUrl.toString());
  }

  /** A player's own endpoint: {@code baseUrl} is checked on every call, never trusted. */
  public static ProviderEndpoint custom(WireFormat format, String baseUrl) {
    return new ProviderEndpoint(Provider.CUSTOM, format, baseUrl);
  }

  public Provider provider() {
    return provider;
  }

  public WireFormat format() {
    return format;
  }

  /** The base URL as configured or as the player wrote it. */
  public String baseUrl() {
    return baseUrl;
  }

  /** Operator-configured: skips the public-address check (never the redirect refusal). */
  public boolean trusted() {
    return provider != Provider.CUSTOM;
  }

  @Override
  public String toString() {
    return "ProviderEndpoint[" + provider.pathName() + ", " + format + "]";
  }
}
