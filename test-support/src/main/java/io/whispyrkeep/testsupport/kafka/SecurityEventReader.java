package io.whispyrkeep.testsupport.kafka;

import io.whispyrkeep.devinfra.kafka.KafkaServer;
import io.whispyrkeep.testsupport.SharedInfrastructure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic from the beginning in a throw-away consumer group, as the broker's super user, and
 * collects the records a test is waiting for. Tests match their own records (by a unique subject,
 * say), so classes sharing the broker never see each other's.
 */
public final class SecurityEventReader {

  private SecurityEventReader() {}

  /**
   * Polls until {@code expected} matching records arrived or the timeout passed; returns what
   * matched (the caller asserts on it).
   */
  public static List<ConsumerRecord<String, String>> read(
      String bootstrapServers,
      String topic,
      Predicate<ConsumerRecord<String, String>> matching,
      int expected,
      Duration timeout) {
    Properties properties = observer(bootstrapServers);
    properties.setProperty(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
    properties.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.setProperty(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    properties.setProperty(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<ConsumerRecord<String, String>> matched = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties)) {
      consumer.subscribe(List.of(topic));
      while (matched.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(250))) {
          if (matching.test(record)) {
            matched.add(record);
          }
        }
      }
      // Give duplicates or extra records a moment to show up, so callers can assert "exactly".
      if (matched.size() >= expected) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          if (matching.test(record)) {
            matched.add(record);
          }
        }
      }
    }
    return matched;
  }

  /**
   * The test observes as the shared broker's super user: only audit-service may read the suite's
   * topics, and a test reader must not need a hole in those ACLs.
   */
  private static Properties observer(String bootstrapServers) {
    KafkaServer kafka = SharedInfrastructure.kafka();
    if (!kafka.bootstrapServers().equals(bootstrapServers)) {
      throw new IllegalArgumentException(
          bootstrapServers + " is not the shared test broker " + kafka.bootstrapServers());
    }
    return kafka.adminProperties();
  }
}
