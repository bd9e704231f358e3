package io.whispyrkeep.platform.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.whispyrkeep.devinfra.kafka.KafkaTopics;
import io.whispyrkeep.platform.http.RequestMetadata;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SecurityEventContractTest {

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  private static final SecurityEventSchema SCHEMA = SecurityEventSchema.load();
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

  private static SecurityEvent sample() {
    return new SecurityEvent(
        1,
        TimeOrderedUuid.next(CLOCK),
        "auth.login_failure",
        Instant.parse("2026-11-23T10:00:00.123456Z"),
        "auth-service",
        "user-1",
        "user-1",
        "203.0.113.7",
        "Mozilla/5.0",
        "req-1",
        Severity.NOTICE,
        Map.of("reason", "bad_credentials"));
  }

  @Test
  void serialisedEvent_matchesSchema() {
    assertThat(SCHEMA.validate(MAPPER.valueToTree(sample()))).isEmpty();
  }

  @Test
  void eventWithUnknownFieldOrBadSeverity_violatesSchema() {
    ObjectNode json = MAPPER.valueToTree(sample());
    json.put("password", "x");
    assertThat(SCHEMA.validate(json)).isNotEmpty();
    ObjectNode badSeverity = MAPPER.valueToTree(sample());
    badSeverity.put("severity", "PANIC");
    assertThat(SCHEMA.validate(badSeverity)).isNotEmpty();
    ObjectNode nested = MAPPER.valueToTree(sample());
    nested.putObject("details").putObject("nested").put("a", "b");
    assertThat(SCHEMA.validate(nested)).isNotEmpty();
  }

  /** NUL (refused by PostgreSQL), CR/LF (forged log lines), ESC, C1, separators, half a pair. */
  private static final String[] CONTROL_CHARACTERS = {
    "\u0000", "\r\n", "\u001b[31m", "\u0085", "\u2028", "\ud800", "\n"
  };

  @Test
  void controlCharacterInAnyStringField_violatesSchema() {
    for (String field :
        new String[] {"actor", "subject", "clientIp", "userAgent", "requestId", "source", "type"}) {
      for (String control : CONTROL_CHARACTERS) {
        ObjectNode json = MAPPER.valueToTree(sample());
        json.put(field, "ok" + control);
        assertThat(SCHEMA.validate(json))
            .as("%s with %s", field, escapeForMessage(control))
            .isNotEmpty();
      }
    }
    for (String control : CONTROL_CHARACTERS) {
      ObjectNode value = MAPPER.valueToTree(sample());
      ((ObjectNode) value.get("details")).put("reason", "bad" + control + "x");
      assertThat(SCHEMA.validate(value)).isNotEmpty();
      ObjectNode key = MAPPER.valueToTree(sample());
      ((ObjectNode) key.get("details")).put("reason" + control, "x");
      assertThat(SCHEMA.validate(key)).isNotEmpty();
    }
  }

  @Test
  void printableUnicodeAndEmoji_matchSchema() {
    ObjectNode json = MAPPER.valueToTree(sample());
    json.put("subject", "Zoë 🎲 Ωmega \\u0000 typed");
    json.put("userAgent", "Mozilla/5.0 (X11; Linux) ☃");
    assertThat(SCHEMA.validate(json)).isEmpty();
  }

  @Test
  void occurredAtThatJavaTimeRefuses_violatesSchema() {
    for (String refused :
        new String[] {
          "2026-01-01 10:00:00Z", // space instead of T: RFC 3339 allows it, java.time does not
          "2026-12-31T23:59:60Z", // leap second
          "2026-02-30T10:00:00Z", // no such day
          "2026-01-01T24:00:00Z",
          "2026-01-01t10:00:00z",
          "2026-01-01T10:00:00+00:00",
          "2026-01-01T10:00Z",
          "2026-01-01T10:00:00Z\n",
          "2026-01-01T10:00:00.1234567890Z",
          "+12026-01-01T10:00:00Z",
        }) {
      ObjectNode json = MAPPER.valueToTree(sample());
      json.put("occurredAt", refused);
      assertThat(SCHEMA.validate(json)).as(refused).isNotEmpty();
      assertThatThrownBy(() -> SecurityEventSchema.occurredAt(refused))
          .as(refused)
          .isInstanceOf(DateTimeParseException.class);
    }
  }

  @Test
  void occurredAtThatMatchesSchema_parsesToTheSameInstant() {
    for (String accepted :
        new String[] {
          "2026-01-01T10:00:00Z", "2026-11-23T10:00:00.123456Z", "2024-02-29T23:59:59.999999999Z"
        }) {
      ObjectNode json = MAPPER.valueToTree(sample());
      json.put("occurredAt", accepted);
      assertThat(SCHEMA.validate(json)).as(accepted).isEmpty();
      assertThat(SecurityEventSchema.occurredAt(accepted))
          .isEqualTo(Instant.parse(accepted))
          .isEqualTo(java.time.OffsetDateTime.parse(accepted).toInstant());
    }
  }

  @Test
  void factory_controlCharactersAndHugeValuesInEveryField_eventMatchesSchema() {
    String hostile = "id\u0000\r\nFAKE LINE\u001b[2J\u0085\u2028" + "x".repeat(1000) + "\ud83c";
    SecurityEventFactory factory = new SecurityEventFactory(CLOCK, "auth-service", null);
    SecurityEvent event =
        factory.create(
            "auth.login_failure",
            Severity.NOTICE,
            hostile,
            hostile,
            Map.of("reason", hostile, "clientId", hostile),
            new RequestMetadata("req-1", "203.0.113.7" + hostile, hostile));
    assertThat(SCHEMA.validate(MAPPER.valueToTree(event))).isEmpty();
    assertThat(event.subject()).startsWith("id\\u0000\\u000D\\u000AFAKE LINE\\u001B[2J");
    assertThat(event.actor()).hasSizeLessThanOrEqualTo(SecurityEventFactory.MAX_ID_LENGTH);
    assertThat(event.details().get("reason"))
        .hasSizeLessThanOrEqualTo(SecurityEventFactory.MAX_DETAIL_LENGTH)
        .doesNotContain("\u0000", "\n", "\r");
  }

  @Test
  void cut_atHalfASurrogatePair_keepsThePairWhole() {
    String emoji = "🎲";
    String cut =
        SecurityEventFactory.cut("a".repeat(199) + emoji, SecurityEventFactory.MAX_ID_LENGTH);
    assertThat(cut).isEqualTo("a".repeat(199));
  }

  private static String escapeForMessage(String text) {
    return text.chars().mapToObj(c -> String.format("U+%04X", c)).toList().toString();
  }

  @Test
  void timeOrderedUuid_version7AndSortedByTime() {
    UUID first = TimeOrderedUuid.next(CLOCK);
    UUID later = TimeOrderedUuid.next(Clock.offset(CLOCK, java.time.Duration.ofMillis(1)));
    assertThat(first.version()).isEqualTo(7);
    assertThat(first.variant()).isEqualTo(2);
    assertThat(first.compareTo(later)).isNegative();
  }

  @Test
  void safeDetails_secretsMaskedInvalidKeysDroppedLongValuesCut() {
    Map<String, String> details = new HashMap<>();
    details.put("apiKey", "sk-live-1234567890abcdef");
    details.put("note", "sent Bearer abcdefghijklmnop");
    details.put("Bad Key", "x");
    details.put("long", "y".repeat(2000));
    Map<String, String> safe = SecurityEventFactory.safeDetails(details);
    assertThat(safe).containsEntry("apiKey", "[REDACTED]").doesNotContainKey("Bad Key");
    assertThat(safe.get("note")).doesNotContain("abcdefghijklmnop");
    assertThat(safe.get("long")).hasSize(SecurityEventFactory.MAX_DETAIL_LENGTH);
  }

  @Test
  void cut_longActorOrSubject_cutToSchemaLimit() {
    assertThat(SecurityEventFactory.cut("x".repeat(500), SecurityEventFactory.MAX_ID_LENGTH))
        .hasSize(200);
    assertThat(SecurityEventFactory.cut("short", SecurityEventFactory.MAX_ID_LENGTH))
        .isEqualTo("short");
    assertThat(SecurityEventFactory.cut(null, SecurityEventFactory.MAX_ID_LENGTH)).isNull();
  }

  @Test
  void partitionKey_actorElseClientIp() {
    assertThat(sample().partitionKey()).isEqualTo("user-1");
    RequestMetadata none = RequestMetadata.NONE;
    assertThat(none.clientIp()).isNull();
  }

  @Test
  void topicNames_matchTheTopicsTestsAndLauncherCreate() {
    assertThat(KafkaTopics.SUITE_TOPICS.keySet())
        .isEqualTo(
            Set.of(
                SecurityEventTopics.SECURITY_EVENTS,
                SecurityEventTopics.SECURITY_EVENTS_DLQ,
                SecurityEventTopics.SECURITY_ALERTS));
  }
}
