package io.whispyrkeep.devinfra.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts an Apache Kafka KRaft broker in a child JVM ({@link KafkaBrokerProcess}) that requires
 * SASL SCRAM-SHA-512 and enforces ACLs, as production does. Used by the test resources and the
 * local launcher alike. There is no unauthenticated broker to fall back to: tests must run the
 * services with the principals and ACLs they have in production, which only a broker this code
 * formats can guarantee.
 */
public final class KafkaStarter {

  private KafkaStarter() {}

  /**
   * Starts a broker for tests: free ports, fresh passwords, and a new data directory under {@code
   * scratchDirectory} for every attempt, since storage is formatted with the passwords (a retry on
   * the old directory would be refused).
   */
  public static KafkaServer startThrowaway(Path scratchDirectory) {
    Path dataDirectory;
    try {
      dataDirectory =
          Files.createTempDirectory(Files.createDirectories(scratchDirectory), "broker-");
    } catch (IOException e) {
      throw new UncheckedIOException("no data directory for the Kafka broker", e);
    }
    return startChildJvm(0, dataDirectory, KafkaCredentials.generate());
  }

  /** Starts the child-JVM broker on a fixed port (and the next one for its controller). */
  public static KafkaServer startChildJvm(
      int port, Path dataDirectory, KafkaCredentials credentials) {
    KafkaBrokerProcess broker = KafkaBrokerProcess.create(port, dataDirectory, credentials);
    broker.start();
    return new KafkaServer(
        "child-jvm", broker.bootstrapServers(), credentials, broker, broker::close);
  }
}
