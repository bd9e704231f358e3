package io.whispyrkeep.platform.http;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Security headers on every response, errors and framework responses included (OWASP Secure
 * Headers): CSP, nosniff, no framing, HSTS, no referrer, and {@code Cache-Control: no-store}
 * because every response of these APIs is per-user or security-relevant. Also refuses bodies larger
 * than {@link HttpConfig#maxBodySize()} from their Content-Length, with 413 problem+json, before
 * anything reads them.
 */
@ApplicationScoped
public class SecurityHeadersFilter {

  static final int PRIORITY = RequestIdFilter.PRIORITY - 10;

  private final HttpConfig config;
  private final ProblemWriter problems;

  SecurityHeadersFilter(HttpConfig config, ProblemWriter problems) {
    this.config = config;
    this.problems = problems;
  }

  void register(@Observes Filters filters) {
    filters.register(this::apply, PRIORITY);
  }

  void apply(RoutingContext context) {
    MultiMap headers = context.response().headers();
    headers.set("Content-Security-Policy", config.contentSecurityPolicy());
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Strict-Transport-Security", config.strictTransportSecurity());
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("Cache-Control", "no-store");
    if (isTooLarge(context)) {
      problems.write(
          context,
          io.whispyrkeep.platform.problem.ProblemType.PAYLOAD_TOO_LARGE,
          "The request body exceeds " + config.maxBodySize().asLongValue() + " bytes.");
      return;
    }
    context.next();
  }

  private boolean isTooLarge(RoutingContext context) {
    String length = context.request().getHeader("Content-Length");
    if (length == null) {
      return false;
    }
    try {
      return Long.parseLong(length.trim()) > config.maxBodySize().asLongValue();
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
