package io.whispyrkeep.auth.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whispyrkeep.auth.client.TokenRequest;
import io.whispyrkeep.auth.config.AuthConfig;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The checks of a token-exchange request that need no token, each with its error code. */
class ExchangeRequestTest {

  private static final String TYPE = ExchangeRequest.ACCESS_TOKEN_TYPE;

  private static final AuthConfig.ExchangeGrant TURN_SERVICE =
      grant(Set.of("keyvault-service"), Set.of("llm:invoke", "llm:list"));

  private static AuthConfig.ExchangeGrant grant(Set<String> audiences, Set<String> scopes) {
    return new AuthConfig.ExchangeGrant() {
      @Override
      public Optional<Set<String>> audiences() {
        return Optional.ofNullable(audiences);
      }

      @Override
      public Optional<Set<String>> scopes() {
        return Optional.ofNullable(scopes);
      }
    };
  }

  private static TokenRequest form(
      List<String> subjectToken,
      List<String> subjectTokenType,
      List<String> audience,
      List<String> scope) {
    return new TokenRequest(
        List.of(TokenExchangeService.GRANT_TYPE),
        subjectToken,
        subjectTokenType,
        audience,
        scope,
        null,
        null,
        null,
        null);
  }

  private static TokenRequest valid() {
    return form(
        List.of("a.b.c"), List.of(TYPE), List.of("keyvault-service"), List.of("llm:invoke"));
  }

  private static ExchangeRefusal refusal(TokenRequest form, AuthConfig.ExchangeGrant grant) {
    try {
      ExchangeRequest.of(form, grant);
    } catch (ExchangeRefusal refusal) {
      return refusal;
    }
    throw new AssertionError("expected a refusal");
  }

  @Test
  void of_validRequest_audienceAndScope() {
    ExchangeRequest request = ExchangeRequest.of(valid(), TURN_SERVICE);

    assertThat(request.subjectToken()).isEqualTo("a.b.c");
    assertThat(request.audience()).isEqualTo("keyvault-service");
    assertThat(request.scope()).isEqualTo("llm:invoke");
    assertThat(request.toString()).doesNotContain("a.b.c");
  }

  @Test
  void of_clientWithoutExchangeGrant_unauthorizedClient() {
    assertThat(refusal(valid(), grant(null, null)).error())
        .isEqualTo(ExchangeRefusal.Error.UNAUTHORIZED_CLIENT);
    assertThat(refusal(valid(), grant(Set.of("keyvault-service"), null)).error())
        .isEqualTo(ExchangeRefusal.Error.UNAUTHORIZED_CLIENT);
  }

  @Test
  void of_missingOrEmptyParameters_invalidRequest() {
    List<TokenRequest> forms =
        List.of(
            form(List.of(), List.of(TYPE), List.of("keyvault-service"), List.of("llm:invoke")),
            form(List.of(""), List.of(TYPE), List.of("keyvault-service"), List.of("llm:invoke")),
            form(List.of("a.b.c"), List.of(), List.of("keyvault-service"), List.of("llm:invoke")),
            form(List.of("a.b.c"), List.of(TYPE), List.of(), List.of("llm:invoke")),
            form(List.of("a.b.c"), List.of(TYPE), List.of(""), List.of("llm:invoke")),
            form(List.of("a.b.c"), List.of(TYPE), List.of("keyvault-service"), List.of()));
    for (TokenRequest form : forms) {
      assertThat(refusal(form, TURN_SERVICE).error())
          .as(form.toString())
          .isEqualTo(ExchangeRefusal.Error.INVALID_REQUEST);
    }
  }

  @Test
  void of_repeatedSingleValuedParameter_invalidRequest() {
    // The second value would otherwise be read by nobody, or by someone else than the check.
    assertThat(
            refusal(
                    form(
                        List.of("a.b.c", "d.e.f"),
                        List.of(TYPE),
                        List.of("keyvault-service"),
                        List.of("llm:invoke")),
                    TURN_SERVICE)
                .reason())
        .isEqualTo("repeated_parameter");
    assertThat(
            refusal(
                    form(
                        List.of("a.b.c"),
                        List.of(TYPE),
                        List.of("keyvault-service"),
                        List.of("llm:invoke", "admin")),
                    TURN_SERVICE)
                .error())
        .isEqualTo(ExchangeRefusal.Error.INVALID_REQUEST);
  }

