package io.whispyrkeep.devinfra.kafka;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The suite's topics, created by the test resources and the local launcher the way the Helm chart's
 * topic job creates them in production. Names match {@code
 * io.whispyrkeep.platform.event.SecurityEventTopics}; a platform test checks they agree.
 */
public final class KafkaTopics {

  /** Topic name and partition count. */
  public static final Map<String, Integer> SUITE_TOPICS =
      Map.of(
          KafkaAcls.SECURITY_EVENTS,
          3,
          KafkaAcls.SECURITY_EVENTS_DLQ,
          1,
          KafkaAcls.SECURITY_ALERTS,
          1);

  private KafkaTopics() {}

  /** Creates every suite topic that does not exist yet, as the broker's super user. */
  public static void createSuiteTopics(KafkaServer kafka) {
    try (Admin admin = kafka.admin()) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing =
          SUITE_TOPICS.entrySet().stream()
              .filter(topic -> !existing.contains(topic.getKey()))
              .map(topic -> new NewTopic(topic.getKey(), topic.getValue(), (short) 1))
              .toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create Kafka topics", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating Kafka topics", e);
    }
  }
}
