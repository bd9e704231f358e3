package io.whispyrkeep.audit.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whispyrkeep.audit.chain.ChainHasher;
import io.whispyrkeep.audit.ingest.AuditChannels;
import io.whispyrkeep.devinfra.keys.TestEventKeys;
import io.whispyrkeep.platform.event.SecurityEvent;
import io.whispyrkeep.platform.event.SecurityEventTopics;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.event.TimeOrderedUuid;
import io.whispyrkeep.testsupport.SharedInfrastructure;
import io.whispyrkeep.testsupport.kafka.SecurityEventReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;

/** Events produced the way services produce them, and a direct connection for tampering. */
public final class TrailFixture {

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .findAndRegisterModules()
          .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private TrailFixture() {}

  public static SecurityEvent event(String type, String subject, String actor) {
    return new SecurityEvent(
        1,
        TimeOrderedUuid.next(Clock.systemUTC()),
        type,
        Instant.now().truncatedTo(ChronoUnit.MICROS),
        "auth-service",
        actor,
        subject,
        "203.0.113.9",
        "tests",
        "req-" + UUID.randomUUID(),
        Severity.NOTICE,
        Map.of("reason", "bad_credentials"));
  }

  /** An event of {@code subject} by the user named after it. */
  public static SecurityEvent event(String type, String subject) {
    return event(type, subject, "user-" + subject);
  }