  @Test
  void of_otherSubjectTokenTypes_invalidRequest() {
    for (String type :
        List.of(
            "urn:ietf:params:oauth:token-type:refresh_token",
            "urn:ietf:params:oauth:token-type:id_token",
            "urn:ietf:params:oauth:token-type:jwt",
            TYPE + " ")) {
      ExchangeRefusal refusal =
          refusal(
              form(
                  List.of("a.b.c"),
                  List.of(type),
                  List.of("keyvault-service"),
                  List.of("llm:invoke")),
              TURN_SERVICE);
      assertThat(refusal.error()).isEqualTo(ExchangeRefusal.Error.INVALID_REQUEST);
      assertThat(refusal.reason()).isEqualTo("unsupported_subject_token_type");
    }
  }

  @Test
  void of_actorTokenOrOtherRequestedType_invalidRequest() {
    TokenRequest actor =
        new TokenRequest(
            List.of(TokenExchangeService.GRANT_TYPE),
            List.of("a.b.c"),
            List.of(TYPE),
            List.of("keyvault-service"),
            List.of("llm:invoke"),
            null,
            null,
            List.of("x.y.z"),
            List.of(TYPE));
    assertThat(refusal(actor, TURN_SERVICE).reason()).isEqualTo("actor_token_unsupported");
    TokenRequest refreshWanted =
        new TokenRequest(
            List.of(TokenExchangeService.GRANT_TYPE),
            List.of("a.b.c"),
            List.of(TYPE),
            List.of("keyvault-service"),
            List.of("llm:invoke"),
            null,
            List.of("urn:ietf:params:oauth:token-type:refresh_token"),
            null,
            null);
    assertThat(refusal(refreshWanted, TURN_SERVICE).error())
        .isEqualTo(ExchangeRefusal.Error.INVALID_REQUEST);
  }

  @Test
  void of_twoAudiencesOrOneNotAllowed_invalidTarget() {
    List<List<String>> audiences =
        List.of(
            List.of("keyvault-service", "auth-service"),
            List.of("keyvault-service", "keyvault-service"),
            List.of("auth-service"),
            List.of("keyvault-service auth-service"),
            List.of("KEYVAULT-SERVICE"),
            List.of("keyvault-service,auth-service"));
    for (List<String> audience : audiences) {
      assertThat(
              refusal(
                      form(List.of("a.b.c"), List.of(TYPE), audience, List.of("llm:invoke")),
                      TURN_SERVICE)
                  .error())
          .as(audience.toString())
          .isEqualTo(ExchangeRefusal.Error.INVALID_TARGET);
    }
  }

  @Test
  void of_resourceParameter_invalidTarget() {
    TokenRequest withResource =
        new TokenRequest(
            List.of(TokenExchangeService.GRANT_TYPE),
            List.of("a.b.c"),
            List.of(TYPE),
            List.of("keyvault-service"),
            List.of("llm:invoke"),
            List.of("https://keyvault.example/"),
            null,
            null,
            null);
    assertThat(refusal(withResource, TURN_SERVICE).error())
        .isEqualTo(ExchangeRefusal.Error.INVALID_TARGET);
  }

  @Test
  void scopes_allowedTokensSeparatedBySingleSpaces_sortedWithoutRepeats() {
    Set<String> allowed = Set.of("llm:invoke", "llm:list");

    assertThat(ExchangeRequest.scopes("llm:list llm:invoke llm:list", allowed))
        .containsExactly("llm:invoke", "llm:list");
  }

  @Test
  void scopes_malformedOrNotAllowed_invalidScope() {
    Set<String> allowed = Set.of("llm:invoke");
    for (String scope :
        List.of(
            "admin",
            "llm:invoke admin",
            " llm:invoke",
            "llm:invoke ",
            "llm:invoke  llm:invoke",
            "llm:invoke\tadmin",
            "llm:invoke\nadmin",
            "llm:\"invoke",
            "llm:invoke\\",
            "llm:invokë",
            "llm:invoke " + "a".repeat(ExchangeRequest.MAX_SCOPE_LENGTH))) {
      assertThatThrownBy(() -> ExchangeRequest.scopes(scope, allowed))
          .as(scope)
          .isInstanceOfSatisfying(
              ExchangeRefusal.class,
              refusal ->
                  assertThat(refusal.error()).isEqualTo(ExchangeRefusal.Error.INVALID_SCOPE));
    }
  }

  @Test
  void of_subjectTokenLongerThanAnyAccessToken_invalidRequestBeforeParsing() {
    String huge = "a".repeat(ExchangeRequest.MAX_SUBJECT_TOKEN_LENGTH + 1);
    ExchangeRefusal refusal =
        refusal(
            form(List.of(huge), List.of(TYPE), List.of("keyvault-service"), List.of("llm:invoke")),
            TURN_SERVICE);
    assertThat(refusal.reason()).isEqualTo("subject_token_too_long");
    assertThat(refusal.toProblem().error()).isEqualTo("invalid_request");
    assertThat(refusal.toProblem().getMessage()).doesNotContain("aaaa");
  }
}
