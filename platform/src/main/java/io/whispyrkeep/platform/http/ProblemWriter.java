package io.whispyrkeep.platform.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
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
 */
@ApplicationScoped
public class ProblemWriter {

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
        Redactor.redact(detail),
        context == null ? null : context.normalizedPath(),
        RequestIdFilter.requestId(context),
        errors);
  }

  public Problem problem(RoutingContext context, ProblemException exception) {
    return new Problem(
        exception.type().toString(),
        exception.title(),
        exception.status(),
        Redactor.redact(exception.getMessage()),
        context == null ? null : context.normalizedPath(),
        RequestIdFilter.requestId(context),
        exception.errors());
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