  /** An event from a given address at a given time (alert windows follow event time). */
  public static SecurityEvent eventAt(
      String type, String subject, String actor, String address, Instant occurredAt) {
    SecurityEvent base = event(type, subject, actor);
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

  /** The event's JSON with one field replaced by raw text (bypassing the event factory). */
  public static String jsonWith(SecurityEvent event, String field, String value) {
    ObjectNode json = MAPPER.valueToTree(event);
    json.put(field, value);
    return json.toString();
  }

  /** Waits for the dead letters of records sent with {@code key}, at most {@code expected}. */
  public static List<ConsumerRecord<String, String>> deadLetters(
      String bootstrapServers, String key, int expected) {
    return SecurityEventReader.read(
        bootstrapServers,
        SecurityEventTopics.SECURITY_EVENTS_DLQ,
        record -> key.equals(record.key()),
        expected,
        AuditApi.ARRIVAL);
  }

  /** The reason a dead letter carries. */
  public static String reason(ConsumerRecord<String, String> deadLetter) {
    return new String(
        deadLetter.headers().lastHeader(AuditChannels.DLQ_REASON_HEADER).value(),
        StandardCharsets.UTF_8);
  }

  /** How many events of {@code subject} are stored, read directly in the database. */
  public static long stored(String subject) throws Exception {
    try (Connection connection = connect();
        PreparedStatement count =
            connection.prepareStatement("SELECT count(*) FROM audit_event WHERE subject = ?")) {
      count.setString(1, subject);
      try (ResultSet result = count.executeQuery()) {
        result.next();
        return result.getLong(1);
      }
    }
  }

  /** One producer per broker for the whole test JVM (its network thread is a daemon). */
  private static final Map<String, KafkaProducer<String, String>> PRODUCERS =
      new ConcurrentHashMap<>();

  /**
   * Sends records to security.events, keyed as given and signed with auth-service's test key (the
   * source of {@link #event}), and waits until they are written.
   */
  public static void produce(String bootstrapServers, String key, String... values) {
    for (String value : values) {
      send(bootstrapServers, key, value, TestEventKeys.headers("auth-service", value));
    }
    producer(bootstrapServers).flush();
  }

  /** Sends events as the outbox relay of their source does: JSON, keyed, signed. */
  public static void produce(String bootstrapServers, SecurityEvent... events) throws Exception {
    for (SecurityEvent event : events) {
      String value = MAPPER.writeValueAsString(event);
      send(
          bootstrapServers,
          event.partitionKey(),
          value,
          TestEventKeys.headers(event.source(), value));
    }
    producer(bootstrapServers).flush();
  }

  /** Sends an event as {@link #produce(String, SecurityEvent...)} does, in the trace given. */
  public static void produceTraced(String bootstrapServers, SecurityEvent event, String traceParent)
      throws Exception {
    String value = MAPPER.writeValueAsString(event);
    Headers headers = TestEventKeys.headers(event.source(), value);
    headers.add("traceparent", traceParent.getBytes(StandardCharsets.US_ASCII));
    send(bootstrapServers, event.partitionKey(), value, headers);
    producer(bootstrapServers).flush();
  }

  /**
   * Sends one record with exactly the headers given (none, a stranger's signature, a signature of
   * other bytes): what an attacker with access to Kafka can write.
   */
  public static void produceForged(
      String bootstrapServers, String key, String value, Headers headers) {
    send(bootstrapServers, key, value, headers);
    producer(bootstrapServers).flush();
  }

  /** The JSON text of an event, as an outbox serialises it. */
  public static String json(SecurityEvent event) throws Exception {
    return MAPPER.writeValueAsString(event);
  }

  private static void send(String bootstrapServers, String key, String value, Headers headers) {
    producer(bootstrapServers)
        .send(new ProducerRecord<>(SecurityEventTopics.SECURITY_EVENTS, null, key, value, headers));
  }

  private static KafkaProducer<String, String> producer(String bootstrapServers) {
    return PRODUCERS.computeIfAbsent(
        bootstrapServers,
        servers -> {
          // As a publishing service: tests feed the trail with the rights auth-service has.
          Properties properties = SharedInfrastructure.kafka().clientProperties("auth-service");
          properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
          return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
        });
  }

  /**
   * A JDBC connection to the application's database as its owner (the Flyway user when the service
   * runs as a separate runtime role), for set-up and for tampering as an attacker with owner or
   * superuser rights would.
   */
  public static Connection connect() throws Exception {
    var config = ConfigProvider.getConfig();
    String user =
        config
            .getOptionalValue("quarkus.flyway.username", String.class)
            .orElse(config.getValue("quarkus.datasource.username", String.class));
    String password =
        config
            .getOptionalValue("quarkus.flyway.password", String.class)
            .or(() -> config.getOptionalValue("quarkus.datasource.password", String.class))
            .orElse("");
    return DriverManager.getConnection(
        config.getValue("quarkus.datasource.jdbc.url", String.class), user, password);
  }

  /**
   * Appends events to {@code chain} directly in SQL, exactly as the ingestor would (canonical
   * payload, columns taken from the event, hashes linked to the chain's head, head moved), for
   * chains that no Kafka partition feeds: set-up that needs rows at a chosen storage time, or many
   * rows at once.
   */
  public static void appendChain(
      Connection connection, int chain, List<SecurityEvent> events, OffsetDateTime storedAt)
      throws Exception {
    long seq = 0;
    byte[] previous = ChainHasher.GENESIS;
    try (PreparedStatement head =
        connection.prepareStatement("SELECT seq, hash FROM audit_chain_head WHERE chain = ?")) {
      head.setInt(1, chain);
      try (ResultSet result = head.executeQuery()) {
        if (result.next()) {
          seq = result.getLong(1);
          previous = result.getBytes(2);
        }
      }
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO audit_event (chain, seq, event_id, type, occurred_at, source, actor,"
                + " subject, client_ip, severity, payload, prev_hash, hash, stored_at,"
                + " signing_key_id, signature)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (SecurityEvent event : events) {
        String canonical = ChainHasher.canonicalJson(MAPPER.valueToTree(event));
        byte[] hash = ChainHasher.link(previous, canonical);
        seq++;
        insert.setInt(1, chain);
        insert.setLong(2, seq);
        insert.setObject(3, event.id());
        insert.setString(4, event.type());
        insert.setObject(5, event.occurredAt().atOffset(ZoneOffset.UTC));
        insert.setString(6, event.source());
        insert.setString(7, event.actor());
        insert.setString(8, event.subject());
        insert.setString(9, event.clientIp());
        insert.setString(10, event.severity().name());
        insert.setString(11, canonical);
        insert.setBytes(12, previous);
        insert.setBytes(13, hash);
        insert.setObject(14, storedAt);
        // signed by its source over the canonical text, as if its outbox had sent exactly that
        insert.setString(15, TestEventKeys.keyId(event.source()));
        insert.setBytes(
            16,
            TestEventKeys.sign(
                event.source(), canonical.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        insert.addBatch();
        previous = hash;
      }
      insert.executeBatch();
    }
    try (PreparedStatement head =
        connection.prepareStatement(
            "INSERT INTO audit_chain_head (chain, seq, hash, stored_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash,"
                + " stored_at = excluded.stored_at")) {
      head.setInt(1, chain);
      head.setLong(2, seq);
      head.setBytes(3, previous);
      head.setObject(4, storedAt);
      head.executeUpdate();
    }
  }

  /** A JDBC connection as the role the service itself runs as. */
  public static Connection connectAsService() throws Exception {
    var config = ConfigProvider.getConfig();
    return DriverManager.getConnection(
        config.getValue("quarkus.datasource.jdbc.url", String.class),
        config.getValue("quarkus.datasource.username", String.class),
        config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
  }
}
