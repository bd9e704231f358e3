package io.whispyrkeep.platform.event;

import io.quarkus.arc.Arc;
import io.quarkus.arc.InjectableContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.whispyrkeep.platform.http.RequestMetadata;
import io.whispyrkeep.platform.logging.ControlCharacters;
import io.whispyrkeep.platform.logging.Redactor;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Builds security events stamped with this service's name, the injected clock and the current
 * request's id, client IP and user agent. It is where the contract's promises are kept whatever a
 * caller hands it (callers pass request input: a client id, a login name, a header): {@code
 * details} never carries a secret (values under secret-sounding keys are dropped to a mask), and
 * every string is redacted, has its control characters escaped as {@code \\uXXXX} (the schema
 * refuses them, PostgreSQL refuses NUL) and is cut to the schema's limits, so every event it builds
 * can be stored.
 */
@ApplicationScoped
public class SecurityEventFactory {

  /** Most detail entries an event carries (the schema's {@code maxProperties}). */
  public static final int MAX_DETAILS = 32;

  /** Longest detail value kept (the schema's {@code maxLength}). */
  public static final int MAX_DETAIL_LENGTH = 512;

  /** Longest actor or subject kept (the schema's {@code maxLength}); callers may pass input. */
  public static final int MAX_ID_LENGTH = 200;

  /** Longest user agent kept (the schema's {@code maxLength}). */
  public static final int MAX_USER_AGENT_LENGTH = 512;

  /** Longest client address kept (the schema's {@code maxLength}: an IPv6 address in full). */
  public static final int MAX_CLIENT_IP_LENGTH = 45;

  private static final Pattern DETAIL_KEY = Pattern.compile("[a-z][a-zA-Z0-9_.]{0,63}");

  private final Clock clock;
  private final String source;
  private final CurrentVertxRequest currentRequest;

  SecurityEventFactory(
      Clock clock,
      @ConfigProperty(name = "quarkus.application.name") String source,
      CurrentVertxRequest currentRequest) {
    this.clock = clock;
    this.source = source;
    this.currentRequest = currentRequest;
  }

  /** An event about the current request (or about no request, outside one). */
  public SecurityEvent create(
      String type, Severity severity, String actor, String subject, Map<String, String> details) {
    return create(type, severity, actor, subject, details, currentRequestMetadata());
  }

  public SecurityEvent create(
      String type,
      Severity severity,
      String actor,
      String subject,
      Map<String, String> details,
      RequestMetadata request) {
    return new SecurityEvent(
        SecurityEvent.VERSION,
        TimeOrderedUuid.next(clock),
        type,
        clock.instant().truncatedTo(ChronoUnit.MICROS),
        source,
        text(actor, MAX_ID_LENGTH),
        text(subject, MAX_ID_LENGTH),
        text(request.clientIp(), MAX_CLIENT_IP_LENGTH),
        text(request.userAgent(), MAX_USER_AGENT_LENGTH),
        request.requestId(),
        severity,
        safeDetails(details));
  }

  /**
   * The actor id of a caller: the token's {@code sub} (user or service id), never the display name;
   * null for anonymous callers.
   */
  public static String actorOf(SecurityIdentity identity) {
    if (identity == null || identity.isAnonymous()) {
      return null;
    }
    if (identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getSubject() != null) {
      return jwt.getSubject();
    }
    return identity.getPrincipal().getName();
  }

  private RequestMetadata currentRequestMetadata() {
    InjectableContext requestContext = Arc.container().requestContext();
    if (requestContext == null || !requestContext.isActive()) {
      return RequestMetadata.NONE;
    }
    return RequestMetadata.from(currentRequest.getCurrent());
  }

  /** A caller's string made storable: redacted, control characters escaped, cut to {@code max}. */
  static String text(String value, int max) {
    return cut(ControlCharacters.escape(Redactor.redact(value)), max);
  }

  /** At most {@code max} characters, never ending in half a surrogate pair. */
  static String cut(String value, int max) {
    if (value == null || value.length() <= max) {
      return value;
    }
    int end = Character.isHighSurrogate(value.charAt(max - 1)) ? max - 1 : max;
    return value.substring(0, end);
  }

  static Map<String, String> safeDetails(Map<String, String> details) {
    Map<String, String> safe = new LinkedHashMap<>();
    if (details == null) {
      return safe;
    }
    for (Map.Entry<String, String> entry : details.entrySet()) {
      if (safe.size() == MAX_DETAILS) {
        break;
      }
      String key = entry.getKey();
      if (key == null || !DETAIL_KEY.matcher(key).matches() || entry.getValue() == null) {
        continue;
      }
      String value =
          Redactor.isSecretKey(key) ? Redactor.MASK : text(entry.getValue(), MAX_DETAIL_LENGTH);
      safe.put(key, value);
    }
    return safe;
  }
}
