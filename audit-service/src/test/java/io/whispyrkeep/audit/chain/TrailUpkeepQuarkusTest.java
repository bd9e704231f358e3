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
import io.whispyrkeep.devinfra.keys.TestEventKeys;
import io.whispyrkeep.devinfra.keys.TestTokens;
import io.whispyrkeep.platform.event.SecurityEvent;
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

  private int signCheckpoints() {
    return checkpoints.signMovedHeads().await().atMost(Duration.ofSeconds(30));
  }

  /** A chain whose head was signed with the v1 statement, before checkpoints were chained. */
  private static final int V1_CHAIN = 995;

  @Test
  @Order(0)
  void checkpointSignedBeforeChaining_v1_stillVerifies_andTheChainedOnesFollowIt()
      throws Exception {
    // PostgreSQL keeps microseconds (rounded), so sign exactly what it will store.
    java.time.OffsetDateTime now =
        clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    byte[] hash;
    try (Connection connection = TrailFixture.connect()) {
      TrailFixture.appendChain(connection, V1_CHAIN, quietEvents(2), now);
      try (PreparedStatement head =
          connection.prepareStatement("SELECT hash FROM audit_chain_head WHERE chain = ?")) {
        head.setInt(1, V1_CHAIN);
        try (ResultSet result = head.executeQuery()) {
          result.next();
          hash = result.getBytes(1);
        }
      }
      io.whispyrkeep.platform.crypto.RsaKeyFiles.RsaKey key =
          io.whispyrkeep.platform.crypto.RsaKeyFiles.load(
              org.eclipse.microprofile.config.ConfigProvider.getConfig()
                  .getValue(
                      "whispyrkeep.audit.checkpoint.signing-key-file", java.nio.file.Path.class));
      java.security.Signature signer = java.security.Signature.getInstance("SHA256withRSA");
      signer.initSign(key.privateKey());
      signer.update(Checkpoints.statement(1, V1_CHAIN, 2, hash, now.toInstant(), null));
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO audit_checkpoint (chain, seq, hash, signed_at, key_id, signature)"
                  + " VALUES (?, 2, ?, ?, ?, ?)")) {
        insert.setInt(1, V1_CHAIN);
        insert.setBytes(2, hash);
        insert.setObject(3, now);
        insert.setString(4, key.keyId());
        insert.setBytes(5, signer.sign());
        insert.executeUpdate();
      }
    }
    Response first = verify("");
    assertThat((Object) first.path("firstBroken")).isNull();
    first.then().body("checkpointsChecked", equalTo(1));
    TrailFixture.produce(bootstrapServers, TrailFixture.event("auth.logout", "after-v1", "x"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> rows("SELECT count(*) FROM audit_event WHERE subject = ?", "after-v1") == 1);
    assertThat(signCheckpoints()).isPositive();
    Response report = verify("");
    assertThat((Object) report.path("firstBroken")).isNull();
    assertThat((Integer) report.path("checkpointsChecked")).isGreaterThan(1);
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
      TrailFixture.appendChain(
          connection, QUIET_CHAIN, quietEvents(4), clock.instant().atOffset(ZoneOffset.UTC));
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
          "UPDATE audit_event e SET payload = b.payload, prev_hash = b.prev_hash, hash = b.hash,"
              + " signature = b.signature, signed_payload = b.signed_payload"
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

  private static List<SecurityEvent> quietEvents(int count) {
    List<SecurityEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(TrailFixture.event("auth.login_failure", "quiet", "quiet"));
    }
    return events;
  }

  /**
   * Alters the first row of the quiet chain and recomputes every hash after it, and the head; the
   * altered row is even re-signed, as by someone who also stole auth-service's event key, so only
   * the checkpoint can catch it.
   */
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
            "UPDATE audit_event SET payload = ?, prev_hash = ?, hash = ?, signature = ?,"
                + " signed_payload = NULL WHERE chain = ? AND seq = ?")) {
      for (int i = 0; i < seqs.size(); i++) {
        byte[] hash = ChainHasher.link(previous, payloads.get(i));
        write.setString(1, payloads.get(i));
        write.setBytes(2, previous);
        write.setBytes(3, hash);
        write.setBytes(
            4,
            TestEventKeys.sign(
                "auth-service", payloads.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        write.setInt(5, QUIET_CHAIN);
        write.setLong(6, seqs.get(i));
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
    signCheckpoints(); // as the schedule would have, during the day that passed

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

  /**
   * Stores events directly in a chain of their own, {@code daysAgo} days ago by the real clock:
   * retention judges expiry by the database's clock, which the tests' clock does not move.
   */
  private static List<SecurityEvent> storeLongAgo(int chain, String subject, int daysAgo)
      throws Exception {
    java.time.OffsetDateTime storedAt =
        Instant.now().minus(Duration.ofDays(daysAgo)).atOffset(ZoneOffset.UTC);
    List<SecurityEvent> events = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      events.add(TrailFixture.event("auth.login_failure", subject, "user-" + subject));
    }
    try (Connection owner = TrailFixture.connect();
        PreparedStatement partition = owner.prepareStatement("SELECT audit_ensure_partition(?)")) {
      partition.setObject(1, storedAt);
      partition.execute();
      TrailFixture.appendChain(owner, chain, events, storedAt);
    }
    return events;
  }

  @Test
  @Order(3)
  void dropExpiredPartitions_calledDirectlyWithLessThan30Days_refusedWhoeverCalls()
      throws Exception {
    String old = "kept-" + System.nanoTime();
    storeLongAgo(996, old, 100);
    for (Connection connection : List.of(TrailFixture.connectAsService(), TrailFixture.connect())) {
      try (connection;
          Statement sql = connection.createStatement()) {
        for (String period : List.of("29 days", "1 day", "-1 year", "0")) {
          assertThat(
                  org.assertj.core.api.Assertions.catchThrowable(
                      () ->
                          sql.execute(
                              "SELECT * FROM audit_drop_expired_partitions(interval '"
                                  + period
                                  + "', 'intruder')")))
              .as(period)
              .hasMessageContaining("at least 30 days");
        }
        // The former form, which trusted its caller's cutoff, is gone.
        assertThat(
                org.assertj.core.api.Assertions.catchThrowable(
                    () ->
                        sql.execute(
                            "SELECT * FROM audit_drop_expired_partitions(now() - interval '1 day',"
                                + " 'intruder')")))
            .isNotNull();
      }
    }
    assertThat(rows("SELECT count(*) FROM audit_event WHERE subject = ?", old)).isEqualTo(2);
    assertThat(rows("SELECT count(*) FROM audit_retention WHERE dropped_by = ?", "intruder"))
        .isZero();
  }

  @Test
  @Order(4)
  void retention_dropsOnlyWholeExpiredMonths_chainsResumeAtAnchors_andTheStepIsAudited()
      throws Throwable {
    String old = "old-" + System.nanoTime();
    List<SecurityEvent> oldEvents = storeLongAgo(997, old, 100);
    String oldPartition = "audit_event_" + MONTH.format(Instant.now().minus(Duration.ofDays(100)));

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
    signCheckpoints(); // as the schedule would have, during the months that passed
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

  private long newestCheckpointId(int chain) throws Exception {
    return rows(
        "SELECT coalesce(max(id), 0) FROM audit_checkpoint WHERE chain = ?::int",
        Integer.toString(chain));
  }

  @Test
  @Order(5)
  void checkpoints_chainedAndPublished_oneRemovedFromTheMiddle_breaksTheirChain() throws Exception {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      try (Connection connection = TrailFixture.connect()) {
        TrailFixture.appendChain(
            connection, QUIET_CHAIN, quietEvents(1), clock.instant().atOffset(ZoneOffset.UTC));
      }
      signCheckpoints();
      ids.add(newestCheckpointId(QUIET_CHAIN));
    }
    verify("").then().body("intact", equalTo(true));

    // Each checkpoint is published as it is signed, checkable without the database.
    String seq =
        Long.toString(
            rows("SELECT seq FROM audit_checkpoint WHERE id = ?::bigint", ids.get(2).toString()));
    List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> published =
        io.whispyrkeep.testsupport.kafka.SecurityEventReader.read(
            bootstrapServers,
            io.whispyrkeep.platform.event.SecurityEventTopics.SECURITY_ALERTS,
            r ->
                Checkpoints.MESSAGE_KEY.equals(r.key())
                    && r.value().contains("\"chain\":" + QUIET_CHAIN + ",")
                    && r.value().contains("\"seq\":" + seq + ","),
            1,
            Duration.ofSeconds(60));
    assertThat(published).hasSize(1);
    com.fasterxml.jackson.databind.JsonNode message =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(published.get(0).value());
    assertThat(
            checkpoints.check(
                message.get("version").asInt(),
                message.get("chain").asInt(),
                message.get("seq").asLong(),
                java.util.HexFormat.of().parseHex(message.get("hash").asText()),
                Instant.parse(message.get("signedAt").asText()),
                java.util.HexFormat.of().parseHex(message.get("previous").asText()),
                message.get("keyId").asText(),
                java.util.Base64.getDecoder().decode(message.get("signature").asText())))
        .isEqualTo(Checkpoints.SignatureCheck.VALID);

    try (Connection connection = TrailFixture.connect();
        Statement sql = connection.createStatement()) {
      sql.execute("SET session_replication_role = replica"); // as a database superuser could
      sql.execute(
          "CREATE TEMP TABLE removed AS SELECT * FROM audit_checkpoint WHERE id = " + ids.get(1));
      sql.executeUpdate("DELETE FROM audit_checkpoint WHERE id = " + ids.get(1));
      assertThat(brokenReason("")).contains("does not follow the checkpoint stored before it");
      sql.executeUpdate(
          "INSERT INTO audit_checkpoint OVERRIDING SYSTEM VALUE SELECT * FROM removed");
    }
    verify("").then().body("intact", equalTo(true));
  }

  @Test
  @Order(6)
  void verify_trailCutAfterTheLastCheckpoint_checkpointsRemovedOrSignerStopped_isReported()
      throws Exception {
    try (Connection connection = TrailFixture.connect()) {
      TrailFixture.appendChain(
          connection, QUIET_CHAIN, quietEvents(2), clock.instant().atOffset(ZoneOffset.UTC));
    }
    signCheckpoints();
    long kept = newestCheckpointId(QUIET_CHAIN);
    long keptSeq =
        rows("SELECT seq FROM audit_checkpoint WHERE id = ?::bigint", Long.toString(kept));
    clock.advance(Duration.ofMinutes(6));
    try (Connection connection = TrailFixture.connect()) {
      TrailFixture.appendChain(
          connection, QUIET_CHAIN, quietEvents(2), clock.instant().atOffset(ZoneOffset.UTC));
    }
    signCheckpoints();
    verify("").then().body("intact", equalTo(true));

    try (Connection connection = TrailFixture.connect();
        Statement sql = connection.createStatement()) {
      sql.execute("SET session_replication_role = replica"); // as a database superuser could
      sql.execute(
          "CREATE TEMP TABLE cut_rows AS SELECT * FROM audit_event WHERE chain = "
              + QUIET_CHAIN
              + " AND seq > "
              + keptSeq);
      sql.execute(
          "CREATE TEMP TABLE cut_head AS SELECT * FROM audit_chain_head WHERE chain = "
              + QUIET_CHAIN);
      sql.execute(
          "CREATE TEMP TABLE cut_checkpoints AS SELECT * FROM audit_checkpoint WHERE id > " + kept);
      // The end of the trail is cut back to an earlier checkpoint, the head moved back with it.
      sql.executeUpdate(
          "DELETE FROM audit_event WHERE chain = " + QUIET_CHAIN + " AND seq > " + keptSeq);
      sql.executeUpdate(
          "UPDATE audit_chain_head h SET seq = e.seq, hash = e.hash"
              + " FROM audit_event e WHERE h.chain = "
              + QUIET_CHAIN
              + " AND e.chain = h.chain"
              + " AND e.seq = "
              + keptSeq);
      assertThat(brokenReason("")).contains("chain head is behind signed checkpoint");

      // ... and the checkpoints that covered the cut are removed too: the service that signed
      // them still knows how far it signed, and says so at once.
      sql.executeUpdate("DELETE FROM audit_checkpoint WHERE id > " + kept);
      assertThat(brokenReason(""))
          .contains("that this service signed: the trail was cut and its checkpoints removed");
      // A restarted (or another) instance does not know: caught once the checkpoint left is older
      // than the maximum age, the time by which the removed ones would have replaced it.
      checkpoints.forgetHighestSigned();
      clock.advance(Duration.ofMinutes(5));
      assertThat(brokenReason("")).startsWith("missing or stale checkpoint");

      sql.executeUpdate("INSERT INTO audit_event SELECT * FROM cut_rows");
      sql.executeUpdate(
          "UPDATE audit_chain_head h SET seq = b.seq, hash = b.hash"
              + " FROM cut_head b WHERE h.chain = b.chain");
      sql.executeUpdate(
          "INSERT INTO audit_checkpoint OVERRIDING SYSTEM VALUE SELECT * FROM cut_checkpoints");
    }
    verify("").then().body("intact", equalTo(true));

    // The signer stops while rows keep arriving: rows older than the maximum age lack a checkpoint.
    try (Connection connection = TrailFixture.connect()) {
      TrailFixture.appendChain(
          connection, QUIET_CHAIN, quietEvents(1), clock.instant().atOffset(ZoneOffset.UTC));
    }
    clock.advance(Duration.ofMinutes(11));
    assertThat(brokenReason("")).startsWith("missing or stale checkpoint: none covers rows");
    signCheckpoints();
    verify("").then().body("intact", equalTo(true));
  }
}
