package io.whispyrkeep.platform.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RedactorTest {

  /**
   * A generous budget: linear redaction of 10,000 characters takes milliseconds even on a loaded
   * build machine; the backtracking patterns this replaces took minutes.
   */
  private static final Duration BUDGET = Duration.ofSeconds(2);

  private static final int SIZE = 10_000;

  /** For each pattern, inputs of 10,000 characters built to make a backtracking engine explode. */
  static Map<String, String> adversarialInputs() {
    return Map.ofEntries(
        // key=value: a long run of words containing the key, with no separator after it
        Map.entry("method echo", "Method " + fill("pass-") + " is not allowed"),
        Map.entry("key words without separator", fill("pass-")),
        Map.entry("key then spaces, no separator", "password" + fill(" ")),
        Map.entry("separators after keys", fill("token:")),
        Map.entry("key then separator then spaces", "secret=" + fill(" ")),
        // JSON: an unterminated key, an unterminated value full of escapes, a huge value
        Map.entry("unterminated JSON key", "\"" + fill("token.")),
        Map.entry("unterminated JSON value", "{\"password\":\"" + fill("\\a")),
        Map.entry("huge JSON value", "{\"password\":\"" + fill("x") + "\"}"),
        Map.entry("many JSON keys", fill("{\"password\" : ")),
        // Bearer/Basic: the scheme followed by spaces, or repeated
        Map.entry("bearer then spaces", "Bearer" + fill(" ")),
        Map.entry("repeated schemes", fill("Basic Bearer ")),
        // JWT: many starts with no dot, and dots too early
        Map.entry("JWT starts without dots", fill("eyJ")),
        Map.entry("JWT parts too short", fill("eyJaaaaa.")),
        Map.entry("JWT one dot", "eyJ" + fill("a") + "." + fill("b")),
        // provider keys and refresh tokens: many prefixes, each too short or run on
        Map.entry("sk prefixes", fill("sk-")),
        Map.entry("sk too short", fill("sk-abc ")),
        Map.entry("AIza prefixes", fill("AIza")),
        Map.entry("wkrt prefixes", fill("wkrt_")));
  }

  /** {@code unit} repeated to at least 10,000 characters. */
  private static String fill(String unit) {
    return unit.repeat((SIZE + unit.length() - 1) / unit.length());
  }

  static java.util.stream.Stream<String> adversarialNames() {
    return adversarialInputs().keySet().stream().sorted();
  }

  @ParameterizedTest
  @MethodSource("adversarialNames")
  void redact_adversarialInputOf10000Chars_finishesWithinBudget(String name) {
    String input = adversarialInputs().get(name);
    assertThat(input.length()).isGreaterThanOrEqualTo(SIZE);
    String redacted = assertTimeoutPreemptively(BUDGET, () -> Redactor.redact(input), name);
    assertThat(redacted).isNotNull();
  }

  @Test
  void redact_adversarialInputsRunTogether_finishWithinBudget() {
    String all = String.join(" ", adversarialInputs().values());
    assertTimeoutPreemptively(BUDGET.multipliedBy(3), () -> Redactor.redact(all));
  }

  @Test
  void redact_longSecretValues_stillMasked() {
    String longSecret = "s".repeat(SIZE);
    assertThat(Redactor.redact("{\"password\":\"" + longSecret + "\"}"))
        .isEqualTo("{\"password\":\"[REDACTED]\"}");
    assertThat(Redactor.redact("x client_secret=" + longSecret + " y"))
        .isEqualTo("x client_secret=[REDACTED] y");
    assertThat(Redactor.redact("Bearer " + longSecret)).isEqualTo("Bearer [REDACTED]");
    assertThat(Redactor.redact("eyJ" + longSecret + ".eyJ" + longSecret + ".sig"))
        .isEqualTo("[REDACTED]");
  }

  @Test
  void redact_passwordInJson_masked() {
    String redacted = Redactor.redact("{\"email\":\"a@b.c\",\"password\":\"Hunter2!secret\"}");
    assertThat(redacted).doesNotContain("Hunter2").contains("\"password\":\"[REDACTED]\"");
    assertThat(redacted).contains("a@b.c");
  }

  @Test
  void redact_jsonValueWithEscapedQuote_fullyMasked() {
    assertThat(Redactor.redact("{\"new_password\":\"ab\\\"cd-leak\"}")).doesNotContain("leak");
  }

  @Test
  void redact_keyValueForms_masked() {
    assertThat(Redactor.redact("login password=hunter2 ok"))
        .isEqualTo("login password=[REDACTED] ok");
    assertThat(Redactor.redact("refresh_token: abc.def-123")).doesNotContain("abc.def-123");
    assertThat(Redactor.redact("client_secret=s3cr3t&grant_type=client_credentials"))
        .doesNotContain("s3cr3t")
        .contains("grant_type=client_credentials");
    assertThat(Redactor.redact("X-Api-Key: sk_live_value")).doesNotContain("sk_live_value");
  }

  @Test
  void redact_bearerAndJwt_masked() {
    String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwbGF5ZXIifQ.c2lnbmF0dXJlLXZhbHVl";
    assertThat(Redactor.redact("Authorization: Bearer " + jwt)).doesNotContain(jwt);
    assertThat(Redactor.redact("token was " + jwt + " end")).doesNotContain(jwt).endsWith(" end");
    assertThat(Redactor.redact("Basic dXNlcjpwYXNzd29yZA==")).doesNotContain("dXNlcjpwYXNzd29yZA");
  }

  @Test
  void redact_providerApiKeys_masked() {
    assertThat(Redactor.redact("key sk-proj-abcdefghijklmnop1234 used"))
        .doesNotContain("abcdefghijklmnop1234");
    assertThat(Redactor.redact("sk-ant-api03-AAAABBBBCCCCDDDD")).doesNotContain("AAAABBBB");
    assertThat(Redactor.redact("AIzaSyA1234567890abcdefghijklmnopqrstu"))
        .doesNotContain("SyA1234567890");
  }

  @Test
  void redact_alreadyRedacted_unchanged() {
    String once = Redactor.redact("password=hunter2 and {\"token\":\"abc\"}");
    assertThat(Redactor.redact(once)).isEqualTo(once);
  }

  @Test
  void redact_ordinaryText_unchanged() {
    String text = "user 42 logged in from 10.0.0.1 with agent Mozilla/5.0";
    assertThat(Redactor.redact(text)).isEqualTo(text);
    assertThat(Redactor.redact(null)).isNull();
  }

  @Test
  void isSecretKey_namesOfSecrets_true() {
    assertThat(Redactor.isSecretKey("password")).isTrue();
    assertThat(Redactor.isSecretKey("refreshToken")).isTrue();
    assertThat(Redactor.isSecretKey("api_key")).isTrue();
    assertThat(Redactor.isSecretKey("widgetName")).isFalse();
  }
}
