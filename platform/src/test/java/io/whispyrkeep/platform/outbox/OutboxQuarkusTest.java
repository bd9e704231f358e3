package io.whispyrkeep.platform.outbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.devinfra.kafka.KafkaBrokerProcess;
import io.whispyrkeep.devinfra.keys.TestEventKeys;
import io.whispyrkeep.devinfra.keys.TestTokens;
import io.whispyrkeep.platform.crypto.Ed25519KeyFiles;
import io.whispyrkeep.platform.event.EventSignature;
import io.whispyrkeep.platform.event.SecurityEventSchema;
import io.whispyrkeep.platform.event.SecurityEventTopics;
import io.whispyrkeep.platform.testapp.WidgetResource;
import io.whispyrkeep.testsupport.SharedInfrastructure;
import io.whispyrkeep.testsupport.kafka.SecurityEventReader;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The transactional outbox against real PostgreSQL and a real Kafka broker. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
// The platform's test application publishes with the rights of a service that uses the platform.
@WithTestResource(
    value = KafkaTestResource.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS,
    initArgs = @ResourceArg(name = KafkaTestResource.PRINCIPAL, value = "auth-service"))
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class OutboxQuarkusTest {

  private static final Duration ARRIVAL = Duration.ofSeconds(60);
  private static final SecurityEventSchema SCHEMA = SecurityEventSchema.load();

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Inject ObjectMapper mapper;
  @Inject OutboxRelay relay;

  private static String token() {
    return TestTokens.valid("player-7", "platform-test", "player");
  }

  private static void createWidget(String name, int expectedStatus) {
    given()
        .auth()
        .oauth2(token())
        .contentType(ContentType.JSON)
        .body("{\"name\":\"" + name + "\"}")
        .post("/widgets")
        .then()
        .statusCode(expectedStatus);
  }

  private List<ConsumerRecord<String, String>> eventsFor(Set<String> subjects, int expected) {
    return SecurityEventReader.read(
        bootstrapServers,
        SecurityEventTopics.SECURITY_EVENTS,
        record -> subjects.contains(subject(record)),
        expected,
        ARRIVAL);
  }

  private String subject(ConsumerRecord<String, String> record) {
    try {
      JsonNode subject = mapper.readTree(record.value()).get("subject");
      return subject == null ? null : subject.asText();
    } catch (Exception e) {
      return null;
    }
  }

  @Test
  void committedChange_eventPublishedOnceValidAndKeyedByActor() throws Exception {
    String name = "w-" + UUID.randomUUID();
    createWidget(name, 200);

    List<ConsumerRecord<String, String>> records = eventsFor(Set.of(name), 1);

    assertThat(records).hasSize(1);
    ConsumerRecord<String, String> record = records.get(0);
    assertThat(record.key()).isEqualTo("player-7");
    JsonNode event = mapper.readTree(record.value());
    assertThat(SCHEMA.validate(event)).isEmpty();
    assertThat(event.get("type").asText()).isEqualTo("test.widget_created");
    assertThat(event.get("source").asText()).isEqualTo("platform-test");
    assertThat(event.get("actor").asText()).isEqualTo("player-7");
    assertThat(event.get("requestId").asText()).isNotBlank();
    assertThat(event.get("clientIp").asText()).isNotBlank();
    assertThat(event.get("details").get("password").asText()).isEqualTo("[REDACTED]");
    assertThat(record.value()).doesNotContain("should-never-appear");
  }

  /**
   * A trace follows the request through the outbox into Kafka: the record carries a {@code
   * traceparent} in the caller's trace (here started by the client, as the front door would), so a
   * consumer's span joins the same trace. The signed value is untouched by it.
   */
  @Test
  void tracedRequest_eventCarriesTheRequestsTraceIntoKafka() throws Exception {
    String traceId = UUID.randomUUID().toString().replace("-", "");
    String name = "traced-" + UUID.randomUUID();
    given()
        .auth()
        .oauth2(token())
        .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
        .contentType(ContentType.JSON)
        .body("{\"name\":\"" + name + "\"}")
        .post("/widgets")
        .then()
        .statusCode(200);

    ConsumerRecord<String, String> record = eventsFor(Set.of(name), 1).get(0);

    Header traceParent = record.headers().lastHeader("traceparent");
    assertThat(traceParent).as("traceparent header").isNotNull();
    String value = new String(traceParent.value(), StandardCharsets.US_ASCII);
    assertThat(value).matches("00-" + traceId + "-[0-9a-f]{16}-01");
    assertThat(record.value()).doesNotContain(traceId);
  }

  @Test
  void committedChange_recordSignedWithTheServiceKeyOverItsExactValue() throws Exception {
    String name = "signed-" + UUID.randomUUID();
    createWidget(name, 200);

    ConsumerRecord<String, String> record = eventsFor(Set.of(name), 1).get(0);

    Header keyId = record.headers().lastHeader(EventSignature.KEY_ID_HEADER);
    Header signature = record.headers().lastHeader(EventSignature.SIGNATURE_HEADER);
    assertThat(keyId).as("key id header").isNotNull();
    assertThat(signature).as("signature header").isNotNull();
    assertThat(new String(keyId.value(), StandardCharsets.US_ASCII))
        .isEqualTo(TestEventKeys.keyId(TestEventKeys.SERVICE_UNDER_TEST));
    PublicKey publicKey =
        Ed25519KeyFiles.loadPublic(TestEventKeys.publicKeyFile(TestEventKeys.SERVICE_UNDER_TEST));
    assertThat(
            EventSignature.isValid(
                publicKey,
                record.value().getBytes(StandardCharsets.UTF_8),
                Base64.getDecoder().decode(signature.value())))
        .isTrue();
  }

  @Test
  void oneTransactionManyEvents_arriveInTheOrderWritten() {
    String name = "batch-" + UUID.randomUUID();
    List<String> written =
        IntStream.range(0, WidgetResource.BATCH_SIZE).mapToObj(i -> name + "-" + i).toList();
    given()
        .auth()
        .oauth2(token())
        .contentType(ContentType.JSON)
        .body("{\"name\":\"" + name + "\"}")
        .post("/widgets/batch")
        .then()
        .statusCode(204);

    // One actor, so one key and one partition: the topic keeps the relay's order.
    List<ConsumerRecord<String, String>> records = eventsFor(Set.copyOf(written), written.size());

    assertThat(records).extracting(this::subject).containsExactlyElementsOf(written);
  }

  @Test
  void rolledBackChange_noEventPublished() {
    String failed = "rolled-back-" + UUID.randomUUID();
    String committed = "committed-" + UUID.randomUUID();
    given()
        .auth()
        .oauth2(token())
        .contentType(ContentType.JSON)
        .body("{\"name\":\"" + failed + "\"}")
        .post("/widgets/failing")
        .then()
        .statusCode(500);
    createWidget(committed, 200);

    // The later, committed event arrives; the rolled-back one never does.
    List<ConsumerRecord<String, String>> records = eventsFor(Set.of(failed, committed), 1);

    assertThat(records).extracting(this::subject).containsExactly(committed);
  }

  @Test
  void kafkaDown_actionsSucceed_everyEventArrivesAfterRestart() {
    KafkaBrokerProcess broker =
        SharedInfrastructure.runningKafka().flatMap(server -> server.restartable()).orElse(null);
    assumeTrue(broker != null, "needs a broker this JVM can stop (the child-JVM broker)");
    List<String> names =
        IntStream.range(0, 10).mapToObj(i -> "down-" + i + "-" + UUID.randomUUID()).toList();

    broker.stop();
    try {
      names.forEach(name -> createWidget(name, 200));
    } finally {
      broker.start();
    }

    List<ConsumerRecord<String, String>> records = eventsFor(Set.copyOf(names), names.size());
    assertThat(records.stream().map(this::subject).collect(Collectors.toSet()))
        .containsExactlyInAnyOrderElementsOf(names);
  }

  @Test
  void relaysSideBySide_eachEventClaimedByOneRelayOnly() {
    // Pending rows are created while the scheduled relay is also running: three relays compete.
    List<String> names =
        IntStream.range(0, 30).mapToObj(i -> "race-" + i + "-" + UUID.randomUUID()).toList();
    names.forEach(name -> createWidget(name, 200));

    List<Integer> sentByEach =
        Uni.join()
            .all(relay.relayOnce(), relay.relayOnce())
            .andCollectFailures()
            .await()
            .atMost(Duration.ofSeconds(30));

    List<ConsumerRecord<String, String>> records = eventsFor(Set.copyOf(names), names.size());
    assertThat(sentByEach).allMatch(sent -> sent >= 0);
    assertThat(records).extracting(this::subject).doesNotHaveDuplicates();
    assertThat(records).hasSize(names.size());
  }
}
