package io.whispyrkeep.audit.ingest;

import static io.restassured.RestAssured.given;
import static io.whispyrkeep.audit.support.AuditApi.ARRIVAL;
import static io.whispyrkeep.audit.support.AuditApi.alertsFor;
import static io.whispyrkeep.audit.support.AuditApi.assertIntact;
import static io.whispyrkeep.audit.support.AuditApi.awaitCount;
import static io.whispyrkeep.audit.support.AuditApi.query;
import static io.whispyrkeep.audit.support.AuditApi.security;
import static io.whispyrkeep.audit.support.TrailFixture.connect;
import static io.whispyrkeep.audit.support.TrailFixture.deadLetters;
import static io.whispyrkeep.audit.support.TrailFixture.event;
import static io.whispyrkeep.audit.support.TrailFixture.eventAt;
import static io.whispyrkeep.audit.support.TrailFixture.jsonWith;
import static io.whispyrkeep.audit.support.TrailFixture.reason;
import static io.whispyrkeep.audit.support.TrailFixture.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.whispyrkeep.audit.support.RuntimeRoleTestResource;
import io.whispyrkeep.audit.support.TrailFixture;
import io.whispyrkeep.devinfra.keys.TestEventKeys;
import io.whispyrkeep.platform.event.SecurityEvent;
import io.whispyrkeep.platform.event.SecurityEventTopics;
import io.whispyrkeep.testsupport.SharedInfrastructure;
import io.whispyrkeep.testsupport.kafka.SecurityEventReader;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * From Kafka into the trail: dead letters, storage failures, clock skew and offset gaps. Against
 * real Kafka and PostgreSQL, in the application shared by the classes with the same resources (see
 * {@link RuntimeRoleTestResource}).
 */
