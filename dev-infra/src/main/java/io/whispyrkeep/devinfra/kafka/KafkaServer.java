package io.whispyrkeep.devinfra.kafka;

import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;

/**
 * A running Kafka broker, how to reach it and the credentials of its principals. Only a broker this
 * JVM started in a child process can be stopped and started again ({@link #restartable()}); tests
 * that take Kafka down need one.
 */
public record KafkaServer(
    String origin,
    String bootstrapServers,
    KafkaCredentials credentials,
    KafkaBrokerProcess process,
    AutoCloseable shutdown)
    implements AutoCloseable {

  public Optional<KafkaBrokerProcess> restartable() {
    return Optional.ofNullable(process);
  }

  /** Client settings to connect as {@code principal} (a service, or {@link #adminProperties()}). */
  public Properties clientProperties(String principal) {
    return credentials.clientProperties(bootstrapServers, principal);
  }

  /** Client settings of the broker's super user, for set-up and for test harness clients. */
  public Properties adminProperties() {
    return clientProperties(KafkaCredentials.ADMIN);
  }

  /** An admin client as the super user; the caller closes it. */
  public Admin admin() {
    return Admin.create(adminProperties());
  }

  @Override
  public void close() throws Exception {
    shutdown.close();
  }

  @Override
  public String toString() {
    return "KafkaServer[" + origin + " " + bootstrapServers + "]";
  }
}
