package io.whispyrkeep.keyvault;

import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.keyvault.custody.CiphertextRefusedException;
import io.whispyrkeep.keyvault.custody.CustodyUnavailableException;
import io.whispyrkeep.keyvault.outbound.BaseUrlRefusedException;
import io.whispyrkeep.keyvault.outbound.UpstreamException;
import io.whispyrkeep.platform.http.ProblemWriter;
import io.whispyrkeep.platform.problem.ProblemException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * keyvault-service's own failures as problem+json: custody unavailable is a 503 (nothing was
 * written), a refused stored ciphertext a 409, a provider failure a 502/503 {@code upstream-error}
 * with only its status class. No message carries key material, a URL or an upstream body.
 */
public class KeyvaultExceptionMappers {

  private static final Logger LOG = Logger.getLogger(KeyvaultExceptionMappers.class);

  private final ProblemWriter problems;

  KeyvaultExceptionMappers(ProblemWriter problems) {
    this.problems = problems;
  }

  @ServerExceptionMapper
  public Response unavailable(CustodyUnavailableException failure, RoutingContext context) {
    LOG.warnf("Key custody unavailable: %s", failure.getMessage());
    return respond(KeyvaultProblems.custodyUnavailable(), context);
  }

  @ServerExceptionMapper
  public Response refused(CiphertextRefusedException failure, RoutingContext context) {
    LOG.warnf("Stored ciphertext refused: %s", failure.reason());
    return respond(KeyvaultProblems.keyUnusable(), context);
  }

  @ServerExceptionMapper
  public Response upstream(UpstreamException failure, RoutingContext context) {
    LOG.infof("Provider call failed: %s", failure.statusClass());
    return respond(KeyvaultProblems.upstreamError(failure.statusClass()), context);
  }

  /** A player's stored base URL refused at call time (it now resolves to an internal address). */
  @ServerExceptionMapper
  public Response baseUrlRefused(BaseUrlRefusedException failure, RoutingContext context) {
    LOG.infof("Player base URL refused at call time: %s", failure.reason().code());
    return respond(KeyvaultProblems.upstreamError("base-url-" + failure.reason().code()), context);
  }

  private Response respond(ProblemException problem, RoutingContext context) {
    return problems.response(problems.problem(context, problem), problem.headers());
  }
}
