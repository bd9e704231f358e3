package io.whispyrkeep.platform.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.platform.logging.ControlCharacters;
import io.whispyrkeep.platform.logging.Redactor;
import io.whispyrkeep.platform.problem.Problem;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/**
 * Turns errors into RFC 9457 problem+json, for JAX-RS responses and raw Vert.x responses alike, so
 * framework errors (401 from the security layer, 413, unknown paths) look like our own.
 *
 * <p>Every text a problem carries is redacted, has its control characters escaped and is cut to a
 * short bound here, whoever built it: a detail that quotes the request (a method, a path, a field
 * name) can never make the answer long, slow to build, or a vehicle for injected lines.
 */
@ApplicationScoped
public class ProblemWriter {

  /** Longest {@code detail} a problem carries; what the server says fits in far less. */
  public static final int MAX_DETAIL = 300;

  /** Longest {@code instance} (the request path) echoed back. */
  public static final int MAX_INSTANCE = 200;

  /** Longest field name or message of one field error, and most field errors listed. */
  public static final int MAX_FIELD_TEXT = 200;

  public static final int MAX_FIELD_ERRORS = 50;

  /** Longest piece of request text (a method, a header value) that a detail may quote. */
  public static final int MAX_QUOTED = 24;

  private static final String ELLIPSIS = "…";

  private final ObjectMapper mapper;

  ProblemWriter(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The problem for a type, with the request's id and path. */
  public Problem problem(
      RoutingContext context, ProblemType type, String detail, List<Problem.FieldError> errors) {
    return new Problem(
        type.uri().toString(),
        type.title(),
        type.status(),
        safe(detail, MAX_DETAIL),
        instance(context),
        RequestIdFilter.requestId(context),
        safeErrors(errors),
        null);
  }

  public Problem problem(RoutingContext context, ProblemException exception) {
    return new Problem(
        exception.type().toString(),
        exception.title(),
        exception.status(),
        safe(exception.getMessage(), MAX_DETAIL),
        instance(context),
        RequestIdFilter.requestId(context),
        safeErrors(exception.errors()),
        safe(exception.error(), MAX_QUOTED));
  }

  /**
   * Request-controlled text made fit to quote in a detail: control characters escaped, cut to
   * {@link #MAX_QUOTED} characters with an ellipsis.
   */
  public static String quote(String requestText) {
    return safe(requestText, MAX_QUOTED);
  }

  /** Redacted, control characters escaped, and cut to {@code max} characters. */
  static String safe(String text, int max) {
    if (text == null) {
      return null;
    }
    String clean = ControlCharacters.escape(Redactor.redact(text));
    return clean.length() <= max ? clean : clean.substring(0, max - 1) + ELLIPSIS;
  }

  private static String instance(RoutingContext context) {
    return context == null ? null : safe(context.normalizedPath(), MAX_INSTANCE);
  }

  private static List<Problem.FieldError> safeErrors(List<Problem.FieldError> errors) {
    if (errors == null) {
      return null;
    }
    return errors.stream()
        .limit(MAX_FIELD_ERRORS)
        .map(
            error ->
                new Problem.FieldError(
                    safe(error.field(), MAX_FIELD_TEXT), safe(error.message(), MAX_FIELD_TEXT)))
        .toList();
  }

  /** A JAX-RS response carrying the problem. */
  public Response response(Problem problem, Map<String, String> headers) {
    Response.ResponseBuilder builder =
        Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem);
    headers.forEach(builder::header);
    if (problem.status() == 401) {
      builder.header("WWW-Authenticate", "Bearer");
    }
    return builder.build();
  }

  /** Writes the problem on a raw Vert.x response, unless a response is already under way. */
  public void write(RoutingContext context, ProblemType type, String detail) {
    write(context, problem(context, type, detail, null), Map.of());
  }

  public void write(RoutingContext context, Problem problem, Map<String, String> headers) {
    HttpServerResponse response = context.response();
    if (response.ended() || response.headWritten()) {
      return;
    }
    String body;
    try {
      body = mapper.writeValueAsString(problem);
    } catch (JsonProcessingException e) {
      body = "{\"status\":" + problem.status() + "}";
    }
    response.setStatusCode(problem.status());
    response.headers().set("Content-Type", Problem.MEDIA_TYPE);
    headers.forEach(response.headers()::set);
    if (problem.status() == 401) {
      response.headers().set("WWW-Authenticate", "Bearer");
    }
    if (problem.status() == 413) {
      // The body was not read: do not keep the connection for the rest of it.
      response.headers().set("Connection", "close");
    }
    response.end(body);
  }
}
