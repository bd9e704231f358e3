package io.whispyrkeep.audit.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.whispyrkeep.platform.problem.ProblemException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The page cursor outside Quarkus: what a caller gets back, and what it may send instead. */
class AuditEventRepositoryTest {

  private static final Instant AT = Instant.parse("2026-03-01T10:15:30.123456Z");
  private static final UUID ID = UUID.fromString("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");

  private static String base64(String text) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Asserts the cursor is refused as a 400 problem whose detail does not echo it. */
  private static void assertRefused(String cursor) {
    Throwable refusal = catchThrowable(() -> AuditEventRepository.decodeCursor(cursor));
    assertThat(refusal).as(cursor).isInstanceOf(ProblemException.class);
    ProblemException problem = (ProblemException) refusal;
    assertThat(problem.status()).isEqualTo(400);
    assertThat(problem.getMessage()).isEqualTo("The cursor is not valid.");
  }

  @Test
  void encodeThenDecode_sameKeyToTheMicrosecond() {
    Object[] key = AuditEventRepository.decodeCursor(AuditEventRepository.encodeCursor(AT, ID));

    assertThat(key).containsExactly(OffsetDateTime.ofInstant(AT, ZoneOffset.UTC), ID);
  }

  @Test
  void encode_anyKey_urlSafeWithoutPadding() {
    for (Instant at : List.of(AT, Instant.EPOCH, Instant.parse("2100-12-31T23:59:59.999999Z"))) {
      assertThat(AuditEventRepository.encodeCursor(at, UUID.randomUUID()))
          .matches("[A-Za-z0-9_-]+");
    }
  }

  @Test
  void decode_garbage_refused400WithoutEchoingIt() {
    for (String garbage :
        List.of(
            "",
            "!!!",
            "abc",
            "a".repeat(10_000),
            base64("no separator"),
            base64("|" + ID),
            base64(AT + "|"),
            base64("yesterday|" + ID),
            base64(AT + "|not-a-uuid"),
            base64(AT + "|" + ID + "|extra"))) {
      assertRefused(garbage);
    }
  }

  @Test
  void decode_anyOneCharacterChanged_anotherValidKeyOrRefused400() {
    String cursor = AuditEventRepository.encodeCursor(AT, ID);
    String alphabet = "AZaz09-_=+/.";
    for (int i = 0; i < cursor.length(); i++) {
      for (char replacement : alphabet.toCharArray()) {
        String tampered = cursor.substring(0, i) + replacement + cursor.substring(i + 1);
        Throwable failure = catchThrowable(() -> AuditEventRepository.decodeCursor(tampered));
        if (failure != null) {
          assertRefused(tampered);
        }
      }
    }
  }
}
