package io.whispyrkeep.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whispyrkeep.audit.config.AuditConfig;
import io.whispyrkeep.devinfra.keys.TestEventKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

/** The signature rules outside Quarkus: which records count as a source's own. */
class EventAuthenticatorTest {

  private static AuditConfig.EventKeys keys(String... names) {
    List<Path> files = java.util.Arrays.stream(names).map(TestEventKeys::publicKeyFile).toList();
    return new AuditConfig.EventKeys() {
      @Override
      public Optional<List<Path>> publicKeyFiles() {
        return Optional.of(files);
      }

      @Override
      public Optional<List<String>> typePrefixes() {
        return Optional.empty();
      }
    };
  }

  private static final EventAuthenticator AUTHENTICATOR =
      new EventAuthenticator(
          Map.of(
              "auth-service", keys("auth-service", "auth-service-previous"),
              "turn-service", keys("turn-service")));

  private static EventAuthenticator.Verdict check(Headers headers, String value) {
    return AUTHENTICATOR.authenticate(headers, value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void signedByCurrentOrPreviousKey_authenticForItsSourceOnly() {
    String value = "{\"source\":\"auth-service\"}";
    for (String key : List.of("auth-service", "auth-service-previous")) {
      EventAuthenticator.Verdict verdict = check(TestEventKeys.headers(key, value), value);
      assertThat(verdict).isInstanceOf(EventAuthenticator.Authentic.class);
      EventAuthenticator.Authentic authentic = (EventAuthenticator.Authentic) verdict;
      assertThat(authentic.source()).isEqualTo("auth-service");
      assertThat(EventAuthenticator.sourceMismatch(authentic, "auth-service")).isNull();
      assertThat(EventAuthenticator.sourceMismatch(authentic, "turn-service")).isNotNull();
    }
  }

  @Test
  void oneKeyConfiguredForTwoSources_refusedAtStart() {
    assertThatThrownBy(
            () ->
                new EventAuthenticator(
                    Map.of(
                        "auth-service", keys("auth-service"),
                        "keyvault-service", keys("auth-service"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("each source needs its own key");
  }

  @Test
  void hostileHeaders_refusedWithAShortReasonThatEchoesNothing() {
    String value = "{\"source\":\"auth-service\"}";
    String kid = TestEventKeys.keyId("auth-service");
    assertThat(refusal(TestEventKeys.rawHeaders(kid, null), value)).startsWith("unsigned");
    assertThat(refusal(TestEventKeys.rawHeaders("x".repeat(100_000), "AAAA"), value))
        .isEqualTo("malformed key id");
    assertThat(refusal(TestEventKeys.rawHeaders(kid, "%%%not-base64%%%"), value))
        .isEqualTo("malformed signature");
    assertThat(refusal(TestEventKeys.rawHeaders(kid, "AAAA"), value))
        .isEqualTo("malformed signature");
    Headers doubled = TestEventKeys.headers("auth-service", value);
    doubled.add(TestEventKeys.KEY_ID_HEADER, kid.getBytes(StandardCharsets.US_ASCII));
    assertThat(refusal(doubled, value)).contains("more than one");
    // a signature of other bytes
    assertThat(refusal(TestEventKeys.headers("auth-service", value + " "), value))
        .startsWith("signature does not match the payload");
  }

  @Test
  void recheck_reportsMissingUntrustedOtherSourceAndWrongSignatures() {
    byte[] payload = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    byte[] signature = TestEventKeys.sign("auth-service", payload);
    String kid = TestEventKeys.keyId("auth-service");

    assertThat(AUTHENTICATOR.recheck("auth-service", kid, signature, payload)).isNull();
    assertThat(AUTHENTICATOR.recheck("auth-service", null, null, payload))
        .isEqualTo("event has no signature");
    assertThat(
            AUTHENTICATOR.recheck(
                "auth-service", TestEventKeys.keyId("stranger"), signature, payload))
        .isEqualTo("event is signed by a key no longer trusted");
    assertThat(AUTHENTICATOR.recheck("turn-service", kid, signature, payload))
        .isEqualTo("event is signed by a key of another source");
    payload[1] ^= 1;
    assertThat(AUTHENTICATOR.recheck("auth-service", kid, signature, payload))
        .isEqualTo("event signature does not match its content");
  }

  private static String refusal(Headers headers, String value) {
    EventAuthenticator.Verdict verdict = check(headers, value);
    assertThat(verdict).isInstanceOf(EventAuthenticator.Refused.class);
    return ((EventAuthenticator.Refused) verdict).reason();
  }
}
