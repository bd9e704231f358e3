package io.whispyrkeep.platform.problem;

import java.net.URI;

/**
 * The stable problem types shared by every service. A service adds its own types the same way
 * ({@code https://whispyrkeep.io/problems/<slug>}); once published, a slug never changes meaning.
 */
public enum ProblemType {
  BAD_REQUEST("bad-request", "Bad request", 400),
  MALFORMED_JSON("malformed-json", "Malformed JSON body", 400),
  VALIDATION_FAILED("validation-failed", "Request validation failed", 400),
  UNAUTHORIZED("unauthorized", "Authentication required", 401),
  FORBIDDEN("forbidden", "Not allowed", 403),
  ORIGIN_NOT_ALLOWED("origin-not-allowed", "Cross-origin request refused", 403),
  NOT_FOUND("not-found", "Resource not found", 404),
  METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", 405),
  NOT_ACCEPTABLE("not-acceptable", "Not acceptable", 406),
  CONFLICT("conflict", "Conflict", 409),
  PAYLOAD_TOO_LARGE("payload-too-large", "Request body too large", 413),
  UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported media type", 415),
  RATE_LIMITED("rate-limited", "Too many requests", 429),
  INTERNAL_ERROR("internal-error", "Internal server error", 500),
  SERVICE_UNAVAILABLE("service-unavailable", "Service temporarily unavailable", 503);

  /** Prefix of every problem type URI. */
  public static final String BASE_URI = "https://whispyrkeep.io/problems/";

  private final String slug;
  private final String title;
  private final int status;

  ProblemType(String slug, String title, int status) {
    this.slug = slug;
    this.title = title;
    this.status = status;
  }

  public URI uri() {
    return URI.create(BASE_URI + slug);
  }

  public String title() {
    return title;
  }

  public int status() {
    return status;
  }

  /** The generic type for an HTTP status, for errors raised by the framework. */
  public static ProblemType forStatus(int status) {
    for (ProblemType type : values()) {
      if (type.status == status
          && type != MALFORMED_JSON
          && type != VALIDATION_FAILED
          && type != ORIGIN_NOT_ALLOWED) {
        return type;
      }
    }
    return status >= 500 ? INTERNAL_ERROR : BAD_REQUEST;
  }
}
