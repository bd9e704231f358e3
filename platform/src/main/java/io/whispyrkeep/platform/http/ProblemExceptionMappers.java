package io.whispyrkeep.platform.http;

import com.fasterxml.jackson.core.JacksonException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.platform.problem.Problem;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Maps every exception that reaches JAX-RS to problem+json: our own {@link ProblemException}s, the
 * framework's 4xx exceptions, bean validation, malformed JSON, and, last, anything else as a 500
 * without internals. It lives with {@link ProblemWriter} and the other HTTP adapters: the {@code
 * problem} package is the model (types, the exception) and depends on nothing here, so services
 * throw problems without reaching into HTTP.
 */
public class ProblemExceptionMappers {

  private static final Logger LOG = Logger.getLogger(ProblemExceptionMappers.class);

  private final ProblemWriter problems;

  ProblemExceptionMappers(ProblemWriter problems) {
    this.problems = problems;
  }

  @ServerExceptionMapper
  public Response problem(ProblemException exception, RoutingContext context) {
    return problems.response(problems.problem(context, exception), exception.headers());
  }

  @ServerExceptionMapper
  public Response validation(ConstraintViolationException exception, RoutingContext context) {
    List<Problem.FieldError> errors =
        exception.getConstraintViolations().stream()
            .map(ProblemExceptionMappers::fieldError)
            .sorted(Comparator.comparing(Problem.FieldError::field))
            .toList();
    return respond(context, ProblemType.VALIDATION_FAILED, "The request is not valid.", errors);
  }

  @ServerExceptionMapper
  public Response malformedJson(JacksonException exception, RoutingContext context) {
    return respond(context, ProblemType.MALFORMED_JSON, "The request body is not valid JSON.");
  }

  /**
   * Valid JSON of the wrong shape (an object where a string belongs): Quarkus's own, more specific
   * mapper would answer plain JSON naming the Java type, so this one takes it first.
   */
  @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER - 100)
  public Response mismatchedJson(
      com.fasterxml.jackson.databind.exc.MismatchedInputException exception,
      RoutingContext context) {
    return respond(
        context, ProblemType.MALFORMED_JSON, "The request body does not have the expected shape.");
  }

  @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER - 100)
  public Response unauthorized(UnauthorizedException exception, RoutingContext context) {
    return respond(
        context, ProblemType.UNAUTHORIZED, "A valid bearer token is required for this resource.");
  }

  @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER - 100)
  public Response authenticationFailed(
      AuthenticationFailedException exception, RoutingContext context) {
    return respond(
        context, ProblemType.UNAUTHORIZED, "A valid bearer token is required for this resource.");
  }

  @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER - 100)
  public Response forbidden(ForbiddenException exception, RoutingContext context) {
    return respond(context, ProblemType.FORBIDDEN, "Your roles do not allow this request.");
  }

  @ServerExceptionMapper
  public Response webApplication(WebApplicationException exception, RoutingContext context) {
    int status = exception.getResponse().getStatus();
    if (status >= 500) {
      return unexpected(exception, context);
    }
    if (hasCause(exception, JacksonException.class)) {
      return respond(context, ProblemType.MALFORMED_JSON, "The request body is not valid JSON.");
    }
    String detail = null;
    if (exception instanceof NotFoundException) {
      detail = "Nothing is served at this path.";
    } else if (exception instanceof NotAllowedException) {
      // The method is the caller's own text (any token up to the request line's limit).
      detail =
          "Method "
              + ProblemWriter.quote(context.request().method().name())
              + " is not allowed on this path.";
    } else if (exception instanceof NotSupportedException) {
      detail = "This content type is not supported here.";
    }
    return respond(context, ProblemType.forStatus(status), detail);
  }

  @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
  public Response unexpected(Throwable exception, RoutingContext context) {
    if (hasCause(exception, java.net.ConnectException.class)
        || hasCause(exception, io.vertx.sqlclient.ClosedConnectionException.class)) {
      // A dependency (the database) is down: say so, and when to retry, rather than a bare 500.
      LOG.warnf("dependency unavailable on %s: %s", context.normalizedPath(), rootCause(exception));
      return problems.response(
          problems.problem(
              context,
              ProblemType.SERVICE_UNAVAILABLE,
              "A service this request depends on is unavailable; retry shortly.",
              null),
          Map.of("Retry-After", "5"));
    }
    String errorId = UUID.randomUUID().toString();
    LOG.errorf(exception, "unhandled error %s on %s", errorId, context.normalizedPath());
    return respond(
        context,
        ProblemType.INTERNAL_ERROR,
        "An unexpected error occurred (error id " + errorId + ").");
  }

  private Response respond(RoutingContext context, ProblemType type, String detail) {
    return respond(context, type, detail, null);
  }

  private Response respond(
      RoutingContext context, ProblemType type, String detail, List<Problem.FieldError> errors) {
    return problems.response(problems.problem(context, type, detail, errors), Map.of());
  }

  private static Problem.FieldError fieldError(ConstraintViolation<?> violation) {
    String path = violation.getPropertyPath().toString();
    // "method.arg0.field" -> "field": callers know their JSON fields, not our parameter names.
    int lastDot = path.lastIndexOf('.');
    String field = lastDot >= 0 ? path.substring(lastDot + 1) : path;
    return new Problem.FieldError(field, violation.getMessage());
  }

  private static String rootCause(Throwable throwable) {
    Throwable root = throwable;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName();
  }

  private static boolean hasCause(Throwable throwable, Class<? extends Throwable> type) {
    for (Throwable t = throwable; t != null && t.getCause() != t; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
