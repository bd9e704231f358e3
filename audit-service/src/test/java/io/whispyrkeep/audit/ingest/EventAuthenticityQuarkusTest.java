package io.whispyrkeep.audit.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.whispyrkeep.audit.support.AuditApi;
import io.whispyrkeep.audit.support.RuntimeRoleTestResource;
import io.whispyrkeep.audit.support.TrailFixture;
import io.whispyrkeep.devinfra.keys.TestEventKeys;
import io.whispyrkeep.devinfra.keys.TestTokens;
import io.whispyrkeep.platform.event.SecurityEvent;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Only events signed by a key of their own source enter the trail, against real Kafka and
 * PostgreSQL: forged, unsigned and altered records are dead-lettered with the reason, and a stored
 * event's signature is re-checked by verify. Shares its application with the classes of the same
 * resources (see {@link RuntimeRoleTestResource}).
 */
@QuarkusTest
@WithTestResource(
    value = RuntimeRoleTestResource.class,
    scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class EventAuthenticityQuarkusTest {

  private static final Duration ARRIVAL = Duration.ofSeconds(60);

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  private static String security() {
    return TestTokens.valid("analyst-9", "audit-service", "security");
  }

  /** An auth-service event whose subject names the test, and its JSON text. */
  private static SecurityEvent event(String subject) {
    return TrailFixture.event("auth.login_failure", subject, "user-" + subject);
  }

  private static SecurityEvent withSource(SecurityEvent base, String source) {
    return new SecurityEvent(
        base.version(),
        base.id(),
        base.type(),
        base.occurredAt(),
        source,
        base.actor(),
        base.subject(),
        base.clientIp(),
        base.userAgent(),
        base.requestId(),
        base.severity(),
        base.details());
  }

  /** Sends a forged record and the reason it was dead-lettered with; asserts nothing was stored. */
  private String deadLetterReason(String subject, String value, Headers headers) throws Exception {
    String key = "forged-" + UUID.randomUUID();
    TrailFixture.produceForged(bootstrapServers, key, value, headers);
    // A correctly signed event sent after it is stored: the forged one was consumed before it.
    String after = "after-" + UUID.randomUUID();
    TrailFixture.produce(bootstrapServers, event(after));
    await().atMost(ARRIVAL).until(() -> stored(after) == 1);
    ConsumerRecord<String, String> dead = TrailFixture.deadLetters(bootstrapServers, key, 1).get(0);
    assertThat(dead.value()).isEqualTo(value);
    assertThat(stored(subject)).as("stored events of " + subject).isZero();
    return TrailFixture.reason(dead);
  }

  @Test
  void authKeyClaimingAnotherSource_deadLetteredNotStored() throws Exception {
    String subject = "spoof-" + UUID.randomUUID();
    String value = TrailFixture.json(withSource(event(subject), "keyvault-service"));

    String reason = deadLetterReason(subject, value, TestEventKeys.headers("auth-service", value));

    assertThat(reason).contains("trusted for auth-service, not for the claimed source");
  }

  /**
   * A forged event is never silent: its dead letter is itself recorded in the trail (as
   * audit-service's own, authentic, event naming the record's partition and offset) and raises the
   * {@code dead-letters} alert the security team sees.
   */
  @Test
  void forgedEvent_recordedInTheTrailAndAlerted() throws Exception {
    String subject = "forged-alert-" + UUID.randomUUID();
    String value = TrailFixture.json(withSource(event(subject), "turn-service"));
    String key = "forged-" + UUID.randomUUID();
    TrailFixture.produceForged(
        bootstrapServers, key, value, TestEventKeys.headers("stranger", value));
    ConsumerRecord<String, String> dead = TrailFixture.deadLetters(bootstrapServers, key, 1).get(0);
    String source =
        new String(dead.headers().lastHeader("x-dlq-source").value(), StandardCharsets.UTF_8);

    AuditApi.awaitCount("type=audit.dead_letter&subject=" + source, 1);
    await().atMost(ARRIVAL).until(() -> AuditApi.anyAlertOf("dead-letters"));
    assertThat(stored(subject)).isZero();
  }

  /**
   * An id is claimed by the first event stored with it: a later event with the same id but other
   * content is not dropped as a redelivery but dead-lettered (and so alerted).
   */
  @Test
  void sameIdOtherContent_deadLetteredNotTakenForARedelivery() throws Exception {
    String subject = "first-" + UUID.randomUUID();
    SecurityEvent first = event(subject);
    TrailFixture.produce(bootstrapServers, first);
    await().atMost(ARRIVAL).until(() -> stored(subject) == 1);
    String otherSubject = "claimed-" + UUID.randomUUID();
    SecurityEvent other =
        new SecurityEvent(
            first.version(),
            first.id(),
            first.type(),
            first.occurredAt(),
            first.source(),
            first.actor(),
            otherSubject,
            first.clientIp(),
            first.userAgent(),
            first.requestId(),
            first.severity(),
            first.details());
    String value = TrailFixture.json(other);

    String reason =
        deadLetterReason(otherSubject, value, TestEventKeys.headers("auth-service", value));

    assertThat(reason).isEqualTo("event id already stored with different content");
    assertThat(stored(subject)).isEqualTo(1);
  }

  /** A correctly signed event of a type its source does not publish is refused like a forgery. */
  @Test
  void typeOutsideItsSourcesNamespace_deadLetteredNotStored() throws Exception {
    String subject = "namespace-" + UUID.randomUUID();
    String value = TrailFixture.json(TrailFixture.event("turn.patch_rejected", subject, "x"));

    String reason = deadLetterReason(subject, value, TestEventKeys.headers("auth-service", value));

    assertThat(reason).startsWith("type is not one auth-service may publish");
  }

  @Test
  void signedByUnknownKey_deadLetteredNotStored() throws Exception {
    String subject = "stranger-" + UUID.randomUUID();
    String value = TrailFixture.json(event(subject));

    String reason = deadLetterReason(subject, value, TestEventKeys.headers("stranger", value));

    assertThat(reason).contains("unknown key " + TestEventKeys.keyId("stranger"));
  }

  @Test
  void unsignedRecord_deadLetteredNotStored() throws Exception {
    String subject = "unsigned-" + UUID.randomUUID();
    String value = TrailFixture.json(event(subject));

    String reason = deadLetterReason(subject, value, TestEventKeys.rawHeaders(null, null));

    assertThat(reason).startsWith("unsigned");
  }

  @Test
  void payloadAlteredAfterSigning_deadLetteredNotStored() throws Exception {
    String subject = "altered-" + UUID.randomUUID();
    String signed = TrailFixture.json(event(subject));
    Headers headers = TestEventKeys.headers("auth-service", signed);
    String altered = signed.replace("bad_credentials", "password_ok____");

    String reason = deadLetterReason(subject, altered, headers);

    assertThat(reason).startsWith("signature does not match the payload");
  }

  @Test
  void malformedOrDuplicatedSignatureHeaders_deadLetteredNotStored() throws Exception {
    String subject = "headers-" + UUID.randomUUID();
    String value = TrailFixture.json(event(subject));
    Headers twice = TestEventKeys.headers("auth-service", value);
    twice.add(
        TestEventKeys.SIGNATURE_HEADER,
        Base64.getEncoder().encode(TestEventKeys.sign("auth-service", "{}".getBytes())));

    assertThat(deadLetterReason(subject, value, twice)).contains("more than one");
    assertThat(
            deadLetterReason(
                subject,
                value,
                TestEventKeys.rawHeaders(TestEventKeys.keyId("auth-service"), "x".repeat(10_000))))
        .isEqualTo("malformed signature");
    assertThat(deadLetterReason(subject, value, TestEventKeys.rawHeaders("../\r\nkid", "AAAA")))
        .isEqualTo("malformed key id");
  }

  @Test
  void signedEvent_storedWithItsSignature_verifyRechecksIt() throws Exception {
    String subject = "signed-" + UUID.randomUUID();
    SecurityEvent event = event(subject);
    TrailFixture.produce(bootstrapServers, event);
    await().atMost(ARRIVAL).until(() -> stored(subject) == 1);
    try (Connection connection = TrailFixture.connect();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT signing_key_id, signature, signed_payload FROM audit_event"
                    + " WHERE subject = ?")) {
      select.setString(1, subject);
      try (ResultSet row = select.executeQuery()) {
        assertThat(row.next()).isTrue();
        assertThat(row.getString("signing_key_id")).isEqualTo(TestEventKeys.keyId("auth-service"));
        assertThat(row.getBytes("signature")).hasSize(64);
      }
    }
    verify().then().statusCode(200).body("intact", equalTo(true));

    try (Connection connection = TrailFixture.connect();
        Statement sql = connection.createStatement()) {
      // As a database superuser could: past the append-only trigger.
      sql.execute("SET session_replication_role = replica");
      String row = " WHERE subject = '" + subject + "'";
      sql.execute("CREATE TEMP TABLE signed_backup AS SELECT * FROM audit_event" + row);

      sql.executeUpdate(
          "UPDATE audit_event SET signature = set_byte(signature, 0, get_byte(signature, 0) # 1)"
              + row);
      assertBroken(subject, "event signature does not match its content");

      restore(sql, subject);
      sql.executeUpdate("UPDATE audit_event SET signature = NULL, signing_key_id = NULL" + row);
      assertBroken(subject, "event has no signature");

      restore(sql, subject);
      sql.executeUpdate(
          "UPDATE audit_event SET signing_key_id = '"
              + TestEventKeys.keyId(TestEventKeys.SERVICE_UNDER_TEST)
              + "'"
              + row);
      assertBroken(subject, "event is signed by a key of another source");

      restore(sql, subject);
      sql.executeUpdate(
          "UPDATE audit_event SET signed_payload = replace(coalesce(signed_payload, payload),"
              + " 'bad_credentials', 'ok')"
              + row);
      assertBroken(subject, "content differs from its signed payload");

      restore(sql, subject);
    }
    verify().then().statusCode(200).body("intact", equalTo(true));
  }

  private static void restore(Statement sql, String subject) throws Exception {
    sql.executeUpdate("DELETE FROM audit_event WHERE subject = '" + subject + "'");
    sql.executeUpdate("INSERT INTO audit_event SELECT * FROM signed_backup");
  }

  private static Response verify() {
    return given().auth().oauth2(security()).get("/audit/verify");
  }

  private static void assertBroken(String subject, String reason) {
    Response report = verify();
    report.then().statusCode(200).body("intact", equalTo(false));
    if (reason != null) {
      assertThat((String) report.path("firstBroken.reason")).isEqualTo(reason);
    }
  }

  private static long stored(String subject) throws Exception {
    try (Connection connection = TrailFixture.connect();
        PreparedStatement count =
            connection.prepareStatement("SELECT count(*) FROM audit_event WHERE subject = ?")) {
      count.setString(1, subject);
      try (ResultSet result = count.executeQuery()) {
        result.next();
        return result.getLong(1);
      }
    }
  }
}
