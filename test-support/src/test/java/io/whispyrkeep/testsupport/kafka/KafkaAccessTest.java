package io.whispyrkeep.testsupport.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whispyrkeep.devinfra.kafka.KafkaAcls;
import io.whispyrkeep.devinfra.kafka.KafkaCredentials;
import io.whispyrkeep.devinfra.kafka.KafkaServer;
import io.whispyrkeep.testsupport.SharedInfrastructure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The test and local broker enforces what production's does: SASL SCRAM-SHA-512 for every client,
 * and ACLs by which only the services write {@code security.events} and only audit-service reads it
 * in its own consumer group. Without them, anyone who reaches Kafka could forge events or commit
 * the audit-service's offsets so that events are never stored.
 */
class KafkaAccessTest {

  private static final String EVENTS = KafkaAcls.SECURITY_EVENTS;

  private final KafkaServer kafka = SharedInfrastructure.kafka();

  @Test
  void anonymousClient_getsNoMetadata() {
    Properties properties = new Properties();
    properties.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    properties.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
    properties.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "1000");
    try (Admin admin = Admin.create(properties)) {
      ExecutionException refused =
          assertThrows(
              ExecutionException.class, () -> admin.listTopics().names().get(30, TimeUnit.SECONDS));
      assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, refused.getCause());
    }
  }

  @Test
  void serviceNameWithWrongPassword_refusedWithSaslAuthenticationException() {
    Properties properties = kafka.clientProperties("auth-service");
    properties.setProperty(
        SaslConfigs.SASL_JAAS_CONFIG,
        KafkaCredentials.scramJaasConfig("auth-service", KafkaCredentials.randomPassword()));
    try (Admin admin = Admin.create(properties)) {
      ExecutionException refused =
          assertThrows(
              ExecutionException.class, () -> admin.listTopics().names().get(30, TimeUnit.SECONDS));
      assertInstanceOf(SaslAuthenticationException.class, refused.getCause());
    }
  }

  @Test
  void authenticatedPrincipalWithoutAcl_cannotProduceSecurityEvents() throws Exception {
    String outsider = "outsider-" + UUID.randomUUID();
    String password = KafkaCredentials.randomPassword();
    try (Admin admin = kafka.admin()) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      outsider,
                      new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                      password)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    Properties properties = kafka.clientProperties("auth-service");
    properties.setProperty(
        SaslConfigs.SASL_JAAS_CONFIG, KafkaCredentials.scramJaasConfig(outsider, password));

    assertInstanceOf(TopicAuthorizationException.class, produce(properties, EVENTS));
  }

  @Test
  void service_writesSecurityEvents_butNotAlertsOrDeadLetters() throws Exception {
    for (String service : KafkaCredentials.SERVICES) {
      assertEquals(null, produce(kafka.clientProperties(service), EVENTS), service);
    }
    for (String topic : List.of(KafkaAcls.SECURITY_ALERTS, KafkaAcls.SECURITY_EVENTS_DLQ)) {
      assertInstanceOf(
          TopicAuthorizationException.class,
          produce(kafka.clientProperties("auth-service"), topic),
          topic);
    }
    assertEquals(null, produce(kafka.clientProperties("audit-service"), KafkaAcls.SECURITY_ALERTS));
  }

  @Test
  void serviceOtherThanAudit_cannotCommitAuditGroupOffsets() {
    TopicPartition partition = new TopicPartition(EVENTS, 0);
    try (KafkaConsumer<String, String> consumer = consumer("auth-service", KafkaAcls.AUDIT_GROUP)) {
      consumer.assign(List.of(partition));
      assertThrows(
          GroupAuthorizationException.class,
          () -> consumer.commitSync(Map.of(partition, new OffsetAndMetadata(1_000_000))));
    }
  }

  @Test
  void serviceOtherThanAudit_cannotJoinAuditGroupNorReadEvents() {
    for (String group : List.of(KafkaAcls.AUDIT_GROUP, "turn-service")) {
      try (KafkaConsumer<String, String> consumer = consumer("turn-service", group)) {
        consumer.subscribe(List.of(EVENTS));
        assertThrows(AuthorizationException.class, () -> consumer.poll(Duration.ofSeconds(10)));
      }
    }
  }

  @Test
  void auditService_readsSecurityEventsInItsGroupOnly() {
    assertEquals(null, produce(kafka.clientProperties("keyvault-service"), EVENTS));
    try (KafkaConsumer<String, String> consumer =
        consumer("audit-service", KafkaAcls.AUDIT_GROUP)) {
      consumer.subscribe(List.of(EVENTS));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int records = 0;
      while (records == 0 && System.nanoTime() < deadline) {
        records = consumer.poll(Duration.ofMillis(500)).count();
      }
      assertTrue(records > 0, "audit-service reads security.events as group audit-service");
    }
    try (KafkaConsumer<String, String> consumer = consumer("audit-service", "elsewhere")) {
      consumer.subscribe(List.of(EVENTS));
      assertThrows(GroupAuthorizationException.class, () -> consumer.poll(Duration.ofSeconds(10)));
    }
  }

  /** Sends one record and returns the error the broker answered with, or null when written. */
  private static Throwable produce(Properties client, String topic) {
    Properties properties = new Properties();
    properties.putAll(client);
    properties.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    properties.setProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
    properties.setProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "key", "{}")).get(30, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      return e;
    }
  }

  private KafkaConsumer<String, String> consumer(String principal, String group) {
    Properties properties = kafka.clientProperties(principal);
    properties.setProperty(ConsumerConfig.GROUP_ID_CONFIG, group);
    properties.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
  }
}
