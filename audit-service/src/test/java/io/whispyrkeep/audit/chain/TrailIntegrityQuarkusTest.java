package io.whispyrkeep.audit.chain;

import static io.restassured.RestAssured.given;
import static io.whispyrkeep.audit.support.AuditApi.assertBroken;
import static io.whispyrkeep.audit.support.AuditApi.awaitCount;
import static io.whispyrkeep.audit.support.AuditApi.security;
import static io.whispyrkeep.audit.support.TrailFixture.connect;
import static io.whispyrkeep.audit.support.TrailFixture.event;
import static io.whispyrkeep.audit.support.TrailFixture.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.whispyrkeep.audit.support.RuntimeRoleTestResource;
import io.whispyrkeep.audit.support.TrailFixture;
import io.whispyrkeep.platform.event.SecurityEvent;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The trail cannot be changed unseen: append-only for everyone, and verify finds what was changed.
 * Against real Kafka and PostgreSQL, in the application shared by the classes with the same
 * resources (see {@link RuntimeRoleTestResource}).
 */
@QuarkusTest
@WithTestResource(
    value = RuntimeRoleTestResource.class,
    scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class TrailIntegrityQuarkusTest {

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  private void produce(SecurityEvent event) throws Exception {
    TrailFixture.produce(bootstrapServers, event);
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
    while (stored(subject) < 500 || reports < 5) {
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

  private static void restore(Statement sql, String subject) throws Exception {
    sql.executeUpdate("DELETE FROM audit_event WHERE subject = '" + subject + "'");
    sql.executeUpdate("INSERT INTO audit_event SELECT * FROM backup");
  }

  /** Each statement fails with a message matching {@code refusal}. */
  private static void assertRefused(Statement statement, String refusal, List<String> changes) {
    for (String change : changes) {
      assertThat(catchThrowable(() -> statement.execute(change)))
          .as(change)
          .hasMessageMatching("(?s).*(" + refusal + ").*");
    }
  }
}
