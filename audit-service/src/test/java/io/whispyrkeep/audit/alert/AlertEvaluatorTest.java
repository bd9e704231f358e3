package io.whispyrkeep.audit.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whispyrkeep.audit.config.AuditConfig;
import io.whispyrkeep.platform.event.Severity;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which events count for which alert group and when a count raises, without a database. */
class AlertEvaluatorTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final OffsetDateTime INGESTED = OffsetDateTime.parse("2026-03-01T12:00:00Z");

  private record Rule(
      String typePrefix,
      Optional<String> groupBy,
      int threshold,
      Duration window,
      Severity severity,
      Optional<String> firstSeenField)
      implements AuditConfig.AlertRule {}

  private static Rule counting(String typePrefix, String groupBy, int threshold) {
    return new Rule(
        typePrefix,
        Optional.ofNullable(groupBy),
        threshold,
        Duration.ofMinutes(10),
        Severity.WARNING,
        Optional.empty());
  }

  private static Rule firstSeen(String typePrefix, String groupBy, String field) {
    return new Rule(
        typePrefix,
        Optional.of(groupBy),
        1,
        Duration.ofMinutes(10),
        Severity.CRITICAL,
        Optional.of(field));
  }

  /** The configured rules of application.properties that the tests need, in a fixed order. */
  private static final Map<String, AuditConfig.AlertRule> RULES = new LinkedHashMap<>();

  static {
    RULES.put("failed-logins-account", counting("auth.login_failure", "subject", 5));
    RULES.put("failed-logins-ip", counting("auth.login_failure", "clientIp", 5));
    RULES.put("dead-letters", counting("audit.dead_letter", null, 1));
    RULES.put("new-decrypter", firstSeen("key.used", "subject", "actor"));
    RULES.put("by-reason", counting("auth.refresh", "details.reason", 1));
  }

  private static ObjectNode event(String type, String subject, String clientIp, String at) {
    ObjectNode event = MAPPER.createObjectNode();
    event.put("id", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    event.put("type", type);
    event.put("occurredAt", at);
    event.put("subject", subject);
    event.put("clientIp", clientIp);
    return event;
  }

  private static List<AlertEvaluator.Hit> hits(JsonNode... events) {
    return AlertEvaluator.hits(RULES, List.of(events), INGESTED);
  }

  @Test
  void hits_failedLogin_countsForItsAccountAndItsAddress() {
    List<AlertEvaluator.Hit> hits =
        hits(
            event("auth.login_failure", "alice", "192.0.2.1", "2026-03-01T11:59:00Z"),
            event("auth.login_failure", "bob", "192.0.2.1", "2026-03-01T11:59:01Z"));

    assertThat(hits)
        .extracting(AlertEvaluator.Hit::name, AlertEvaluator.Hit::group)
        .containsExactly(
            tuple("failed-logins-account", "alice"),
            tuple("failed-logins-ip", "192.0.2.1"),
            tuple("failed-logins-account", "bob"),
            tuple("failed-logins-ip", "192.0.2.1"));
    assertThat(hits).allSatisfy(hit -> assertThat(hit.value()).isNull());
  }

  @Test
  void hits_groupFieldMissing_matchesNoGroupOfThatRule() {
    // A login failure for an unknown email has no subject: it counts for its address only, never
    // for a catch-all account that would pool every unknown email into one alert.
    assertThat(hits(event("auth.login_failure", null, "192.0.2.1", "2026-03-01T11:59:00Z")))
        .extracting(AlertEvaluator.Hit::name, AlertEvaluator.Hit::group)
        .containsExactly(tuple("failed-logins-ip", "192.0.2.1"));
  }

  @Test
  void hits_typeOfNoRule_none() {
    assertThat(hits(event("auth.logout", "alice", "192.0.2.1", "2026-03-01T11:59:00Z"))).isEmpty();
  }

  @Test
  void hits_ruleWithoutGroupBy_oneGroupForAll() {
    assertThat(
            hits(
                event("audit.dead_letter", "p-0@1", null, "2026-03-01T11:00:00Z"),
                event("audit.dead_letter", "p-1@7", null, "2026-03-01T11:00:01Z")))
        .extracting(AlertEvaluator.Hit::group)
        .containsExactly("*", "*");
  }

  @Test
  void hits_groupByDetailsField_groupedByThatDetail() {
    ObjectNode reuse = event("auth.refresh_reuse", "alice", null, "2026-03-01T11:00:00Z");
    reuse.putObject("details").put("reason", "replayed");

    assertThat(hits(reuse))
        .singleElement()
        .extracting(AlertEvaluator.Hit::group)
        .isEqualTo("replayed");
  }

  @Test
  void hits_groupTooLongOrWithNul_hashedToDistinctStorableKeys() {
    String longName = "x".repeat(AlertEvaluator.MAX_KEY + 1);
    List<AlertEvaluator.Hit> hits =
        hits(
            event("auth.login_failure", longName, "192.0.2.1", "2026-03-01T11:00:00Z"),
            event("auth.login_failure", longName + "y", "192.0.2.1", "2026-03-01T11:00:00Z"),
            event("auth.login_failure", "nul\u0000", "192.0.2.1", "2026-03-01T11:00:00Z"));

    List<String> accounts =
        hits.stream()
            .filter(hit -> hit.name().equals("failed-logins-account"))
            .map(AlertEvaluator.Hit::group)
            .toList();
    assertThat(accounts)
        .hasSize(3)
        .doesNotHaveDuplicates()
        .allSatisfy(
            group ->
                assertThat(group)
                    .startsWith("sha256:")
                    .hasSizeLessThanOrEqualTo(AlertEvaluator.MAX_KEY)
                    .doesNotContain("\u0000"));
  }

  @Test
  void hits_eventDatedAfterIngestion_countsAtTheIngestTime() {
    List<AlertEvaluator.Hit> hits =
        hits(
            event("auth.login_failure", "alice", "192.0.2.1", "2026-03-01T12:04:00Z"),
            event("auth.login_failure", "alice", "192.0.2.1", "2026-03-01T11:30:00Z"));

    assertThat(hits)
        .extracting(AlertEvaluator.Hit::occurredAt)
        .containsExactly(
            INGESTED,
            INGESTED,
            OffsetDateTime.parse("2026-03-01T11:30:00Z"),
            OffsetDateTime.parse("2026-03-01T11:30:00Z"));
  }

  @Test
  void hits_firstSeenRule_carriesTheValue_eventWithoutItMatchesNothing() {
    ObjectNode byTurn = event("key.used", "key-1", null, "2026-03-01T11:00:00Z");
    byTurn.put("actor", "turn-service");
    ObjectNode byNobody = event("key.used", "key-1", null, "2026-03-01T11:00:00Z");

    assertThat(hits(byTurn, byNobody))
        .extracting(AlertEvaluator.Hit::name, AlertEvaluator.Hit::group, AlertEvaluator.Hit::value)
        .containsExactly(tuple("new-decrypter", "key-1", "turn-service"));
  }

  private static AlertEvaluator.Hit loginFailureAt(String at) {
    return hits(event("auth.login_failure", "alice", "192.0.2.1", at)).get(0);
  }

  @Test
  void fires_belowThreshold_false_atThreshold_true() {
    AlertEvaluator.Hit hit = loginFailureAt("2026-03-01T11:50:00Z");

    assertThat(AlertEvaluator.fires(hit, 4, 0, null)).isFalse();
    assertThat(AlertEvaluator.fires(hit, 5, 0, null)).isTrue();
    assertThat(AlertEvaluator.fires(hit, 9, 0, null)).isTrue();
  }

  @Test
  void fires_alertOfTheGroupStoredWithinTheWindow_quiet() {
    AlertEvaluator.Hit hit = loginFailureAt("2026-03-01T11:50:00Z");

    assertThat(AlertEvaluator.fires(hit, 7, 1, null)).isFalse();
  }

  @Test
  void fires_raisedEarlierInTheBatch_quietWithinTheWindowOnly() {
    AlertEvaluator.Hit hit = loginFailureAt("2026-03-01T11:50:00Z");

    assertThat(AlertEvaluator.fires(hit, 5, 0, OffsetDateTime.parse("2026-03-01T11:45:00Z")))
        .as("raised five minutes before, within the 10-minute window")
        .isFalse();
    assertThat(AlertEvaluator.fires(hit, 5, 0, OffsetDateTime.parse("2026-03-01T11:39:00Z")))
        .as("raised eleven minutes before, outside the window")
        .isTrue();
  }
}
