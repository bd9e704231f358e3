package io.whispyrkeep.auth.exchange;

import io.whispyrkeep.auth.client.TokenRequest;
import io.whispyrkeep.auth.config.AuthConfig;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A token-exchange request that passed the checks that need no token: the parameters are present
 * once each, the subject token is an access token, exactly one audience and only scopes the client
 * may request. Each failed check is an {@link ExchangeRefusal} with its RFC 6749 / RFC 8693 code.
 *
 * @param subjectToken the player's access token, not yet verified
 * @param audience the one service the delegated token is for
 * @param scopes the requested scopes, each allowed for the client, without repeats
 */
record ExchangeRequest(String subjectToken, String audience, SortedSet<String> scopes) {

  /** The only token type accepted and issued (RFC 8693 section 3). */
  static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

  /**
   * Longest subject token read. auth-service's access tokens are about 1 KB; a bound keeps parsing
   * cheap whatever a client sends (the endpoint's body limit is 16 KiB).
   */
  static final int MAX_SUBJECT_TOKEN_LENGTH = 8192;

  /** Longest {@code scope} parameter: a few scope tokens, never a document. */
  static final int MAX_SCOPE_LENGTH = 256;

  ExchangeRequest {
    scopes = new TreeSet<>(scopes);
  }

  /** The scopes as the space-separated string of the {@code scope} claim and response member. */
  String scope() {
    return String.join(" ", scopes);
  }

  /**
   * The checked request, or an {@link ExchangeRefusal}. Checked in this order: the client may use
   * token exchange at all ({@code unauthorized_client}); parameters ({@code invalid_request});
   * audience ({@code invalid_target}); scope ({@code invalid_scope}).
   */
  static ExchangeRequest of(TokenRequest form, AuthConfig.ExchangeGrant grant) {
    Set<String> audiences = grant.audiences().orElse(Set.of());
    Set<String> allowedScopes = grant.scopes().orElse(Set.of());
    if (audiences.isEmpty() || allowedScopes.isEmpty()) {
      throw ExchangeRefusal.of(ExchangeRefusal.Error.UNAUTHORIZED_CLIENT, "client_not_allowed");
    }
    if (form.subjectToken().size() > 1
        || form.subjectTokenType().size() > 1
        || form.scope().size() > 1
        || form.requestedTokenType().size() > 1) {
      throw ExchangeRefusal.invalidRequest(
          "repeated_parameter", "A token request parameter was sent more than once.");
    }
    String subjectToken = single(form.subjectToken());
    if (subjectToken == null) {
      throw ExchangeRefusal.invalidRequest(
          "missing_subject_token", "subject_token is required for token exchange.");
    }
    if (subjectToken.length() > MAX_SUBJECT_TOKEN_LENGTH) {
      throw ExchangeRefusal.invalidRequest(
          "subject_token_too_long", "subject_token is longer than any access token.");
    }
    String subjectTokenType = single(form.subjectTokenType());
    if (subjectTokenType == null) {
      throw ExchangeRefusal.invalidRequest(
          "missing_subject_token_type", "subject_token_type is required for token exchange.");
    }
    if (!ACCESS_TOKEN_TYPE.equals(subjectTokenType)) {
      throw ExchangeRefusal.invalidRequest(
          "unsupported_subject_token_type",
          "subject_token_type must be urn:ietf:params:oauth:token-type:access_token.");
    }
    if (!form.actorToken().isEmpty() || !form.actorTokenType().isEmpty()) {
      throw ExchangeRefusal.invalidRequest(
          "actor_token_unsupported",
          "actor_token is not supported: the authenticated client is the actor.");
    }
    String requestedType = single(form.requestedTokenType());
    if (!form.requestedTokenType().isEmpty() && !ACCESS_TOKEN_TYPE.equals(requestedType)) {
      throw ExchangeRefusal.invalidRequest(
          "unsupported_requested_token_type",
          "requested_token_type, when sent, must be urn:ietf:params:oauth:token-type:access_token.");
    }
    if (form.audience().isEmpty()
        || (form.audience().size() == 1 && form.audience().get(0).isEmpty())) {
      throw ExchangeRefusal.invalidRequest(
          "missing_audience", "audience is required for token exchange.");
    }
    String scope = single(form.scope());
    if (scope == null) {
      throw ExchangeRefusal.invalidRequest(
          "missing_scope", "scope is required for token exchange.");
    }
    if (!form.resource().isEmpty()) {
      throw ExchangeRefusal.of(ExchangeRefusal.Error.INVALID_TARGET, "resource_unsupported");
    }
    if (form.audience().size() > 1) {
      throw ExchangeRefusal.of(ExchangeRefusal.Error.INVALID_TARGET, "multiple_audiences");
    }
    String audience = form.audience().get(0);
    if (!audiences.contains(audience)) {
      throw ExchangeRefusal.of(ExchangeRefusal.Error.INVALID_TARGET, "audience_not_allowed");
    }
    return new ExchangeRequest(subjectToken, audience, scopes(scope, allowedScopes));
  }

  /**
   * The scope tokens of a {@code scope} value (RFC 6749 section 3.3: tokens of %x21 / %x23-5B /
   * %x5D-7E separated by single spaces), each of which the client must be allowed.
   */
  static SortedSet<String> scopes(String scope, Set<String> allowed) {
    if (scope.length() > MAX_SCOPE_LENGTH) {
      throw ExchangeRefusal.of(ExchangeRefusal.Error.INVALID_SCOPE, "malformed_scope");
    }
    SortedSet<String> scopes = new TreeSet<>();
    int start = 0;
    for (int i = 0; i <= scope.length(); i++) {
      if (i == scope.length() || scope.charAt(i) == ' ') {
        if (i == start) {
          // Empty token: leading, trailing or doubled space.
          throw ExchangeRefusal.of(ExchangeRefusal.Error.INVALID_SCOPE, "malformed_scope");
        }
        scopes.add(scope.substring(start, i));
        start = i + 1;
      } else if (!isScopeChar(scope.charAt(i))) {
        throw ExchangeRefusal.of(ExchangeRefusal.Error.INVALID_SCOPE, "malformed_scope");
      }
    }
    if (!allowed.containsAll(scopes)) {
      throw ExchangeRefusal.of(ExchangeRefusal.Error.INVALID_SCOPE, "scope_not_allowed");
    }
    return scopes;
  }

  private static boolean isScopeChar(char c) {
    return c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
  }

  /** The one value of a parameter sent once, or null when absent, repeated or empty. */
  private static String single(List<String> values) {
    return values.size() == 1 && !values.get(0).isEmpty() ? values.get(0) : null;
  }

  @Override
  public String toString() {
    return "ExchangeRequest[audience=" + audience + ", scope=" + scope() + "]";
  }
}
