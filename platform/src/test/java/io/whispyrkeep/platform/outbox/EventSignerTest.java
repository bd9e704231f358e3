package io.whispyrkeep.platform.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whispyrkeep.devinfra.keys.TestEventKeys;
import io.whispyrkeep.platform.crypto.Ed25519KeyFiles;
import io.whispyrkeep.platform.event.EventSignature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

/** The outbox's signer, outside Quarkus (where the launch mode is production). */
class EventSignerTest {

  private static EventSigningConfig config(Path file) {
    return () -> Optional.ofNullable(file);
  }

  @Test
  void noSigningKey_inProduction_refusesToStart() {
    assertThatThrownBy(() -> new EventSigner(config(null)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("WK_EVENT_SIGNING_KEY_FILE");
  }

  @Test
  void headers_signTheExactUtf8BytesOfTheValue_withTheKeyId() {
    Path key = TestEventKeys.privateKeyFile("platform-signer");
    EventSigner signer = new EventSigner(config(key));
    String value = "{\"source\":\"é-service\"}";

    Headers headers = signer.headers(value);

    assertThat(new String(headers.lastHeader(EventSignature.KEY_ID_HEADER).value()))
        .isEqualTo(TestEventKeys.keyId("platform-signer"));
    byte[] signature =
        Base64.getDecoder().decode(headers.lastHeader(EventSignature.SIGNATURE_HEADER).value());
    var publicKey = Ed25519KeyFiles.loadPublic(TestEventKeys.publicKeyFile("platform-signer"));
    assertThat(EventSignature.isValid(publicKey, value.getBytes(StandardCharsets.UTF_8), signature))
        .isTrue();
    assertThat(
            EventSignature.isValid(
                publicKey, value.getBytes(StandardCharsets.ISO_8859_1), signature))
        .isFalse();
  }
}
