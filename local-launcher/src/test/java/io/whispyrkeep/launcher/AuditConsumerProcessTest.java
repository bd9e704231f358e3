package io.whispyrkeep.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.whispyrkeep.devinfra.kafka.KafkaAcls;
import io.whispyrkeep.devinfra.kafka.KafkaServer;
import io.whispyrkeep.devinfra.keys.TestEventKeys;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.devinfra.keys.TestTokens;
import io.whispyrkeep.devinfra.postgres.PostgresServer;
import io.whispyrkeep.devinfra.process.PackagedService;
import io.whispyrkeep.testsupport.SharedInfrastructure;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The packaged audit-service as deployed, where the point is the consumer process itself:
 *
 * <ul>
 *   <li>killed (SIGKILL) after a batch is stored but before its offsets are committed: the next
 *       instance replays the batch from Kafka, stores nothing twice, and the chain stays intact.
 *       The test checks that the crash really fell inside that window (offsets behind the stored
 *       rows at the moment of the kill), so it cannot pass vacuously;
 *   <li>two replicas in one consumer group, the second joining mid-stream (a rebalance moves
 *       partitions between them): every event stored once and every chain intact.
 * </ul>
 */
class AuditConsumerProcessTest {

  private static final int EVENTS = 300;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void killedBetweenStoreAndCommit_replaysWithoutLossOrDuplicates() throws Exception {
    Trail trail = Trail.prepare("crash", 1);
    // First instance: offsets committed only every 60 s, so a kill right after the store lands
    // between store and commit.
    Map<String, String> slowCommits = new java.util.HashMap<>(trail.channel());
    slowCommits.put("mp.messaging.incoming.security-events.auto.commit.interval.ms", "60000");
    PackagedService first = trail.start("first", slowCommits);
    try {
      produce(trail.kafka(), trail.topic(), 0, EVENTS);
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> storedRows(trail.postgres(), trail.database()) == EVENTS);
    } finally {
      first.kill();
    }
    long committedAtKill = committed(trail.kafka(), trail.group(), trail.topic());
    assertThat(committedAtKill).as("offsets committed when the consumer died").isLessThan(EVENTS);

