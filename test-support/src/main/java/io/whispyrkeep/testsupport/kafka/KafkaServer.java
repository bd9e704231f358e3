package io.whispyrkeep.testsupport.kafka;

import java.util.Optional;

/**
 * A running Kafka broker and how to reach it. Only a broker this JVM started in a child process can
 * be stopped and started again ({@link #restartable()}); tests that take Kafka down need one.
 */
public record KafkaServer(
    String origin, String bootstrapServers, KafkaBrokerProcess process, AutoCloseable shutdown)
    implements AutoCloseable {

  public Optional<KafkaBrokerProcess> restartable() {
    return Optional.ofNullable(process);
  }

  @Override
  public void close() throws Exception {
    shutdown.close();
  }
}
