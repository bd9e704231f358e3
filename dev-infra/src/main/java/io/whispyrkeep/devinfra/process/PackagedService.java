package io.whispyrkeep.devinfra.process;

import io.whispyrkeep.devinfra.kafka.KafkaServer;
import io.whispyrkeep.devinfra.keys.TestEventKeys;
import io.whispyrkeep.devinfra.postgres.PostgresServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service run as deployed: its packaged {@code quarkus-run.jar} in a child JVM on a free port,
 * output to a log file. Tests and benchmarks use it where the point is the process itself
 * (replicas, crashes, load). The repository root is the system property {@code whispyrkeep.root}
 * (default {@code ..}, a module folder).
 */
public final class PackagedService implements AutoCloseable {

  /** System property with extra JVM options for the service, separated by spaces. */
  public static final String JVM_OPTIONS = "whispyrkeep.packaged-service.jvm-options";

  private final Process process;
  private final int port;
  private final Path log;

  private PackagedService(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts {@code service}'s jar with the given environment and system properties; waits ready. */
  public static PackagedService start(
      String service, Map<String, String> env, Map<String, String> properties, Path log)
      throws Exception {
    Path root = Path.of(System.getProperty("whispyrkeep.root", "..")).toAbsolutePath().normalize();
    Path jar = root.resolve(service + "/target/quarkus-app/quarkus-run.jar");
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    // Extra JVM options from the build (tests on 2 cores start their services with C1 only);
    // none for benchmarks, which measure the services as deployed.
    for (String option : System.getProperty(JVM_OPTIONS, "").trim().split("\\s+")) {
      if (!option.isEmpty()) {
        command.add(option);
      }
    }
    properties.forEach((name, value) -> command.add("-D" + name + "=" + value));
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
    builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
    // Its own event signing key and every service's public key, as the local launcher wires them.
    builder.environment().putAll(TestEventKeys.packagedEnvironment(service));
    builder.environment().putAll(env);
    PackagedService started = new PackagedService(builder.start(), port, log);
    started.awaitReady();
    return started;
  }

  /**
   * The environment that points {@code service} at a database of this PostgreSQL and at Kafka as
   * its own principal (the password only: the platform names the principal after the service).
   */
  public static Map<String, String> environment(
      PostgresServer postgres, KafkaServer kafka, String database, String service) {
    return Map.of(
        "QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl(database),
        "QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(database),
        "QUARKUS_DATASOURCE_USERNAME", postgres.username(),
        "QUARKUS_DATASOURCE_PASSWORD", postgres.password(),
        "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
        "WK_KAFKA_PASSWORD", kafka.credentials().password(service));
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed or committed. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  private void awaitReady() throws Exception {
    try {
      ServiceReadiness.await(uri("/"), process, Duration.ofSeconds(120), "service on port " + port);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage() + ":\n" + Files.readString(log), e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
