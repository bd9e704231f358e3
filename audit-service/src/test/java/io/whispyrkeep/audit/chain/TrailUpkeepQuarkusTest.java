package io.whispyrkeep.audit.chain;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.response.Response;
import io.whispyrkeep.audit.retention.Retention;
import io.whispyrkeep.audit.support.RuntimeRoleTestResource;
import io.whispyrkeep.audit.support.TrailFixture;
import io.whispyrkeep.audit.support.TrailUpkeepTestResource;
import io.whispyrkeep.platform.event.SecurityEvent;
import io.whispyrkeep.testsupport.jwt.TestTokens;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.time.MutableClock;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Signed checkpoints, verification of a stored-time range, and retention by whole months, against
 * real Kafka and PostgreSQL. The application clock moves forward between the tests (months, for
 * retention), so they run in order.
 */
@QuarkusTest
@WithTestResource(
    value = RuntimeRoleTestResource.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(
    value = TrailUpkeepTestResource.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrailUpkeepQuarkusTest {

  private static final DateTimeFormatter MONTH =
      DateTimeFormatter.ofPattern("yyyy_MM").withZone(ZoneOffset.UTC);

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Inject MutableClock clock;
  @Inject Checkpoints checkpoints;
  @Inject Retention retention;

  private static String security() {
    return TestTokens.valid("analyst-2", "audit-service", "security");
  }

  private List<SecurityEvent> storeEvents(String subject, int count) throws Exception {
    List<SecurityEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(TrailFixture.event("auth.login_failure", subject, "user-" + subject));
    }
    TrailFixture.produce(bootstrapServers, events.toArray(SecurityEvent[]::new));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> rows("SELECT count(*) FROM audit_event WHERE subject = ?", subject) == count);
    return events;
  }

  private static long rows(String sql, String parameter) throws Exception {
    try (Connection connection = TrailFixture.connect();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, parameter);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        return result.getLong(1);
      }
    }
  }

  private static Response verify(String range) {
    Response report = given().auth().oauth2(security()).get("/audit/verify" + range);
    report.then().statusCode(200);
    return report;
  }

  private static String brokenReason(String range) {
    Response report = verify(range);
    report.then().body("intact", equalTo(false));
    return report.path("firstBroken.reason");
  }

  /**
   * Chain 999 is fed by no Kafka partition, so it can be rewritten here while the service keeps
   * ingesting its own {@code audit.queried} events into the real chains.
   */
  private static final int QUIET_CHAIN = 999;

  @Test
  @Order(1)
  void checkpoints_signTheHeads_andCatchAChainRewrittenWithRecomputedHashes() throws Exception {
    storeEvents("rewrite-" + System.nanoTime(), 3);
    try (Connection connection = TrailFixture.connect()) {
      appendQuietChain(connection, 4);
    }
    // Two replicas signing at the same moment: still one checkpoint per head.
    List<Integer> signed =
        io.smallrye.mutiny.Uni.join()
            .all(checkpoints.signMovedHeads(), checkpoints.signMovedHeads())
            .andFailFast()
            .await()
            .atMost(Duration.ofSeconds(30));
    assertThat(signed.get(0) + signed.get(1)).isPositive();
    assertThat(
            rows(
                "SELECT count(*) FROM audit_checkpoint WHERE chain = ?::int",
                Integer.toString(QUIET_CHAIN)))
        .as("the quiet chain's head is signed once")
        .isEqualTo(1);
    Response intact = verify("");
    intact.then().body("intact", equalTo(true)).body("checkpointsSigned", equalTo(true));
    assertThat((Integer) intact.path("checkpointsChecked")).isPositive();

    try (Connection connection = TrailFixture.connect();
        Statement sql = connection.createStatement()) {
      sql.execute("SET session_replication_role = replica"); // as a database superuser could
      sql.execute(
          "CREATE TEMP TABLE chain_backup AS SELECT * FROM audit_event WHERE chain = "
              + QUIET_CHAIN);
      sql.execute(
          "CREATE TEMP TABLE head_backup AS SELECT * FROM audit_chain_head WHERE chain = "
              + QUIET_CHAIN);
      sql.execute(
          "CREATE TEMP TABLE checkpoint_backup AS SELECT * FROM audit_checkpoint WHERE chain = "
              + QUIET_CHAIN);

      rewriteQuietChain(connection);
      assertThat(brokenReason("")).contains("chain differs from signed checkpoint");
      sql.executeUpdate(
          "UPDATE audit_event e SET payload = b.payload, prev_hash = b.prev_hash, hash = b.hash"
              + " FROM chain_backup b WHERE e.chain = b.chain AND e.seq = b.seq");
      sql.executeUpdate(
          "UPDATE audit_chain_head h SET hash = b.hash FROM head_backup b WHERE h.chain = b.chain");
      verify("").then().body("intact", equalTo(true));

      sql.executeUpdate(
          "UPDATE audit_checkpoint SET signature = decode(repeat('00', 256), 'hex')"
              + " WHERE chain = "
              + QUIET_CHAIN);
      assertThat(brokenReason("")).endsWith("has an invalid signature");
      sql.executeUpdate(
          "UPDATE audit_checkpoint c SET signature = b.signature FROM checkpoint_backup b"
              + " WHERE c.id = b.id");
    }
    verify("").then().body("intact", equalTo(true));
  }

  /** Appends rows to the quiet chain exactly as the ingestor would (hashes, head). */
  private void appendQuietChain(Connection connection, int count) throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper mapper =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .findAndRegisterModules()
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    byte[] previous = ChainHasher.GENESIS;
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO audit_event (chain, seq, event_id, type, occurred_at, source, severity,"
                + " payload, prev_hash, hash, stored_at)"
                + " VALUES (?, ?, ?, 'auth.login_failure', now(), 'auth-service', 'NOTICE',"
                + " ?, ?, ?, ?)")) {
      for (int seq = 1; seq <= count; seq++) {
        SecurityEvent event = TrailFixture.event("auth.login_failure", "quiet", "quiet");
        String canonical = ChainHasher.canonicalJson(mapper.valueToTree(event));
        byte[] hash = ChainHasher.link(previous, canonical);
        insert.setInt(1, QUIET_CHAIN);
        insert.setLong(2, seq);
        insert.setObject(3, event.id());
        insert.setString(4, canonical);
        insert.setBytes(5, previous);
        insert.setBytes(6, hash);
        insert.setObject(7, clock.instant().atOffset(ZoneOffset.UTC));
        insert.executeUpdate();
        previous = hash;
      }
    }
    try (PreparedStatement head =
        connection.prepareStatement(
            "INSERT INTO audit_chain_head (chain, seq, hash, stored_at) VALUES (?, ?, ?, now())")) {
      head.setInt(1, QUIET_CHAIN);
      head.setLong(2, count);
      head.setBytes(3, previous);
      head.executeUpdate();
    }
  }

  /** Alters the first row of the quiet chain and recomputes every hash after it, and the head. */
  private static void rewriteQuietChain(Connection connection) throws Exception {
    List<Long> seqs = new ArrayList<>();
    List<String> payloads = new ArrayList<>();
    try (PreparedStatement read =
        connection.prepareStatement(
            "SELECT seq, payload FROM audit_event WHERE chain = ? ORDER BY seq")) {
      read.setInt(1, QUIET_CHAIN);
      try (ResultSet result = read.executeQuery()) {
        while (result.next()) {
          seqs.add(result.getLong(1));
          payloads.add(result.getString(2));
        }
      }
    }
    payloads.set(0, payloads.get(0).replace("bad_credentials", "all_fine"));
    byte[] previous = ChainHasher.GENESIS;
    try (PreparedStatement write =
        connection.prepareStatement(
            "UPDATE audit_event SET payload = ?, prev_hash = ?, hash = ?"
                + " WHERE chain = ? AND seq = ?")) {
      for (int i = 0; i < seqs.size(); i++) {
        byte[] hash = ChainHasher.link(previous, payloads.get(i));
        write.setString(1, payloads.get(i));
        write.setBytes(2, previous);
        write.setBytes(3, hash);
        write.setInt(4, QUIET_CHAIN);
        write.setLong(5, seqs.get(i));
        write.executeUpdate();
        previous = hash;
      }
    }
    try (PreparedStatement head =
        connection.prepareStatement("UPDATE audit_chain_head SET hash = ? WHERE chain = ?")) {
      head.setBytes(1, previous);
      head.setInt(2, QUIET_CHAIN);
      head.executeUpdate();
    }
  }

  @Test
  @Order(2)
  void verifyWithRange_walksOnlyRowsStoredWithinIt() throws Exception {
    String early = "early-" + System.nanoTime();
    storeEvents(early, 3);
    clock.advance(Duration.ofDays(1));
    Instant boundary = clock.instant().minusSeconds(1);
    String late = "late-" + System.nanoTime();
    storeEvents(late, 3);

    verify("?from=" + boundary).then().body("intact", equalTo(true));
    try (Connection connection = TrailFixture.connect();
        Statement sql = connection.createStatement()) {
      sql.execute("SET session_replication_role = replica");
      sql.execute(
          "CREATE TEMP TABLE early_backup AS SELECT * FROM audit_event WHERE subject = '"
              + early
              + "'");
      sql.executeUpdate(
          "UPDATE audit_event SET payload = replace(payload, 'bad_credentials', 'ok')"
              + " WHERE subject = '"
              + early
              + "'");

      verify("?from=" + boundary).then().body("intact", equalTo(true));
      assertThat(brokenReason("?to=" + boundary)).isEqualTo("content does not match its hash");
      assertThat(brokenReason("")).isEqualTo("content does not match its hash");

      sql.executeUpdate(
          "UPDATE audit_event e SET payload = b.payload FROM early_backup b"
              + " WHERE e.chain = b.chain AND e.seq = b.seq");
    }
    verify("").then().body("intact", equalTo(true));
    given()
        .auth()
        .oauth2(security())
        .get("/audit/verify?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
  }

  @Test
  @Order(3)
  void retention_dropsOnlyWholeExpiredMonths_chainsResumeAtAnchors_andTheStepIsAudited()
      throws Throwable {
    String old = "old-" + System.nanoTime();
    List<SecurityEvent> oldEvents = storeEvents(old, 2);
    String oldPartition = "audit_event_" + MONTH.format(clock.instant());

    clock.advance(Duration.ofDays(70));
    String recent = "recent-" + System.nanoTime();
    List<SecurityEvent> recentEvents = storeEvents(recent, 2);

    String staleHits = "SELECT count(*) FROM alert_hit WHERE occurred_at < now() + ?::interval";
    assertThat(rows(staleHits, "1 day")).as("hits of the earlier login failures").isPositive();

    List<Retention.DroppedPartition> dropped =
        VertxContextSupport.subscribeAndAwait(() -> retention.run());
    // Alert hits are working state: those older than the longest rule window are forgotten.
    assertThat(rows(staleHits, "1 day")).isZero();
    assertThat(dropped).extracting(Retention.DroppedPartition::partition).contains(oldPartition);
    assertThat(rows("SELECT count(*) FROM audit_retention WHERE partition_name = ?", oldPartition))
        .isEqualTo(1);
    assertThat(rows("SELECT count(*) FROM audit_event WHERE subject = ?", old)).isZero();
    assertThat(rows("SELECT count(*) FROM audit_event WHERE subject = ?", recent)).isEqualTo(2);
    assertThat(
            rows("SELECT count(*) FROM audit_chain_anchor WHERE partition_name = ?", oldPartition))
        .isPositive();

    given()
        .auth()
        .oauth2(security())
        .get("/audit/events/" + oldEvents.get(0).id())
        .then()
        .statusCode(404);
    given()
        .auth()
        .oauth2(security())
        .get("/audit/events/" + recentEvents.get(0).id())
        .then()
        .statusCode(200);
    Response report = verify("");
    report.then().log().ifValidationFails().body("intact", equalTo(true));
    assertThat((Integer) report.path("checkpointsChecked")).isPositive();

    // The removal is itself audited: its event travels through the outbox back into the trail.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () ->
                rows(
                        "SELECT count(*) FROM audit_event WHERE type = 'audit.partition_dropped'"
                            + " AND subject = ?",
                        oldPartition)
                    == 1);
    // A second run finds nothing more to drop: the remaining months are not expired.
    List<Retention.DroppedPartition> again =
        VertxContextSupport.subscribeAndAwait(() -> retention.run());
    assertThat(again).isEmpty();
  }
}
