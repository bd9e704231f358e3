package io.whispyrkeep.testsupport.kafka;

import io.whispyrkeep.testsupport.DockerProbe;
import java.nio.file.Path;
import org.jboss.logging.Logger;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Starts or finds a real Kafka broker, in this order: the one named by {@code
 * WK_TEST_KAFKA_BOOTSTRAP}; a Testcontainers broker when a Docker engine answers; otherwise an
 * Apache Kafka KRaft broker in a child JVM ({@link KafkaBrokerProcess}). Used by the test resources
 * and the local launcher alike.
 */
public final class KafkaStarter {

  /** Environment variable naming an already running broker as {@code host:port[,...]}. */
  public static final String ENV_BOOTSTRAP = "WK_TEST_KAFKA_BOOTSTRAP";

  /** Image used when Docker is available: the broker version of the Kafka client in use. */
  public static final String DEFAULT_IMAGE = "apache/kafka:4.1.1";

  private static final Logger LOG = Logger.getLogger(KafkaStarter.class);

  private KafkaStarter() {}

  /** Starts a broker for tests: free ports, a throw-away data directory. */
  public static KafkaServer startForTests(Path scratchDirectory) {
    String fromEnv = System.getenv(ENV_BOOTSTRAP);
    if (fromEnv != null && !fromEnv.isBlank()) {
      LOG.infof("using Kafka from %s at %s", ENV_BOOTSTRAP, fromEnv);
      return new KafkaServer("env", fromEnv, null, () -> {});
    }
    if (DockerProbe.isDockerAvailable()) {
      return startContainer();
    }
    return startChildJvm(0, scratchDirectory);
  }

  /** Starts the child-JVM broker on a fixed port (and the next one for its controller). */
  public static KafkaServer startChildJvm(int port, Path dataDirectory) {
    KafkaBrokerProcess broker = KafkaBrokerProcess.create(port, dataDirectory);
    broker.start();
    return new KafkaServer("child-jvm", broker.bootstrapServers(), broker, broker::close);
  }

  @SuppressWarnings("resource")
  private static KafkaServer startContainer() {
    KafkaContainer container = new KafkaContainer(DEFAULT_IMAGE);
    container.start();
    LOG.infof("Kafka container started at %s", container.getBootstrapServers());
    return new KafkaServer(
        "testcontainers", container.getBootstrapServers(), null, container::stop);
  }
}
