package io.whispyrkeep.testsupport;

import io.whispyrkeep.devinfra.kafka.KafkaAcls;
import io.whispyrkeep.devinfra.kafka.KafkaServer;
import io.whispyrkeep.devinfra.kafka.KafkaStarter;
import io.whispyrkeep.devinfra.kafka.KafkaTopics;
import io.whispyrkeep.devinfra.postgres.PostgresServer;
import io.whispyrkeep.devinfra.postgres.PostgresStarter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * PostgreSQL and Kafka started once per test JVM and shared by every test class; stopped by a
 * shutdown hook when the JVM ends. Test classes isolate themselves by database, not by server.
 */
public final class SharedInfrastructure {

  private static final Logger LOG = Logger.getLogger(SharedInfrastructure.class);

  /** The image used when Docker is available; same major version as the embedded binaries. */
  public static final String POSTGRES_IMAGE = "postgres:17-alpine";

  private static PostgresServer postgres;
  private static KafkaServer kafka;
  private static Path scratch;

  private SharedInfrastructure() {}

  public static synchronized PostgresServer postgres() {
    if (postgres == null) {
      postgres =
          PostgresStarter.fromEnvironment()
              .orElseGet(
                  () ->
                      DockerProbe.isDockerAvailable()
                          ? startContainer()
                          : PostgresStarter.startEmbedded(0, null));
      registerShutdown(postgres);
    }
    return postgres;
  }

  public static synchronized KafkaServer kafka() {
    if (kafka == null) {
      kafka = KafkaStarter.startThrowaway(scratch().resolve("kafka"));
      KafkaTopics.createSuiteTopics(kafka);
      KafkaAcls.applySuiteAcls(kafka);
      registerShutdown(kafka);
    }
    return kafka;
  }

  /** PostgreSQL in a Testcontainers container, same major version as the embedded binaries. */
  @SuppressWarnings("resource")
  private static PostgresServer startContainer() {
    PostgreSQLContainer container = new PostgreSQLContainer(POSTGRES_IMAGE);
    container.start();
    LOG.infof("PostgreSQL container started at %s", container.getJdbcUrl());
    return new PostgresServer(
        "testcontainers",
        container.getHost(),
        container.getMappedPort(5432),
        container.getUsername(),
        container.getPassword(),
        container::stop);
  }

  /** The broker this JVM already started, without starting one. */
  public static synchronized java.util.Optional<KafkaServer> runningKafka() {
    return java.util.Optional.ofNullable(kafka);
  }

  private static Path scratch() {
    if (scratch == null) {
      try {
        scratch = Files.createTempDirectory("whispyrkeep-test-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(scratch)));
    }
    return scratch;
  }

  private static void registerShutdown(AutoCloseable resource) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    resource.close();
                  } catch (Exception e) {
                    LOG.warnf(e, "could not stop %s", resource);
                  }
                }));
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      LOG.debugf(e, "could not delete %s", root);
    }
  }
}
