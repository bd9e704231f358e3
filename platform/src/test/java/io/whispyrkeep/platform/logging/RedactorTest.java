package io.whispyrkeep.platform.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactorTest {

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
