package io.whispyrkeep.platform.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.whispyrkeep.platform.http.RequestMetadata;
import io.whispyrkeep.testsupport.kafka.KafkaTopics;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
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