@QuarkusTest
@WithTestResource(
    value = RuntimeRoleTestResource.class,
    scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class IngestionQuarkusTest {

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Inject ObjectMapper mapper;
  @Inject MeterRegistry registry;
  @Inject InMemorySpanExporter spans;

  private void produce(String key, String value) {
    TrailFixture.produce(bootstrapServers, key, value);
  }

  private void produce(SecurityEvent event) throws Exception {
    TrailFixture.produce(bootstrapServers, event);
  }

  /**
   * The trace of the request that caused an event continues into audit-service: the record's {@code
   * traceparent} (written by the producing service's outbox relay, see the platform's
   * OutboxQuarkusTest) is the parent of the span in which audit-service receives it.
   */
  @Test
  void tracedEvent_receivedByAuditServiceInTheSameTrace() throws Exception {
    String traceId = UUID.randomUUID().toString().replace("-", "");
    String parentSpanId = "00f067aa0ba902b7";
    String subject = "traced-" + UUID.randomUUID();

    TrailFixture.produceTraced(
        bootstrapServers,
        event("auth.login_success", subject),
        "00-" + traceId + "-" + parentSpanId + "-01");

    awaitCount("subject=" + subject, 1);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(spans.getFinishedSpanItems())
                    .filteredOn(span -> span.getTraceId().equals(traceId))
                    .as("spans of audit-service in the producer's trace")
                    .anySatisfy(
                        span -> assertThat(span.getParentSpanId()).isEqualTo(parentSpanId)));
  }

  @Test
  void poisonMessages_goToDeadLetterTopicWithReason_consumerKeepsGoing() throws Exception {
    String key = "poison-" + UUID.randomUUID();
    produce(key, "this is not json");
    produce(key, "{\"version\":1,\"type\":\"bad\"}");
    String subject = "after-poison-" + UUID.randomUUID();
    produce(event("auth.login_success", subject));

    awaitCount("subject=" + subject, 1);
    List<ConsumerRecord<String, String>> dead =
        SecurityEventReader.read(
            bootstrapServers,
            SecurityEventTopics.SECURITY_EVENTS_DLQ,
            record -> key.equals(record.key()),
            2,
            ARRIVAL);
    assertThat(dead).hasSize(2);
    assertThat(dead)
        .allSatisfy(
            record ->
                assertThat(
                        new String(
                            record.headers().lastHeader(AuditChannels.DLQ_REASON_HEADER).value(),
                            StandardCharsets.UTF_8))
                    .isNotBlank());
  }

  @Test
  void storageFailure_batchRetriedUntilStored_deadLettersSentOnce_stallAlerted() throws Exception {
    String subject = "retry-" + UUID.randomUUID();
    String poisonKey = "retry-poison-" + UUID.randomUUID();
    SecurityEvent event = event("auth.logout", subject);
    Instant stallStart = Instant.now();
    try (Connection connection = connect();
        Statement owner = connection.createStatement()) {
      // The database refuses the service's inserts for a while, as during an outage or a failover.
      owner.execute("REVOKE INSERT ON audit_event FROM " + RuntimeRoleTestResource.ROLE);
      try {
        double retries = storeRetries();
        produce(poisonKey, "not json, in the same batch as a valid event");
        produce(event);
        // Wait until the ingestor has failed on this batch at least twice, then check nothing
        // was stored meanwhile.
        await().atMost(ARRIVAL).until(() -> storeRetries() >= retries + 2);
        query("subject=" + subject).then().statusCode(200).body("items.size()", equalTo(0));
        // Stalled past the limit (3 s in the tests): alerted on security.alerts, not ready.
        await().atMost(ARRIVAL).until(() -> given().get("/q/health/ready").statusCode() == 503);
        List<ConsumerRecord<String, String>> stalled =
            SecurityEventReader.read(
                bootstrapServers,
                SecurityEventTopics.SECURITY_ALERTS,
                r ->
                    r.value() != null
                        && r.value().contains("\"rule\":\"ingestion-stalled\"")
                        && raisedAt(r.value()).isAfter(stallStart),
                1,
                ARRIVAL);
        assertThat(stalled).isNotEmpty();
      } finally {
        owner.execute("GRANT INSERT ON audit_event TO " + RuntimeRoleTestResource.ROLE);
      }
    }
    awaitCount("subject=" + subject, 1);
    assertThat(
            SecurityEventReader.read(
                bootstrapServers,
                SecurityEventTopics.SECURITY_EVENTS_DLQ,
                r -> r.value() != null && r.value().contains(subject),
                1,
                Duration.ofSeconds(2)))
        .isEmpty();
    // The poison was dead-lettered once, however often the batch was retried.
    assertThat(
            SecurityEventReader.read(
                bootstrapServers,
                SecurityEventTopics.SECURITY_EVENTS_DLQ,
                r -> poisonKey.equals(r.key()),
                2,
                Duration.ofSeconds(5)))
        .hasSize(1);
    // Once the database takes writes again, the stall alert is stored too.
    await()
        .atMost(ARRIVAL)
        .until(
            () ->
                alertsFor(SecurityEventTopics.SECURITY_EVENTS).stream()
                    .anyMatch(
                        alert ->
                            "ingestion-stalled".equals(alert.get("rule"))
                                && Instant.parse((String) alert.get("raisedAt"))
                                    .isAfter(stallStart)));
    // Ready again once the backlog drains (a slow batch on a loaded machine may still count as a
    // stall for a moment).
    await().atMost(ARRIVAL).until(() -> given().get("/q/health/ready").statusCode() == 200);
  }

  @Test
  void recordsTheDatabaseOrJavaTimeRefuses_deadLetteredWithReason_restOfBatchStored()
      throws Exception {
    String key = "poisoned-batch-" + UUID.randomUUID();
    String subject = "around-poison-" + UUID.randomUUID();
    String yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
    List<String> poisons =
        List.of(
            jsonWith(event("auth.login_failure", subject), "subject", "nul\u0000" + subject),
            jsonWith(event("auth.login_failure", subject), "occurredAt", yesterday + " 10:00:00Z"),
            jsonWith(event("auth.login_failure", subject), "occurredAt", yesterday + "T23:59:60Z"));
    List<String> batch = new ArrayList<>();
    batch.add(jsonWith(event("auth.login_failure", subject), "subject", subject));
    batch.addAll(poisons);
    for (int i = 0; i < 3; i++) {
      batch.add(jsonWith(event("auth.login_failure", subject), "subject", subject));
    }
    TrailFixture.produce(bootstrapServers, key, batch.toArray(String[]::new));

    awaitCount("subject=" + subject, 4);
    List<ConsumerRecord<String, String>> dead = deadLetters(bootstrapServers, key, 3);
    assertThat(dead).hasSize(3);
    assertThat(dead)
        .extracting(TrailFixture::reason)
        .anySatisfy(reason -> assertThat(reason).isNotBlank())
        .filteredOn(reason -> reason.contains("occurredAt"))
        .hasSize(2);
    assertIntact();
    assertDeadLettersInLedger(dead);
  }

  @Test
  void rowTheDatabaseRefuses_isolatedFromItsBatch_chainStaysContiguous() throws Exception {
    String key = "refused-" + UUID.randomUUID();
    String subject = "beside-refused-" + UUID.randomUUID();
    try (Connection connection = connect();
        Statement owner = connection.createStatement()) {
      // A constraint the schema knows nothing of: the database refuses one row (SQLSTATE 23514).
      owner.execute(
          "ALTER TABLE audit_event ADD CONSTRAINT test_refuses_one CHECK"
              + " (subject IS NULL OR subject NOT LIKE 'refuse-me-%')");
      try {
        TrailFixture.produce(
            bootstrapServers,
            key,
            jsonWith(event("auth.logout", subject), "subject", subject),
            jsonWith(event("auth.logout", subject), "subject", "refuse-me-" + subject),
            jsonWith(event("auth.logout", subject), "subject", subject));
        awaitCount("subject=" + subject, 2);
        List<ConsumerRecord<String, String>> dead = deadLetters(bootstrapServers, key, 1);
        assertThat(dead)
            .singleElement()
            .extracting(TrailFixture::reason)
            .isEqualTo("database refused the event (SQLSTATE 23514)");
        assertDeadLettersInLedger(dead);
      } finally {
        owner.execute("ALTER TABLE audit_event DROP CONSTRAINT test_refuses_one");
      }
    }
    assertIntact();
  }

  @Test
  void occurredAtBeyondTheSkew_deadLettered_futureDatedAlertRaisedAtIngestTime() throws Exception {
    String key = "skew-" + UUID.randomUUID();
    String subject = "skewed-" + UUID.randomUUID();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    TrailFixture.produce(
        bootstrapServers,
        key,
        TrailFixture.json(
            eventAt(
                "auth.login_failure", subject, null, "192.0.2.7", now.plus(Duration.ofDays(365)))),
        TrailFixture.json(
            eventAt(
                "auth.login_failure", subject, null, "192.0.2.7", now.minus(Duration.ofDays(30)))));
    List<ConsumerRecord<String, String>> dead = deadLetters(bootstrapServers, key, 2);
    assertThat(dead)
        .extracting(TrailFixture::reason)
        .containsExactlyInAnyOrder(
            "occurredAt is more than PT5M ahead of the ingest time",
            "occurredAt is more than PT168H before the ingest time");

    // Within the skew, an event dated ahead still counts, but at the time it was ingested: the
    // alert it raises cannot open a quiet period in the future.
    for (int i = 0; i < 5; i++) {
      produce(
          eventAt(
              "auth.login_failure", subject, null, "192.0.2.7", now.plus(Duration.ofMinutes(4))));
    }
    awaitCount("subject=" + subject, 5);
    await().atMost(ARRIVAL).until(() -> !alertsFor(subject).isEmpty());
    assertThat(Instant.parse((String) alertsFor(subject).get(0).get("raisedAt")))
        .isBefore(Instant.now().plusSeconds(1));
  }

  @Test
  void deadLetter_raisesAlertAndIsRecordedInTheTrail() throws Exception {
    String key = "dead-alert-" + UUID.randomUUID();
    produce(key, "{\"dead\": \"letter\"}");
    List<ConsumerRecord<String, String>> dead = deadLetters(bootstrapServers, key, 1);
    assertThat(dead).hasSize(1);
    String source =
        new String(
            dead.get(0).headers().lastHeader("x-dlq-source").value(), StandardCharsets.UTF_8);
    awaitCount("type=audit.dead_letter&subject=" + source, 1);
    await()
        .atMost(ARRIVAL)
        .until(
            () ->
                given()
                    .auth()
                    .oauth2(security())
                    .get("/audit/alerts?limit=500")
                    .jsonPath()
                    .<Map<String, Object>>getList("")
                    .stream()
                    .anyMatch(alert -> "dead-letters".equals(alert.get("rule"))));
  }

  @Test
  void offsetsCommittedByAnIntruderInTheGroup_verifyReportsTheGap_reconsumingClosesIt()
      throws Exception {
    String subject = "skipped-" + UUID.randomUUID();
    // Every partition has consumed offsets in the ledger, so a hole after them is a gap.
    String warm = "warm-" + UUID.randomUUID();
    for (int p = 0; p < 3; p++) {
      produceTo(p, warm, 1);
    }
    awaitCount("subject=" + warm, 3);
    TopicPartition partition;
    long first;
    long last;
    long resumeAt;
    try (KafkaConsumer<String, String> intruder = intruder()) {
      intruder.subscribe(List.of(SecurityEventTopics.SECURITY_EVENTS));
      await()
          .atMost(ARRIVAL)
          .until(
              () -> {
                intruder.poll(Duration.ofMillis(100));
                return !intruder.assignment().isEmpty();
              });
      partition = intruder.assignment().iterator().next();
      resumeAt = intruder.position(partition);
      List<Long> offsets = produceTo(partition.partition(), subject, 3);
      first = offsets.get(0);
      last = offsets.get(2);
      await()
          .atMost(ARRIVAL)
          .until(
              () -> {
                intruder.poll(Duration.ofMillis(100));
                return intruder.position(partition) > last;
              });
      intruder.commitSync(Map.of(partition, new OffsetAndMetadata(last + 1)));
    }
    // The service gets the partition back and resumes after the intruder's commit.
    String after = "after-skip-" + UUID.randomUUID();
    produceTo(partition.partition(), after, 1);
    awaitCount("subject=" + after, 1);
    assertThat(stored(subject)).isZero();
    Response report = given().auth().oauth2(security()).get("/audit/verify");
    report.then().statusCode(200).body("intact", equalTo(false));
    List<Map<String, Object>> gaps = report.jsonPath().getList("offsetGaps");
    assertThat(gaps)
        .anySatisfy(
            gap -> {
              assertThat(gap).containsEntry("partition", partition.partition());
              assertThat(((Number) gap.get("firstMissing")).longValue()).isLessThanOrEqualTo(first);
              assertThat(((Number) gap.get("lastMissing")).longValue())
                  .isGreaterThanOrEqualTo(last);
            });

    // An operator rewinds the group to the gap: the skipped events are stored, the gap closes.
    try (KafkaConsumer<String, String> operator = intruder()) {
      operator.subscribe(List.of(SecurityEventTopics.SECURITY_EVENTS));
      await()
          .atMost(ARRIVAL)
          .until(
              () -> {
                operator.poll(Duration.ofMillis(100));
                return operator.assignment().contains(partition);
              });
      operator.commitSync(Map.of(partition, new OffsetAndMetadata(resumeAt)));
    }
    awaitCount("subject=" + subject, 3);
    await()
        .atMost(ARRIVAL)
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(security())
                    .get("/audit/verify")
                    .then()
                    .body("intact", equalTo(true))
                    .body("offsetGaps.size()", equalTo(0)));
  }

  private Instant raisedAt(String alert) {
    try {
      return Instant.parse(mapper.readTree(alert).get("raisedAt").asText());
    } catch (Exception e) {
      return Instant.EPOCH;
    }
  }

  /**
   * A consumer in the service's own group, as anyone holding audit-service's Kafka credentials
   * could start (the broker's ACLs let no other principal join the group).
   */
  private KafkaConsumer<String, String> intruder() {
    Properties properties = SharedInfrastructure.kafka().clientProperties("audit-service");
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, "audit-service");
    properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "a-intruder");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
  }

  /** Produces {@code count} events for {@code subject} to one partition; returns their offsets. */
  private List<Long> produceTo(int partition, String subject, int count) throws Exception {
    Properties properties = SharedInfrastructure.kafka().clientProperties("auth-service");
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    List<Long> offsets = new ArrayList<>();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < count; i++) {
        SecurityEvent event = event("auth.logout", subject);
        String value = mapper.writeValueAsString(event);
        offsets.add(
            producer
                .send(
                    new ProducerRecord<>(
                        SecurityEventTopics.SECURITY_EVENTS,
                        partition,
                        event.partitionKey(),
                        value,
                        TestEventKeys.headers(event.source(), value)))
                .get()
                .offset());
      }
    }
    return offsets;
  }

  private double storeRetries() {
    return registry.counter("whispyrkeep.audit.store_retries").count();
  }

  /** Each dead letter's offset is in the ledger as dead-lettered, with the same reason. */
  private static void assertDeadLettersInLedger(List<ConsumerRecord<String, String>> dead)
      throws Exception {
    try (Connection connection = connect();
        java.sql.PreparedStatement skip =
            connection.prepareStatement(
                "SELECT reason FROM audit_offset_skip WHERE kafka_partition = ?"
                    + " AND kafka_offset = ? AND outcome = 'dead_letter'")) {
      for (ConsumerRecord<String, String> record : dead) {
        String source =
            new String(record.headers().lastHeader("x-dlq-source").value(), StandardCharsets.UTF_8);
        String[] at = source.substring(source.lastIndexOf('-') + 1).split("@");
        skip.setInt(1, Integer.parseInt(at[0]));
        skip.setLong(2, Long.parseLong(at[1]));
        try (var result = skip.executeQuery()) {
          assertThat(result.next()).as(source).isTrue();
          assertThat(result.getString(1)).isEqualTo(reason(record));
        }
      }
    }
  }
}
