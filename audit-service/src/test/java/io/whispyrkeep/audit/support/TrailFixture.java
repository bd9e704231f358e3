package io.whispyrkeep.audit.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.whispyrkeep.platform.event.SecurityEvent;
import io.whispyrkeep.platform.event.SecurityEventTopics;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.event.TimeOrderedUuid;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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

  /** One producer per broker for the whole test JVM (its network thread is a daemon). */
  private static final Map<String, KafkaProducer<String, String>> PRODUCERS =
      new ConcurrentHashMap<>();

  /** Sends raw records to security.events, keyed as given, and waits until they are written. */
  public static void produce(String bootstrapServers, String key, String... values) {
    KafkaProducer<String, String> producer =
        PRODUCERS.computeIfAbsent(
            bootstrapServers,
            servers -> {
              Properties properties = new Properties();
              properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
              return new KafkaProducer<>(
                  properties, new StringSerializer(), new StringSerializer());
            });
    for (String value : values) {
      producer.send(new ProducerRecord<>(SecurityEventTopics.SECURITY_EVENTS, key, value));
    }
    producer.flush();
  }

  /** Sends events as the outbox relay does: JSON, keyed by the event's partition key. */
  public static void produce(String bootstrapServers, SecurityEvent... events) throws Exception {
    for (SecurityEvent event : events) {
      produce(bootstrapServers, event.partitionKey(), MAPPER.writeValueAsString(event));
    }
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

  /** A JDBC connection as the role the service itself runs as. */
  public static Connection connectAsService() throws Exception {
    var config = ConfigProvider.getConfig();
    return DriverManager.getConnection(
        config.getValue("quarkus.datasource.jdbc.url", String.class),
        config.getValue("quarkus.datasource.username", String.class),
        config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
  }
}
