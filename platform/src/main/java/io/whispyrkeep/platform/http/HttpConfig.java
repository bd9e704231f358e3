package io.whispyrkeep.platform.http;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** Shared HTTP behaviour of every service: body limit, security headers, client address. */
@ConfigMapping(prefix = "whispyrkeep.http")
public interface HttpConfig {

  /**
   * Largest request body accepted; larger ones get 413 problem+json before anything reads them.
   * Default 1 MiB; auth-service lowers it to 16 KiB. Keep {@code quarkus.http.limits.max-body-size}
   * equal, it catches chunked bodies that carry no Content-Length.
   */
  @WithDefault("1M")
  MemorySize maxBodySize();

  /**
   * Content-Security-Policy sent on every response. Default from the security brief: everything
   * from self only, inline styles allowed, images also from data: and blob:, no framing.
   */
  @WithDefault(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          + "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; "
          + "frame-ancestors 'none'; form-action 'self'")
  String contentSecurityPolicy();

  /** Strict-Transport-Security value. Default one year, with subdomains (OWASP HTTP headers). */
  @WithDefault("max-age=31536000; includeSubDomains")
  String strictTransportSecurity();

  /**
   * Proxies whose {@code X-Forwarded-For} is believed: IP addresses or CIDRs (IPv4 or IPv6), only
   * literals, never host names. Default none: the client address is the peer's own and forwarding
   * headers are ignored. Set it to the ingress controller's (or front door's) addresses only; a
   * request from any other peer cannot choose its address. See {@link ClientAddressResolver}.
   */
  Optional<List<String>> trustedProxies();
}
