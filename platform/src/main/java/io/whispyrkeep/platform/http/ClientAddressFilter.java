package io.whispyrkeep.platform.http;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * Resolves every request's client address once, with {@link ClientAddressResolver} and the proxies
 * trusted by {@link HttpConfig#trustedProxies()}, before any other filter; everything that needs
 * the address (security events, rate limits, lockout) reads it through {@link RequestMetadata}.
 * Quarkus's own forwarding support is switched off so this is the only rule.
 */
@ApplicationScoped
public class ClientAddressFilter {

  /** Runs first, so even the earliest rejection knows who sent the request. */
  static final int PRIORITY = RequestIdFilter.PRIORITY + 10;

  static final String CONTEXT_KEY = "whispyrkeep.clientAddress";

  private static final String FORWARDED_FOR = "X-Forwarded-For";

  /** Used before the filter ran: the peer's own address, headers ignored. */
  private static final ClientAddressResolver NO_TRUST = new ClientAddressResolver(List.of());

  private final ClientAddressResolver resolver;

  ClientAddressFilter(HttpConfig config) {
    this.resolver = new ClientAddressResolver(config.trustedProxies().orElse(List.of()));
  }

  void register(@Observes Filters filters) {
    filters.register(this::resolve, PRIORITY);
  }

  void resolve(RoutingContext context) {
    context.put(CONTEXT_KEY, resolve(resolver, context));
    context.next();
  }

  /**
   * The request's client address, or null outside a request or when the peer has no IP address.
   * Before the filter has run (a request rejected by the HTTP layer itself), the peer's own
   * address: headers are never believed without the configured trust.
   */
  public static String clientAddress(RoutingContext context) {
    if (context == null) {
      return null;
    }
    String resolved = context.get(CONTEXT_KEY);
    return resolved != null ? resolved : resolve(NO_TRUST, context);
  }

  private static String resolve(ClientAddressResolver resolver, RoutingContext context) {
    SocketAddress peer = context.request().remoteAddress();
    if (peer == null || peer.hostAddress() == null) {
      return null;
    }
    List<String> forwardedFor =
        resolver.trustsAnyProxy() ? context.request().headers().getAll(FORWARDED_FOR) : List.of();
    return resolver.resolve(peer.hostAddress(), forwardedFor);
  }
}
