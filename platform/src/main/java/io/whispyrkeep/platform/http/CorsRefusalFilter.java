package io.whispyrkeep.platform.http;

import io.quarkus.vertx.http.runtime.cors.CORSFilter;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers a CORS refusal with 403 problem+json and the security headers, where Quarkus's CORS
 * filter would end the response with an empty 403: a request whose {@code Origin} is neither one of
 * {@code quarkus.http.cors.origins} (exact or {@code /regex/}) nor the service's own origin, or a
 * non-preflight request from an allowed origin with a method outside {@code
 * quarkus.http.cors.methods}. It decides by the same configuration and rules and runs just before
 * that filter, which still adds the CORS headers to every request let through.
 */
@ApplicationScoped
public class CorsRefusalFilter {

  /** After the request id, security headers and bearer pre-check; before Quarkus's CORS (300). */
  static final int PRIORITY = 400;

  private final boolean enabled;
  private final boolean anyOrigin;
  private final Set<String> origins;
  private final List<Pattern> originPatterns;
  private final Set<String> methods;
  private final ProblemWriter problems;

  CorsRefusalFilter(
      @ConfigProperty(name = "quarkus.http.cors.enabled", defaultValue = "false") boolean enabled,
      @ConfigProperty(name = "quarkus.http.cors.origins") Optional<List<String>> origins,
      @ConfigProperty(name = "quarkus.http.cors.methods") Optional<List<String>> methods,
      ProblemWriter problems) {
    this.enabled = enabled;
    List<String> configured = origins.orElse(List.of());
    this.anyOrigin = configured.contains("*") || configured.contains("/.*/");
    this.origins = Set.copyOf(configured);
    this.originPatterns = CORSFilter.parseAllowedOriginsRegex(origins);
    this.methods =
        methods.filter(list -> !list.isEmpty() && !list.contains("*")).stream()
            .flatMap(List::stream)
            .map(method -> method.trim().toUpperCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
    this.problems = problems;
  }

  void register(@Observes Filters filters) {
    if (enabled) {
      filters.register(this::check, PRIORITY);
    }
  }

  void check(RoutingContext context) {
    HttpServerRequest request = context.request();
    String origin = request.getHeader("Origin");
    if (origin == null) {
      context.next();
      return;
    }
    boolean configuredOrigin = isConfiguredOrigin(origin);
    if (!configuredOrigin && !isSameOrigin(request, origin)) {
      problems.write(
          context, ProblemType.ORIGIN_NOT_ALLOWED, "This origin may not call this service.");
      return;
    }
    boolean preflight =
        request.method() == HttpMethod.OPTIONS
            && request.getHeader("Access-Control-Request-Method") != null;
    if (configuredOrigin
        && !preflight
        && !methods.isEmpty()
        && !methods.contains(request.method().name())) {
      problems.write(
          context,
          ProblemType.ORIGIN_NOT_ALLOWED,
          "This method may not be used from another origin.");
      return;
    }
    context.next();
  }

  private boolean isConfiguredOrigin(String origin) {
    return anyOrigin
        || origins.contains(origin)
        || CORSFilter.isOriginAllowedByRegex(originPatterns, origin);
  }

  /** Whether the origin is the one this request was sent to (scheme, host and port). */
  private static boolean isSameOrigin(HttpServerRequest request, String origin) {
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      return false;
    }
    HostAndPort authority = request.authority();
    String scheme = request.scheme();
    if (authority == null || scheme == null || uri.getScheme() == null || uri.getHost() == null) {
      return false;
    }
    return uri.getScheme().equalsIgnoreCase(scheme)
        && uri.getHost().equalsIgnoreCase(authority.host())
        && port(uri.getPort(), scheme) == port(authority.port(), scheme);
  }

  private static int port(int port, String scheme) {
    if (port >= 0) {
      return port;
    }
    return "https".equalsIgnoreCase(scheme) ? 443 : 80;
  }
}
