package io.whispyrkeep.auth.client;

import jakarta.ws.rs.FormParam;
import java.util.List;

/**
 * The form of a request to the token endpoint (RFC 6749 section 3.2, RFC 8693 section 2.1), every
 * parameter with all the values it was sent with: a repeated parameter stays visible, so no value
 * can be smuggled past a check that reads only the first. {@link #toString()} leaves the subject
 * and actor tokens out.
 */
public record TokenRequest(
    @FormParam("grant_type") List<String> grantType,
    @FormParam("subject_token") List<String> subjectToken,
    @FormParam("subject_token_type") List<String> subjectTokenType,
    @FormParam("audience") List<String> audience,
    @FormParam("scope") List<String> scope,
    @FormParam("resource") List<String> resource,
    @FormParam("requested_token_type") List<String> requestedTokenType,
    @FormParam("actor_token") List<String> actorToken,
    @FormParam("actor_token_type") List<String> actorTokenType) {

  public TokenRequest {
    grantType = values(grantType);
    subjectToken = values(subjectToken);
    subjectTokenType = values(subjectTokenType);
    audience = values(audience);
    scope = values(scope);
    resource = values(resource);
    requestedTokenType = values(requestedTokenType);
    actorToken = values(actorToken);
    actorTokenType = values(actorTokenType);
  }

  /** The grant type when sent exactly once, else null (absent or repeated: no grant applies). */
  public String singleGrantType() {
    return grantType.size() == 1 ? grantType.get(0) : null;
  }

  private static List<String> values(List<String> sent) {
    return sent == null ? List.of() : List.copyOf(sent);
  }

  @Override
  public String toString() {
    return "TokenRequest[grant_type="
        + grantType
        + ", audience="
        + audience
        + ", scope="
        + scope
        + ", subject_token_type="
        + subjectTokenType
        + "]";
  }
}