    try (PackagedService second = trail.start("second", trail.channel())) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> committed(trail.kafka(), trail.group(), trail.topic()) == EVENTS);
      assertStoredOnceAndIntact(trail.postgres(), trail.database(), second, EVENTS);
      assertThat(metric(second, "whispyrkeep_audit_duplicates_total"))
          .as("the replayed batch was seen again and skipped")
          .isGreaterThanOrEqualTo(EVENTS - committedAtKill);
    }
  }

  @Test
  void twoReplicas_rebalancedMidStream_storeEveryEventOnce_chainsIntact() throws Exception {
    Trail trail = Trail.prepare("replicas", 4);
    int total = 4 * EVENTS;
    try (PackagedService first = trail.start("first", trail.channel())) {
      produce(trail.kafka(), trail.topic(), 0, 2 * EVENTS);
      try (PackagedService second = trail.start("second", trail.channel())) {
        // The second half goes out once the rebalance gave both replicas partitions.
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> membersWithPartitions(trail.kafka(), trail.group()) == 2);
        produce(trail.kafka(), trail.topic(), 2 * EVENTS, 2 * EVENTS);
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> storedRows(trail.postgres(), trail.database()) >= total);
        assertStoredOnceAndIntact(trail.postgres(), trail.database(), second, total);
        assertThat(
                scalar(trail.postgres(), trail.database(), "SELECT count(*) FROM audit_chain_head"))
            .isEqualTo(4);
        assertThat(metric(first, "whispyrkeep_audit_stored_total")).isPositive();
        assertThat(metric(second, "whispyrkeep_audit_stored_total")).isPositive();
      }
    }
  }

  /** A fresh database and topic for one test, and the settings that point the service at them. */
  private record Trail(
      PostgresServer postgres,
      KafkaServer kafka,
      String database,
      String topic,
      String group,
      Path workDir,
      Map<String, String> env,
      Map<String, String> channel) {

    /** The packaged audit-service on this trail, logging to {@code <name>.log}. */
    PackagedService start(String name, Map<String, String> properties) throws Exception {
      return PackagedService.start(
          "audit-service", env, properties, workDir.resolve(name + ".log"));
    }

    static Trail prepare(String name, int partitions) throws Exception {
      PostgresServer postgres = SharedInfrastructure.postgres();
      KafkaServer kafka = SharedInfrastructure.kafka();
      String run = name + "_" + ProcessHandle.current().pid();
      String database = "audit_" + run;
      String topic = "security.events." + run;
      String group = "audit-" + run;
      postgres.createDatabase(database);
      createTopic(kafka, topic, partitions);
      KafkaAcls.allowConsumer(kafka, "audit-service", topic, group);
      return new Trail(
          postgres,
          kafka,
          database,
          topic,
          group,
          Files.createTempDirectory("wk-audit-" + name + "-"),
          PackagedService.environment(postgres, kafka, database, "audit-service"),
          AuditConsumerProcessTest.channel(topic, group));
    }
  }

  private void assertStoredOnceAndIntact(
      PostgresServer postgres, String database, PackagedService service, int events)
      throws Exception {
    assertThat(storedRows(postgres, database)).isEqualTo(events);
    assertThat(scalar(postgres, database, "SELECT count(DISTINCT event_id) FROM audit_event"))
        .isEqualTo(events);
    HttpResponse<String> verify =
        http.send(
            HttpRequest.newBuilder(service.uri("/audit/verify"))
                .header(
                    "Authorization",
                    "Bearer " + TestTokens.valid("analyst", "audit-service", "security"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(verify.statusCode()).as(verify.body()).isEqualTo(200);
    assertThat(verify.body()).contains("\"intact\":true", "\"rowsChecked\":" + events);
  }

  private static Map<String, String> channel(String topic, String group) {
    return Map.of(
        "mp.messaging.incoming.security-events.topic",
        topic,
        "mp.messaging.incoming.security-events.group.id",
        group,
        "whispyrkeep.jwt.jwks-url",
        TestJwtKeys.jwksFile().toUri().toString(),
        "whispyrkeep.jwt.issuer",
        TestTokens.ISSUER,
        // the broker notices the killed member after 6 s rather than the default 45 s
        "mp.messaging.incoming.security-events.session.timeout.ms",
        "6000");
  }

  /** Events {@code from} .. {@code from + count - 1}, keyed by actor like the outbox relay. */
  private static void produce(KafkaServer kafka, String topic, int from, int count)
      throws Exception {
    Properties properties = kafka.adminProperties();
    properties.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer())) {
      for (int i = from; i < from + count; i++) {
        UUID random = UUID.randomUUID();
        UUID id =
            new UUID(
                (random.getMostSignificantBits() & ~0xF000L) | 0x7000L,
                random.getLeastSignificantBits());
        String actor = "user-" + i;
        String event =
            "{\"version\":1,\"id\":\""
                + id
                + "\",\"type\":\"auth.login_failure\","
                + "\"occurredAt\":\""
                + Instant.now().truncatedTo(ChronoUnit.MICROS)
                + "\","
                + "\"source\":\"auth-service\",\"actor\":\""
                + actor
                + "\","
                + "\"subject\":\"account-"
                + (i % 7)
                + "\",\"clientIp\":\"203.0.113.7\","
                + "\"severity\":\"NOTICE\",\"details\":{\"reason\":\"bad_credentials\"}}";
        // signed as auth-service's outbox signs (the packaged audit-service trusts its test key)
        producer.send(
            new ProducerRecord<>(
                topic, null, actor, event, TestEventKeys.headers("auth-service", event)));
      }
      producer.flush();
    }
  }

  private static long storedRows(PostgresServer postgres, String database) throws Exception {
    return scalar(postgres, database, "SELECT count(*) FROM audit_event");
  }

  private static long scalar(PostgresServer postgres, String database, String sql)
      throws Exception {
    try (Connection connection =
            DriverManager.getConnection(
                postgres.jdbcUrl(database), postgres.username(), postgres.password());
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  private static long committed(KafkaServer kafka, String group, String topic) throws Exception {
    try (Admin admin = admin(kafka)) {
      OffsetAndMetadata offset =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get()
              .get(new TopicPartition(topic, 0));
      return offset == null ? 0 : offset.offset();
    }
  }

  private double metric(PackagedService service, String name) throws Exception {
    String body =
        http.send(
                HttpRequest.newBuilder(service.uri("/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return body.lines()
        .filter(line -> line.startsWith(name))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static long membersWithPartitions(KafkaServer kafka, String group) throws Exception {
    try (Admin admin = admin(kafka)) {
      return admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().stream()
          .filter(member -> !member.assignment().topicPartitions().isEmpty())
          .count();
    }
  }

  private static void createTopic(KafkaServer kafka, String topic, int partitions)
      throws Exception {
    try (Admin admin = admin(kafka)) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  private static Admin admin(KafkaServer kafka) {
    return kafka.admin();
  }
}
