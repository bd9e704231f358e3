package io.whispyrkeep.testsupport.process;

import io.whispyrkeep.testsupport.events.TestEventKeys;
import io.whispyrkeep.testsupport.kafka.KafkaServer;
import io.whispyrkeep.testsupport.postgres.PostgresServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One service run as deployed: its packaged {@code quarkus-run.jar} in a child JVM on a free port,
 * output to a log file. Tests and benchmarks use it where the point is the process itself
 * (replicas, crashes, load). The repository root is the system property {@code whispyrkeep.root}
 * (default {@code ..}, a module folder).
 */
public final class PackagedService implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

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
      Awaitility.await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(250))
          .until(this::ready);
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          "service on port " + port + " not ready:\n" + Files.readString(log), e);
    }
  }

  /** Ready on {@code /q/health/ready}; an exited process fails the wait at once. */
  private boolean ready() throws IOException, InterruptedException {
    if (!process.isAlive()) {
      throw new IllegalStateException("service exited:\n" + Files.readString(log));
    }
    try {
      return HTTP.send(
                  HttpRequest.newBuilder(uri("/q/health/ready")).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false; // not listening yet
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
