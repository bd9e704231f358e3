package io.whispyrkeep.keyvault;

import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.keyvault.custody.CiphertextRefusedException;
import io.whispyrkeep.keyvault.custody.CustodyUnavailableException;
import io.whispyrkeep.platform.http.ProblemWriter;
import io.whispyrkeep.platform.problem.ProblemException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The custody engine's failures as problem+json: unavailable is a 503 (nothing was written), a
 * refused stored ciphertext a 409. Messages carry no key material.
 */
public class CustodyProblemMappers {

  private static final Logger LOG = Logger.getLogger(CustodyProblemMappers.class);

  private final ProblemWriter problems;

  CustodyProblemMappers(ProblemWriter problems) {
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

  private Response respond(ProblemException problem, RoutingContext context) {
    return problems.response(problems.problem(context, problem), problem.headers());
  }
}
