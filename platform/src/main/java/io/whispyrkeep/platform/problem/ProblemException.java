package io.whispyrkeep.platform.problem;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Base of each service's exception hierarchy: an error that maps to one problem type. The message
 * becomes the problem's {@code detail}, so it must be safe to show to the caller.
 */
public class ProblemException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final URI type;
  private final String title;
  private final int status;
  private final transient List<Problem.FieldError> errors;
  private final transient Map<String, String> headers;
  private final String error;

  public ProblemException(ProblemType type, String detail) {
    this(type.uri(), type.title(), type.status(), detail, null, Map.of());
  }

  public ProblemException(
      URI type,
      String title,
      int status,
      String detail,
      List<Problem.FieldError> errors,
      Map<String, String> headers) {
    this(type, title, status, detail, errors, headers, null);
  }

  /**
   * A problem of an OAuth endpoint: {@code error} is the RFC 6749 section 5.2 error code (a fixed
   * token such as {@code invalid_grant}, never request text), carried as the problem's {@code
   * error} member beside the stable {@code type}.
   */
  public ProblemException(
      URI type,
      String title,
      int status,
      String detail,
      List<Problem.FieldError> errors,
      Map<String, String> headers,
      String error) {
    super(detail, null, false, false);
    this.type = type;
    this.title = title;
    this.status = status;
    this.errors = errors;
    this.headers = headers == null ? Map.of() : Map.copyOf(headers);
    this.error = error;
  }

  public URI type() {
    return type;
  }

  public String title() {
    return title;
  }

  public int status() {
    return status;
  }

  public List<Problem.FieldError> errors() {
    return errors;
  }

  /** The RFC 6749 error code of an OAuth problem, else null. */
  public String error() {
    return error;
  }

  /** Extra response headers, such as {@code Retry-After} on 429 and 503. */
  public Map<String, String> headers() {
    return headers;
  }
}
