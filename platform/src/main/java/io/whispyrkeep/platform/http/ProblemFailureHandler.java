package io.whispyrkeep.platform.http;

import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Catches failures that happen outside JAX-RS (authentication and authorization in the HTTP
 * security layer, oversized chunked bodies, anything unmapped) and answers with problem+json, never
 * a stack trace. Unexpected errors are logged once, redacted, under an error id the caller sees in
 * the detail.
 */
@ApplicationScoped
public class ProblemFailureHandler {

  private static final Logger LOG = Logger.getLogger(ProblemFailureHandler.class);

  private final ProblemWriter problems;

  ProblemFailureHandler(ProblemWriter problems) {
    this.problems = problems;
  }

  void register(@Observes Router router) {
    router.route().order(Integer.MIN_VALUE).failureHandler(this::handle);
  }

  void handle(RoutingContext context) {
    Throwable failure = context.failure();
    if (failure instanceof ProblemException problem) {
      problems.write(context, problems.problem(context, problem), problem.headers());
      return;
    }
    if (failure instanceof AuthenticationFailedException
        || failure instanceof AuthenticationCompletionException
        || failure instanceof UnauthorizedException) {
      problems.write(
          context, ProblemType.UNAUTHORIZED, "A valid bearer token is required for this resource.");
      return;
    }
    if (failure instanceof ForbiddenException) {
      problems.write(context, ProblemType.FORBIDDEN, "Your roles do not allow this request.");
      return;
    }
    int status = context.statusCode();
    if (failure == null && status >= 400 && status < 500) {
      problems.write(context, ProblemType.forStatus(status), null);
      return;
    }
    String errorId = UUID.randomUUID().toString();
    LOG.errorf(failure, "unhandled error %s on %s", errorId, context.normalizedPath());
    problems.write(
        context,
        ProblemType.INTERNAL_ERROR,
        "An unexpected error occurred (error id " + errorId + ").");
  }
}
