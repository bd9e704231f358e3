package io.whispyrkeep.platform.http;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Answers the 401 challenge for anonymous requests with a problem+json body. It authenticates
 * nobody (smallrye-jwt's bearer mechanism does that); it only runs first when Quarkus asks for a
 * challenge, which otherwise is an empty 401 sent straight from the HTTP security layer, where no
 * exception mapper or failure handler sees it.
 */
@ApplicationScoped
public class ProblemChallengeMechanism implements HttpAuthenticationMechanism {

  private final ProblemWriter problems;

  ProblemChallengeMechanism(ProblemWriter problems) {
    this.problems = problems;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      RoutingContext context, IdentityProviderManager identityProviderManager) {
    return Uni.createFrom().nullItem();
  }

  @Override
  public Uni<ChallengeData> getChallenge(RoutingContext context) {
    return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer"));
  }

  @Override
  public Uni<Boolean> sendChallenge(RoutingContext context) {
    problems.write(
        context, ProblemType.UNAUTHORIZED, "A valid bearer token is required for this resource.");
    return Uni.createFrom().item(true);
  }

  @Override
  public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
    return Set.of();
  }

  /** Ahead of the bearer mechanism, so its challenge is the one sent. */
  @Override
  public int getPriority() {
    return DEFAULT_PRIORITY + 100;
  }
}
