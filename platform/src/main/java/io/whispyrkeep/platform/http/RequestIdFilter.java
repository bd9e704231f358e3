package io.whispyrkeep.platform.http;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.MDC;

/**
 * Gives every request an id: the caller's {@code X-Request-ID} when it is well formed (so one id
 * follows a request through the ingress and every service), else a new UUID. The id is echoed on
 * the response, put in the logging context as {@code requestId} and recorded on security events.
 */
@ApplicationScoped
public class RequestIdFilter {

  public static final String HEADER = "X-Request-ID";

  /** Routing-context key of the id. */
  static final String CONTEXT_KEY = "whispyrkeep.requestId";

  /** Accepted ids: short and from a safe alphabet, so they cannot inject into logs or headers. */
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** Runs before every other filter, so even early rejections carry the id. */
  static final int PRIORITY = 10_000;

  void register(@Observes Filters filters) {
    filters.register(this::assignRequestId, PRIORITY);
  }

  void assignRequestId(RoutingContext context) {
    String offered = context.request().getHeader(HEADER);
    String id = offered != null && VALID.matcher(offered).matches() ? offered : newId();
    context.put(CONTEXT_KEY, id);
    context.request().headers().set(HEADER, id);
    context.response().headers().set(HEADER, id);
    MDC.put("requestId", id);
    context.next();
  }

  /** The id of the request, or null outside a request. */
  public static String requestId(RoutingContext context) {
    return context == null ? null : context.get(CONTEXT_KEY);
  }

  private static String newId() {
    return UUID.randomUUID().toString();
  }
}
