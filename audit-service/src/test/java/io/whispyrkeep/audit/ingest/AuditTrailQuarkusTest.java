package io.whispyrkeep.audit.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.whispyrkeep.audit.support.RuntimeRoleTestResource;
import io.whispyrkeep.audit.support.TrailFixture;
import io.whispyrkeep.devinfra.keys.TestEventKeys;
import io.whispyrkeep.devinfra.keys.TestTokens;
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

/** From a produced event to a query result, against real Kafka and PostgreSQL. */
@QuarkusTest
@WithTestResource(
    value = RuntimeRoleTestResource.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class AuditTrailQuarkusTest {

  private static final Duration ARRIVAL = Duration.ofSeconds(60);

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Inject ObjectMapper mapper;
  @Inject MeterRegistry registry;

  private static String security() {
    return TestTokens.valid("analyst-1", "audit-service", "security");
  }

  private SecurityEvent event(String type, String subject) {
    return event(type, subject, "user-" + subject);
  }

  private SecurityEvent event(String type, String subject, String actor) {
    return TrailFixture.event(type, subject, actor);
  }

  private void produce(String key, String value) {
    TrailFixture.produce(bootstrapServers, key, value);
  }

  private void produce(SecurityEvent event) throws Exception {
    produce(event.partitionKey(), mapper.writeValueAsString(event));
  }

  private Response query(String parameters) {
    return given().auth().oauth2(security()).get("/audit/events?" + parameters);
  }

  private void awaitCount(String parameters, int count) {
    await()
        .atMost(ARRIVAL)
        .pollInterval(Duration.ofMillis(300))
        .until(() -> query(parameters).jsonPath().getList("items").size() == count);
  }

  @Test
  void producedEvents_storedOnce_queryableNewestFirstWithCursor() throws Exception {
    String subject = "s-" + UUID.randomUUID();
    List<SecurityEvent> events = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      SecurityEvent event = event("auth.login_failure", subject);
      events.add(event);
      produce(event);
      Thread.onSpinWait();
    }
    produce(events.get(0)); // a duplicate, as an outbox relay may send
    awaitCount("subject=" + subject + "&limit=500", 5);

    Response first = query("subject=" + subject + "&limit=2");
    first.then().statusCode(200);
    List<String> seen = new ArrayList<>(first.jsonPath().getList("items.id"));
    String cursor = first.path("nextCursor");
    while (cursor != null) {
      Response next = query("subject=" + subject + "&limit=2&cursor=" + cursor);
      seen.addAll(next.jsonPath().getList("items.id"));
      cursor = next.path("nextCursor");
    }
    List<String> newestFirst =
        events.stream()
            .map(e -> e.id().toString())
            .sorted(java.util.Comparator.reverseOrder())
            .toList();
    assertThat(seen).containsExactlyElementsOf(newestFirst);

    given()
        .auth()
        .oauth2(security())
        .get("/audit/events/" + events.get(2).id())
        .then()
        .statusCode(200)
        .body("subject", equalTo(subject))
        .body("type", equalTo("auth.login_failure"));
    query("type=auth.&subject=" + subject).then().body("items.size()", equalTo(5));
    query("type=keys.&subject=" + subject).then().body("items.size()", equalTo(0));
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
  void endpoints_requireSecurityRole() {
    given().get("/audit/events").then().statusCode(401);
    given()
        .auth()
        .oauth2(TestTokens.valid("player-1", "audit-service", "player"))
        .get("/audit/events")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    given()
        .auth()
        .oauth2(TestTokens.valid("player-1", "audit-service", "player"))
        .get("/audit/verify")
        .then()
        .statusCode(403);
    query("limit=501").then().statusCode(400).contentType("application/problem+json");
    query("severity=PANIC").then().statusCode(400);
    query("from=yesterday").then().statusCode(400);
    query("cursor=!!!").then().statusCode(400);
  }

  @Test
  void appendOnly_updateAndDeleteRefusedByTheDatabase_evenToTheOwner() throws Exception {
    String subject = "append-" + UUID.randomUUID();
    produce(event("auth.logout", subject));
    awaitCount("subject=" + subject, 1);
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      assertRefused(
          statement,
          "append-only",
          List.of(
              "UPDATE audit_event SET actor = 'x' WHERE subject = '" + subject + "'",
              "DELETE FROM audit_event WHERE subject = '" + subject + "'",
              "TRUNCATE audit_event"));
    }
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
    given().get("/q/health/ready").then().statusCode(200);
  }

  @Test
  void recordsTheDatabaseOrJavaTimeRefuses_deadLetteredWithReason_restOfBatchStored()
      throws Exception {
    String key = "poisoned-batch-" + UUID.randomUUID();
    String subject = "around-poison-" + UUID.randomUUID();
    String yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
    List<String> poisons =
        List.of(
            raw(event("auth.login_failure", subject), "subject", "nul\u0000" + subject),
            raw(event("auth.login_failure", subject), "occurredAt", yesterday + " 10:00:00Z"),
            raw(event("auth.login_failure", subject), "occurredAt", yesterday + "T23:59:60Z"));
    List<String> batch = new ArrayList<>();
    batch.add(raw(event("auth.login_failure", subject), "subject", subject));
    batch.addAll(poisons);
    for (int i = 0; i < 3; i++) {
      batch.add(raw(event("auth.login_failure", subject), "subject", subject));
    }
    TrailFixture.produce(bootstrapServers, key, batch.toArray(String[]::new));

    awaitCount("subject=" + subject, 4);
    List<ConsumerRecord<String, String>> dead = deadLetters(key, 3);
    assertThat(dead).hasSize(3);
    assertThat(dead)
        .extracting(AuditTrailQuarkusTest::reason)
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
            raw(event("auth.logout", subject), "subject", subject),
            raw(event("auth.logout", subject), "subject", "refuse-me-" + subject),
            raw(event("auth.logout", subject), "subject", subject));
        awaitCount("subject=" + subject, 2);
        List<ConsumerRecord<String, String>> dead = deadLetters(key, 1);
        assertThat(dead)
            .singleElement()
            .extracting(AuditTrailQuarkusTest::reason)
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
        raw(
            eventAt(
                "auth.login_failure", subject, null, "192.0.2.7", now.plus(Duration.ofDays(365)))),
        raw(
            eventAt(
                "auth.login_failure", subject, null, "192.0.2.7", now.minus(Duration.ofDays(30)))));
    List<ConsumerRecord<String, String>> dead = deadLetters(key, 2);
    assertThat(dead)
        .extracting(AuditTrailQuarkusTest::reason)
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
    List<ConsumerRecord<String, String>> dead = deadLetters(key, 1);
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
    assertThat(storedFor(subject)).isZero();
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

  /** The event's JSON with one field replaced by raw text (bypassing the event factory). */
  private String raw(SecurityEvent event, String field, String value) throws Exception {
    ObjectNode json = (ObjectNode) mapper.readTree(mapper.writeValueAsString(event));
    json.put(field, value);
    return mapper.writeValueAsString(json);
  }

  private String raw(SecurityEvent event) throws Exception {
    return mapper.writeValueAsString(event);
  }

  private List<ConsumerRecord<String, String>> deadLetters(String key, int expected) {
    return SecurityEventReader.read(
        bootstrapServers,
        SecurityEventTopics.SECURITY_EVENTS_DLQ,
        record -> key.equals(record.key()),
        expected,
        ARRIVAL);
  }

  private static String reason(ConsumerRecord<String, String> record) {
    return new String(
        record.headers().lastHeader(AuditChannels.DLQ_REASON_HEADER).value(),
        StandardCharsets.UTF_8);
  }

  private void assertIntact() {
    given()
        .auth()
        .oauth2(security())
        .get("/audit/verify")
        .then()
        .statusCode(200)
        .body("intact", equalTo(true))
        .body("offsetGaps.size()", equalTo(0));
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

  @Test
  void serviceRole_hasNoPrivilegeToChangeOrRemoveTheTrail() throws Exception {
    String subject = "least-" + UUID.randomUUID();
    produce(event("auth.logout", subject));
    awaitCount("subject=" + subject, 1);
    try (Connection connection = TrailFixture.connectAsService();
        Statement statement = connection.createStatement()) {
      assertThat(connection.getMetaData().getUserName()).isEqualTo(RuntimeRoleTestResource.ROLE);
      String partition;
      try (var result =
          statement.executeQuery(
              "SELECT tableoid::regclass::text FROM audit_event WHERE subject = '"
                  + subject
                  + "'")) {
        result.next();
        partition = result.getString(1);
      }
      assertRefused(
          statement,
          "permission denied|must be owner",
          List.of(
              "UPDATE audit_event SET actor = 'x' WHERE subject = '" + subject + "'",
              "DELETE FROM audit_event WHERE subject = '" + subject + "'",
              "TRUNCATE audit_event",
              "UPDATE " + partition + " SET actor = 'x'",
              "DELETE FROM " + partition,
              "DROP TABLE " + partition,
              "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
              "SET session_replication_role = replica",
              "DELETE FROM audit_checkpoint",
              "INSERT INTO audit_chain_anchor VALUES (0, 0, '\\x00', 'x', now())",
              "UPDATE alert SET summary = 'x'"));
    }
  }

  @Test
  void verify_findsAlteredDeletedAndReorderedRows() throws Exception {
    String subject = "chain-" + UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      produce(event("auth.login_failure", subject));
    }
    awaitCount("subject=" + subject, 3);
    given()
        .auth()
        .oauth2(security())
        .get("/audit/verify")
        .then()
        .statusCode(200)
        .body("intact", equalTo(true));

    try (Connection connection = connect();
        Statement sql = connection.createStatement()) {
      // Tampering bypasses the append-only trigger the way a database superuser could.
      sql.execute("SET session_replication_role = replica");
      sql.execute(
          "CREATE TEMP TABLE backup AS SELECT * FROM audit_event WHERE subject = '"
              + subject
              + "'");

      sql.executeUpdate(
          "UPDATE audit_event SET payload = replace(payload, 'bad_credentials', 'ok')"
              + " WHERE subject = '"
              + subject
              + "' AND seq = (SELECT min(seq) FROM backup)");
      assertBroken("content does not match its hash");
      restore(sql, subject);

      sql.executeUpdate(
          "DELETE FROM audit_event WHERE subject = '"
              + subject
              + "' AND seq = (SELECT min(seq) FROM backup)");
      assertBroken(null);
      restore(sql, subject);

      // Reorder: swap the content of two rows (each row then carries the other's hash chain link).
      sql.executeUpdate(
          "UPDATE audit_event e SET payload = b.payload, hash = b.hash, prev_hash = b.prev_hash"
              + " FROM backup b WHERE e.subject = '"
              + subject
              + "' AND b.chain = e.chain"
              + " AND ((e.seq = (SELECT min(seq) FROM backup) AND b.seq = (SELECT max(seq) FROM backup))"
              + " OR (e.seq = (SELECT max(seq) FROM backup) AND b.seq = (SELECT min(seq) FROM backup)))");
      assertBroken(null);
      restore(sql, subject);
    }
    given()
        .auth()
        .oauth2(security())
        .get("/audit/verify")
        .then()
        .statusCode(200)
        .body("intact", equalTo(true));
  }

  @Test
  void verify_searchableColumnChangedToHideAnEvent_reportsTheColumn() throws Exception {
    String subject = "hidden-" + UUID.randomUUID();
    produce(event("auth.role_granted", subject));
    awaitCount("subject=" + subject, 1);
    Map<String, String> tampering = new java.util.LinkedHashMap<>();
    tampering.put("type", "'auth.logout'");
    tampering.put("occurred_at", "e.occurred_at - interval '1 day'");
    tampering.put("actor", "'someone-else'");
    tampering.put("subject", "'someone-else'");
    tampering.put("client_ip", "'198.51.100.77'");
    tampering.put("severity", "'INFO'");
    tampering.put("event_id", "gen_random_uuid()");
    tampering.put("source", "'turn-service'");
    try (Connection connection = connect();
        Statement sql = connection.createStatement()) {
      sql.execute("SET session_replication_role = replica"); // as a database superuser could
      sql.execute(
          "CREATE TEMP TABLE hidden AS SELECT * FROM audit_event WHERE subject = '"
              + subject
              + "'");
      for (Map.Entry<String, String> change : tampering.entrySet()) {
        sql.executeUpdate(
            "UPDATE audit_event e SET "
                + change.getKey()
                + " = "
                + change.getValue()
                + " FROM hidden h WHERE e.chain = h.chain AND e.seq = h.seq");
        Response report = given().auth().oauth2(security()).get("/audit/verify");
        report.then().statusCode(200).body("intact", equalTo(false));
        assertThat((String) report.path("firstBroken.reason"))
            .as(change.getKey())
            .isEqualTo("column " + change.getKey() + " does not match the hashed event");
        sql.executeUpdate(
            "DELETE FROM audit_event e USING hidden h WHERE e.chain = h.chain AND e.seq = h.seq");
        sql.executeUpdate("INSERT INTO audit_event SELECT * FROM hidden");
      }
    }
    given()
        .auth()
        .oauth2(security())
        .get("/audit/verify")
        .then()
        .statusCode(200)
        .body("intact", equalTo(true));
  }

  @Test
  void verify_whileEventsArrive_readsOneConsistentSnapshot() throws Exception {
    String subject = "busy-" + UUID.randomUUID();
    java.util.concurrent.CompletableFuture<Void> producing =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> {
              for (int burst = 0; burst < 5; burst++) {
                try {
                  SecurityEvent[] events = new SecurityEvent[100];
                  for (int i = 0; i < events.length; i++) {
                    events[i] = event("auth.token_refreshed", subject, "user-" + i);
                  }
                  TrailFixture.produce(bootstrapServers, events);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }
            });
    int reports = 0;
    // Verify again and again until every event is stored, so that verifications overlap the
    // ingestion of the whole stream.
    while (storedFor(subject) < 500 || reports < 5) {
      given()
          .auth()
          .oauth2(security())
          .get("/audit/verify")
          .then()
          .log()
          .ifValidationFails()
          .statusCode(200)
          .body("intact", equalTo(true));
      reports++;
    }
    producing.get();
    assertThat(reports).isGreaterThanOrEqualTo(5);
  }

  @Test
  void export_streamsNdjsonAndCsv_withFormulaCellsNeutralised() throws Exception {
    String subject = "@cmd-" + UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      produce(event("auth.logout", subject));
    }
    awaitCount("subject=" + subject, 3);

    Response ndjson =
        given().auth().oauth2(security()).get("/audit/events/export?subject=" + subject);
    ndjson
        .then()
        .statusCode(200)
        .contentType(org.hamcrest.Matchers.startsWith("application/x-ndjson"));
    List<String> lines = ndjson.asString().lines().toList();
    assertThat(lines).hasSize(3);
    for (String line : lines) {
      assertThat(mapper.readTree(line).get("subject").asText()).isEqualTo(subject);
    }

    Response csv =
        given().auth().oauth2(security()).get("/audit/events/export?format=csv&subject=" + subject);
    csv.then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/csv"));
    List<String> rows = csv.asString().lines().toList();
    assertThat(rows).hasSize(4);
    assertThat(rows.get(0)).startsWith("id,occurredAt,type");
    assertThat(rows.get(1)).contains("\"'" + subject + "\"").contains("\"auth.logout\"");

    query("limit=1").then().statusCode(200);
    given()
        .auth()
        .oauth2(security())
        .get("/audit/events/export?format=xml")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    given()
        .auth()
        .oauth2(TestTokens.valid("player-1", "audit-service", "player"))
        .get("/audit/events/export")
        .then()
        .statusCode(403);
  }

  @Test
  void export_honoursAcceptHeader_formatOrAccept_unacceptableGets406Problem() throws Exception {
    String subject = "accept-" + UUID.randomUUID();
    for (int i = 0; i < 2; i++) {
      produce(event("auth.logout", subject));
    }
    awaitCount("subject=" + subject, 2);
    String path = "/audit/events/export?subject=" + subject;

    Response ndjson = given().auth().oauth2(security()).accept("application/x-ndjson").get(path);
    ndjson
        .then()
        .statusCode(200)
        .contentType(org.hamcrest.Matchers.startsWith("application/x-ndjson"));
    assertThat(ndjson.asString().lines()).hasSize(2);
    Response csv = given().auth().oauth2(security()).accept("text/csv").get(path);
    csv.then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/csv"));
    assertThat(csv.asString().lines()).hasSize(3).first().asString().startsWith("id,");
    given()
        .auth()
        .oauth2(security())
        .accept("text/csv;q=0.5, application/x-ndjson")
        .get(path)
        .then()
        .statusCode(200)
        .contentType(org.hamcrest.Matchers.startsWith("application/x-ndjson"));
    given()
        .auth()
        .oauth2(security())
        .accept("text/*")
        .get(path + "&format=csv")
        .then()
        .statusCode(200)
        .contentType(org.hamcrest.Matchers.startsWith("text/csv"));
    for (String[] refused :
        new String[][] {{"application/xml", ""}, {"application/x-ndjson", "&format=csv"}}) {
      given()
          .auth()
          .oauth2(security())
          .accept(refused[0])
          .get(path + refused[1])
          .then()
          .statusCode(406)
          .contentType("application/problem+json")
          .body("type", org.hamcrest.Matchers.endsWith("/not-acceptable"));
    }
  }

  @Test
  void export_slowReadersBeyondTheCap_refused503WithRetryAfter_queriesStillAnswer()
      throws Exception {
    String subject = "bulk-" + UUID.randomUUID();
    List<SecurityEvent> bulk = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      SecurityEvent base = event("auth.logout", subject);
      bulk.add(
          new SecurityEvent(
              base.version(),
              base.id(),
              base.type(),
              base.occurredAt(),
              base.source(),
              base.actor(),
              subject,
              base.clientIp(),
              base.userAgent(),
              base.requestId(),
              base.severity(),
              Map.of("reason", "x".repeat(5000))));
    }
    try (Connection owner = connect()) {
      // About 10 MB that no reader below takes: each export stays open, holding its slot.
      TrailFixture.appendChain(
          owner, 998, bulk, java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC));
    }
    String request =
        "GET /audit/events/export?subject="
            + subject
            + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
            + security()
            + "\r\n\r\n";
    List<java.net.Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) { // the default cap
        java.net.Socket reader = new java.net.Socket();
        reader.setReceiveBufferSize(4096);
        reader.connect(
            new java.net.InetSocketAddress("localhost", io.restassured.RestAssured.port));
        stalled.add(reader);
        reader.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        reader.getOutputStream().flush();
        assertThat(statusLine(reader)).contains(" 200 ");
      }
      given()
          .auth()
          .oauth2(security())
          .get("/audit/events/export?subject=" + subject)
          .then()
          .statusCode(503)
          .contentType("application/problem+json")
          .header("Retry-After", org.hamcrest.Matchers.notNullValue())
          .body("type", org.hamcrest.Matchers.endsWith("/service-unavailable"));
      query("subject=" + subject + "&limit=1")
          .then()
          .statusCode(200)
          .body("items.size()", equalTo(1));
    } finally {
      for (java.net.Socket reader : stalled) {
        reader.close();
      }
    }
    // The readers went away: their slots are free again.
    await()
        .atMost(ARRIVAL)
        .until(
            () ->
                given()
                        .auth()
                        .oauth2(security())
                        .get("/audit/events/export?subject=none-" + UUID.randomUUID())
                        .statusCode()
                    == 200);
  }

  private static String statusLine(java.net.Socket socket) throws Exception {
    socket.setSoTimeout(60_000);
    StringBuilder line = new StringBuilder();
    java.io.InputStream in = socket.getInputStream();
    for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
      line.append((char) b);
    }
    return line.toString();
  }

  @Test
  void queried_recordsEveryFilterTheCursorAndTheLimit() throws Exception {
    String marker = "marker-" + UUID.randomUUID();
    String cursor = query("limit=1").then().statusCode(200).extract().path("nextCursor").toString();
    query(
            "type=auth.&actor=a-"
                + marker
                + "&subject=s-"
                + marker
                + "&ip=192.0.2.1&severity=notice&from=2026-01-01T00:00:00Z"
                + "&to=2100-01-01T00:00:00Z&q="
                + marker
                + "&limit=7&cursor="
                + cursor)
        .then()
        .statusCode(200);
    await()
        .atMost(ARRIVAL)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () ->
                query("type=audit.queried&actor=analyst-1&q=s-" + marker)
                        .jsonPath()
                        .getList("items")
                        .size()
                    >= 1);
    Map<String, Object> details =
        query("type=audit.queried&actor=analyst-1&q=s-" + marker)
            .jsonPath()
            .getMap("items.find { it.details.subject == 's-" + marker + "' }.details");
    assertThat(details)
        .containsEntry("query", "events")
        .containsEntry("type", "auth.")
        .containsEntry("actor", "a-" + marker)
        .containsEntry("subject", "s-" + marker)
        .containsEntry("ip", "192.0.2.1")
        .containsEntry("severity", "NOTICE")
        .containsEntry("from", "2026-01-01T00:00:00Z")
        .containsEntry("to", "2100-01-01T00:00:00Z")
        .containsEntry("q", marker)
        .containsEntry("limit", "7")
        .containsEntry("cursor", cursor);
  }

  private List<Map<String, Object>> alertsFor(String group) {
    return given()
        .auth()
        .oauth2(security())
        .get("/audit/alerts?limit=500")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .<Map<String, Object>>getList("")
        .stream()
        .filter(alert -> group.equals(alert.get("group")))
        .toList();
  }

  @Test
  void failedLoginsForOneAccount_oneAlertStoredPublishedAndAcknowledged() throws Exception {
    String subject = "victim-" + UUID.randomUUID();
    for (int i = 0; i < 7; i++) {
      produce(event("auth.login_failure", subject));
    }
    awaitCount("subject=" + subject, 7);
    await().atMost(ARRIVAL).until(() -> !alertsFor(subject).isEmpty());
    List<Map<String, Object>> alerts = alertsFor(subject);
    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0))
        .containsEntry("rule", "failed-logins-account")
        .containsEntry("hits", 5);

    List<ConsumerRecord<String, String>> published =
        SecurityEventReader.read(
            bootstrapServers,
            SecurityEventTopics.SECURITY_ALERTS,
            r -> subject.equals(r.key()),
            1,
            ARRIVAL);
    assertThat(published).hasSize(1);
    assertThat(published.get(0).value()).contains("failed-logins-account");

    String id = (String) alerts.get(0).get("id");
    given().auth().oauth2(security()).post("/audit/alerts/" + id + "/ack").then().statusCode(204);
    assertThat(alertsFor(subject).get(0).get("acknowledgedBy")).isEqualTo("analyst-1");
    given()
        .auth()
        .oauth2(security())
        .post("/audit/alerts/" + UUID.randomUUID() + "/ack")
        .then()
        .statusCode(404);
    given()
        .auth()
        .oauth2(TestTokens.valid("player-1", "audit-service", "player"))
        .get("/audit/alerts")
        .then()
        .statusCode(403);
  }

  @Test
  void acknowledge_alertAboutTheCaller_refused403_someoneElseMay() throws Exception {
    String promoted = "promoted-" + UUID.randomUUID();
    String granter = "granter-" + UUID.randomUUID();
    produce(event("auth.role_granted", promoted, granter));
    await().atMost(ARRIVAL).until(() -> !alertsFor(promoted).isEmpty());
    String id = (String) alertsFor(promoted).get(0).get("id");

    // The account the alert is about (its group and subject), and whoever granted the role.
    for (String caller : List.of(promoted, granter)) {
      given()
          .auth()
          .oauth2(TestTokens.valid(caller, "audit-service", "security"))
          .post("/audit/alerts/" + id + "/ack")
          .then()
          .statusCode(403)
          .contentType("application/problem+json")
          .body("type", org.hamcrest.Matchers.endsWith("/forbidden"));
    }
    assertThat(alertsFor(promoted).get(0).get("acknowledgedAt")).isNull();
    given().auth().oauth2(security()).post("/audit/alerts/" + id + "/ack").then().statusCode(204);
    assertThat(alertsFor(promoted).get(0).get("acknowledgedBy")).isEqualTo("analyst-1");
  }

  @Test
  void acknowledge_auditRecordCannotBeWritten_alertStaysOpen() throws Exception {
    String reused = "ack-tx-" + UUID.randomUUID();
    produce(event("auth.refresh_reuse_detected", reused));
    await().atMost(ARRIVAL).until(() -> !alertsFor(reused).isEmpty());
    String id = (String) alertsFor(reused).get(0).get("id");
    try (Connection connection = connect();
        Statement owner = connection.createStatement()) {
      // The acknowledgement's audit record cannot be written (as if its insert failed).
      owner.execute("REVOKE INSERT ON outbox FROM " + RuntimeRoleTestResource.ROLE);
      try {
        given()
            .auth()
            .oauth2(security())
            .post("/audit/alerts/" + id + "/ack")
            .then()
            .statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(500))
            .contentType("application/problem+json");
      } finally {
        owner.execute("GRANT INSERT ON outbox TO " + RuntimeRoleTestResource.ROLE);
      }
    }
    assertThat(alertsFor(reused).get(0).get("acknowledgedAt"))
        .as("no acknowledgement without its audit record")
        .isNull();
    given().auth().oauth2(security()).post("/audit/alerts/" + id + "/ack").then().statusCode(204);
    assertThat(alertsFor(reused).get(0).get("acknowledgedBy")).isEqualTo("analyst-1");
  }

  /** An event from a given address at a given time (alert windows follow event time). */
  private static SecurityEvent eventAt(
      String type, String subject, String actor, String address, Instant occurredAt) {
    SecurityEvent base = TrailFixture.event(type, subject, actor);
    return new SecurityEvent(
        base.version(),
        base.id(),
        type,
        occurredAt,
        base.source(),
        actor,
        subject,
        address,
        base.userAgent(),
        base.requestId(),
        base.severity(),
        base.details());
  }

  @Test
  void failedLoginsFromOneAddress_andRejectedPatchBurst_raiseAlerts_spreadOrFewDoNot()
      throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    String address = "192.0.2." + (1 + new java.util.Random().nextInt(250));
    // Five accounts tried from one address: the per-address rule fires, no per-account one does.
    for (int i = 0; i < 5; i++) {
      produce(eventAt("auth.login_failure", "spray-" + UUID.randomUUID(), null, address, now));
    }
    // Four failures for one account: below the threshold.
    String fewFailures = "few-" + UUID.randomUUID();
    for (int i = 0; i < 4; i++) {
      produce(eventAt("auth.login_failure", fewFailures, null, "198.51.100." + i, now));
    }
    // Six failures for one account, eleven minutes apart: never five within ten minutes.
    String spread = "spread-" + UUID.randomUUID();
    for (int i = 0; i < 6; i++) {
      produce(
          eventAt(
              "auth.login_failure",
              spread,
              null,
              "198.18.0." + i,
              now.minus(Duration.ofMinutes(11L * (6 - i)))));
    }
    // Ten rejected patches by one player within five minutes, in the order they happened.
    String player = "player-" + UUID.randomUUID();
    for (int i = 0; i < 10; i++) {
      produce(
          eventAt(
              "turn.patch_rejected",
              "campaign-1",
              player,
              "203.0.113.50",
              now.minusSeconds(10L * (9 - i))));
    }
    awaitCount("actor=" + player, 10);
    awaitCount("subject=" + spread, 6);
    await().atMost(ARRIVAL).until(() -> !alertsFor(address).isEmpty());
    await().atMost(ARRIVAL).until(() -> !alertsFor(player).isEmpty());
    assertThat(alertsFor(address))
        .singleElement()
        .satisfies(alert -> assertThat(alert).containsEntry("rule", "failed-logins-ip"));
    assertThat(alertsFor(player))
        .singleElement()
        .satisfies(
            alert ->
                assertThat(alert)
                    .containsEntry("rule", "rejected-patch-burst")
                    .containsEntry("hits", 10));
    assertThat(alertsFor(fewFailures)).isEmpty();
    assertThat(alertsFor(spread)).isEmpty();
  }

  @Test
  void reuseRoleGrantAndNewDecryptingService_eachRaiseAnAlert() throws Exception {
    String reused = "reuse-" + UUID.randomUUID();
    String promoted = "promoted-" + UUID.randomUUID();
    String key = "key-" + UUID.randomUUID();
    produce(event("auth.refresh_reuse_detected", reused));
    produce(event("auth.role_granted", promoted));
    produce(event("keys.decrypted", key, "turn-service"));
    produce(event("keys.decrypted", key, "turn-service"));
    produce(event("keys.decrypted", key, "unknown-service"));
    awaitCount("subject=" + key, 3);
    await().atMost(ARRIVAL).until(() -> alertsFor(key).size() == 2);
    assertThat(alertsFor(reused)).extracting(a -> a.get("rule")).containsExactly("refresh-reuse");
    assertThat(alertsFor(promoted))
        .extracting(a -> a.get("rule"))
        .containsExactly("privilege-change");
    assertThat(alertsFor(key))
        .extracting(a -> a.get("summary").toString())
        .anyMatch(summary -> summary.contains("unknown-service"))
        .anyMatch(summary -> summary.contains("turn-service"));
  }

  private void assertBroken(String reason) {
    Response report = given().auth().oauth2(security()).get("/audit/verify");
    report.then().statusCode(200).body("intact", equalTo(false));
    if (reason != null) {
      assertThat((String) report.path("firstBroken.reason")).isEqualTo(reason);
    }
  }

  private static void restore(Statement sql, String subject) throws Exception {
    sql.executeUpdate("DELETE FROM audit_event WHERE subject = '" + subject + "'");
    sql.executeUpdate("INSERT INTO audit_event SELECT * FROM backup");
  }

  private double storeRetries() {
    return registry.counter("whispyrkeep.audit.store_retries").count();
  }

  private static long storedFor(String subject) throws Exception {
    try (Connection connection = connect();
        java.sql.PreparedStatement count =
            connection.prepareStatement("SELECT count(*) FROM audit_event WHERE subject = ?")) {
      count.setString(1, subject);
      try (var result = count.executeQuery()) {
        result.next();
        return result.getLong(1);
      }
    }
  }

  /** Each statement fails with a message matching {@code refusal}. */
  private static void assertRefused(Statement statement, String refusal, List<String> changes) {
    for (String change : changes) {
      assertThat(catchThrowable(() -> statement.execute(change)))
          .as(change)
          .hasMessageMatching("(?s).*(" + refusal + ").*");
    }
  }

  private static Connection connect() throws Exception {
    return TrailFixture.connect();
  }
}
