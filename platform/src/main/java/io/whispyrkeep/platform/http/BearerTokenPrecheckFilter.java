package io.whispyrkeep.platform.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Base64;

/**
 * Refuses bearer tokens whose header does not say {@code alg: RS256} with a {@code kid}, before
 * smallrye-jwt looks at them. smallrye-jwt already enforces the algorithm; the key id is ours to
 * require: without it a verifier may try any published key, and key rotation depends on it.
 */
@ApplicationScoped
public class BearerTokenPrecheckFilter {

  /** Longest token accepted (ours are about 1 KiB). */
  static final int MAX_TOKEN_LENGTH = 8192;

  static final int PRIORITY = SecurityHeadersFilter.PRIORITY - 10;

  private final ObjectMapper mapper;
  private final ProblemWriter problems;

  BearerTokenPrecheckFilter(ObjectMapper mapper, ProblemWriter problems) {
    this.mapper = mapper;
    this.problems = problems;
  }

  void register(@Observes Filters filters) {
    filters.register(this::check, PRIORITY);
  }

  void check(RoutingContext context) {
    String authorization = context.request().getHeader("Authorization");
    if (authorization != null
        && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        && !isAcceptableHeader(authorization.substring(7).trim())) {
      problems.write(
          context, ProblemType.UNAUTHORIZED, "A valid bearer token is required for this resource.");
      return;
    }
    context.next();
  }

  boolean isAcceptableHeader(String token) {
    if (token.length() > MAX_TOKEN_LENGTH) {
      return false;
    }
    int dot = token.indexOf('.');
    if (dot <= 0) {
      return false;
    }
    try {
      JsonNode header = mapper.readTree(Base64.getUrlDecoder().decode(token.substring(0, dot)));
      JsonNode kid = header.get("kid");
      return header.path("alg").asText().equals("RS256")
          && kid != null
          && kid.isTextual()
          && !kid.asText().isBlank();
    } catch (Exception e) {
      return false;
    }
  }
}
