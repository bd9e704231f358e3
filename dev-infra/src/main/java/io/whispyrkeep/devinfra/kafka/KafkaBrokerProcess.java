package io.whispyrkeep.devinfra.kafka;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.jboss.logging.Logger;

/**
 * A real Apache Kafka broker in KRaft mode (broker and controller in one node), run in a child JVM
 * from the jars that the {@code kafka-broker} module copies from Maven Central, so the broker's
 * dependencies never meet the client that Quarkus brings. It can be stopped and started again on
 * the same port and data, which is how tests prove that nothing is lost while Kafka is down.
 *
 * <p>Secured as production is: clients authenticate with SASL SCRAM-SHA-512 (users created when the
 * storage is formatted), the controller listener with SASL PLAIN as the broker's super user (SCRAM
 * cannot serve it, and an unauthenticated controller would be {@code User:ANONYMOUS}), and the
 * {@code StandardAuthorizer} denies whatever no ACL allows ({@link KafkaAcls}).
 */
public final class KafkaBrokerProcess implements AutoCloseable {

  /** System property or environment variable naming the folder with the broker's jars. */
  public static final String LIB_PROPERTY = "whispyrkeep.kafka.lib";

  private static final Logger LOG = Logger.getLogger(KafkaBrokerProcess.class);
  // Generous: on a loaded 2-core machine a start has been seen to take over 90 s.
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
  private static final Duration SASL_REFUSED_TIMEOUT = Duration.ofSeconds(60);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SCRAM_MARKER = "scram-users";

  private final int port;
  private final int controllerPort;
  private final Path dataDirectory;
  private final Path libDirectory;
  private final KafkaCredentials credentials;
  private Process process;

  private KafkaBrokerProcess(
      int port,
      int controllerPort,
      Path dataDirectory,
      Path libDirectory,
      KafkaCredentials credentials) {
    this.port = port;
    this.controllerPort = controllerPort;
    this.dataDirectory = dataDirectory;
    this.libDirectory = libDirectory;
    this.credentials = credentials;
  }

  /**
   * Prepares a broker; {@code port} 0 picks a free port. The data directory is formatted on first
   * use only, so a broker on kept data comes back with its topics, offsets, users and ACLs; the
   * credentials must then be the ones it was formatted with.
   */
  public static KafkaBrokerProcess create(
      int port, Path dataDirectory, KafkaCredentials credentials) {
    int brokerPort = port > 0 ? port : freePort();
    int controllerPort = port > 0 ? port + 1 : freePort();
    return new KafkaBrokerProcess(
        brokerPort, controllerPort, dataDirectory, findLibDirectory(), credentials);
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Starts the broker and waits until it answers an admin request. */
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    try {
      Files.createDirectories(dataDirectory);
      Path config = writeConfig();
      if (!Files.exists(dataDirectory.resolve("logs").resolve("meta.properties"))) {
        format(config);
        writeSecret(dataDirectory.resolve(SCRAM_MARKER), "formatted with SCRAM users\n");
      } else if (!Files.exists(dataDirectory.resolve(SCRAM_MARKER))) {
        throw new IllegalStateException(
            "Kafka data in "
                + dataDirectory
                + " was formatted without SASL users; delete it (./run-local.sh --reset) and start"
                + " again");
      }
      ProcessBuilder builder =
          new ProcessBuilder(command("kafka.Kafka", config.toString()))
              .redirectErrorStream(true)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(dataDirectory.resolve("broker.log").toFile()));
      process = builder.start();
      try {
        awaitReady();
      } catch (RuntimeException e) {
        stop(); // never leave a half-started broker holding the port
        throw e;
      }
      LOG.infof("Kafka broker started on %s", bootstrapServers());
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the Kafka broker", e);
    }
  }

  /** Stops the broker with a controlled shutdown (SIGTERM), forcibly after 30 s. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
    LOG.infof("Kafka broker on %s stopped", bootstrapServers());
  }

  @Override
  public void close() {
    stop();
  }

  private Path writeConfig() throws IOException {
    Properties properties = new Properties();
    properties.setProperty("process.roles", "broker,controller");
    properties.setProperty("node.id", "1");
    properties.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    properties.setProperty(
        "listeners", "CLIENT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    properties.setProperty("advertised.listeners", "CLIENT://127.0.0.1:" + port);
    properties.setProperty("controller.listener.names", "CONTROLLER");
    properties.setProperty("inter.broker.listener.name", "CLIENT");
    properties.setProperty(
        "listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
    String admin = KafkaCredentials.ADMIN;
    String adminPassword = credentials.password(admin);
    properties.setProperty("sasl.enabled.mechanisms", KafkaCredentials.MECHANISM);
    properties.setProperty("sasl.mechanism.inter.broker.protocol", KafkaCredentials.MECHANISM);
    properties.setProperty(
        "listener.name.client.scram-sha-512.sasl.jaas.config",
        KafkaCredentials.scramJaasConfig(admin, adminPassword));
    properties.setProperty("sasl.mechanism.controller.protocol", "PLAIN");
    properties.setProperty("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
    properties.setProperty(
        "listener.name.controller.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + admin
            + "\" password=\""
            + adminPassword
            + "\" user_"
            + admin
            + "=\""
            + adminPassword
            + "\";");
    properties.setProperty(
        "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    properties.setProperty("allow.everyone.if.no.acl.found", "false");
    properties.setProperty("super.users", "User:" + admin);
    properties.setProperty("log.dirs", dataDirectory.resolve("logs").toString());
    properties.setProperty("num.partitions", "3");
    properties.setProperty("auto.create.topics.enable", "false");
    properties.setProperty("offsets.topic.replication.factor", "1");
    properties.setProperty("offsets.topic.num.partitions", "3");
    properties.setProperty("transaction.state.log.replication.factor", "1");
    properties.setProperty("transaction.state.log.min.isr", "1");
    properties.setProperty("share.coordinator.state.topic.replication.factor", "1");
    properties.setProperty("share.coordinator.state.topic.min.isr", "1");
    properties.setProperty("min.insync.replicas", "1");
    properties.setProperty("group.initial.rebalance.delay.ms", "0");
    Path config = dataDirectory.resolve("server.properties");
    StringWriter text = new StringWriter();
    properties.store(text, "generated by KafkaBrokerProcess; holds the broker's password");
    writeSecret(config, text.toString());
    return config;
  }

  private void format(Path config) throws IOException {
    List<String> arguments =
        new ArrayList<>(
            List.of("format", "-t", newClusterId(), "-c", config.toString(), "--ignore-formatted"));
    for (String principal : KafkaCredentials.principals()) {
      arguments.add("--add-scram");
      arguments.add(
          KafkaCredentials.MECHANISM
              + "=[name="
              + principal
              + ",password="
              + credentials.password(principal)
              + "]");
    }
    List<String> command = command("kafka.tools.StorageTool", arguments.toArray(String[]::new));
    Process formatter =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(dataDirectory.resolve("broker.log").toFile()))
            .start();
    try {
      if (!formatter.waitFor(60, TimeUnit.SECONDS) || formatter.exitValue() != 0) {
        throw new IllegalStateException(
            "formatting Kafka storage failed; see " + dataDirectory.resolve("broker.log"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while formatting Kafka storage", e);
    }
  }

  private List<String> command(String mainClass, String... arguments) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xms128m");
    command.add("-Xmx512m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Djava.awt.headless=true");
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    command.add("-cp");
    command.add(libDirectory.resolve("*").toString());
    command.add(mainClass);
    command.addAll(List.of(arguments));
    return command;
  }

  private void awaitReady() {
    Properties properties =
        credentials.clientProperties(bootstrapServers(), KafkaCredentials.ADMIN);
    properties.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    properties.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
    long started = System.nanoTime();
    long deadline = started + READY_TIMEOUT.toNanos();
    try (Admin admin = Admin.create(properties)) {
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "Kafka broker exited; see " + dataDirectory.resolve("broker.log"));
        }
        try {
          admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
          admin.listTopics().names().get(2, TimeUnit.SECONDS);
          return;
        } catch (ExecutionException | TimeoutException e) {
          // Refused for a while after start (not merely while the users load): wrong credentials.
          if (e.getCause() instanceof SaslAuthenticationException
              && System.nanoTime() - started > SASL_REFUSED_TIMEOUT.toNanos()) {
            throw new IllegalStateException(
                "the Kafka broker in "
                    + dataDirectory
                    + " refused its super user's password: its data was formatted with other"
                    + " credentials (delete it, or ./run-local.sh --reset)",
                e);
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("Kafka broker not ready after " + READY_TIMEOUT, e);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
      }
    }
  }

  /** A KRaft cluster id: 16 random bytes, base64url; one starting with '-' breaks the CLI. */
  private static String newClusterId() {
    byte[] bytes = new byte[16];
    String id;
    do {
      RANDOM.nextBytes(bytes);
      id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    } while (id.startsWith("-"));
    return id;
  }

  /** Writes a file only the owner can read: it holds passwords. */
  private static void writeSecret(Path file, String content) throws IOException {
    Files.deleteIfExists(file);
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  /**
   * Finds {@code kafka-broker/target/lib}: the {@value #LIB_PROPERTY} property or environment
   * variable, else the {@code whispyrkeep.root} property, else upwards from the working directory.
   */
  static Path findLibDirectory() {
    String configured = System.getProperty(LIB_PROPERTY, System.getenv("WHISPYRKEEP_KAFKA_LIB"));
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    List<Path> roots = new ArrayList<>();
    String root = System.getProperty("whispyrkeep.root");
    if (root != null && !root.isBlank()) {
      roots.add(Path.of(root));
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      roots.add(dir);
    }
    for (Path candidate : roots) {
      Path lib = candidate.resolve("kafka-broker").resolve("target").resolve("lib");
      File kafkaJar = lib.toFile();
      if (kafkaJar.isDirectory()) {
        return lib;
      }
    }
    throw new IllegalStateException(
        "Kafka broker jars not found: build the kafka-broker module first"
            + " (mvn -pl kafka-broker generate-resources) or set "
            + LIB_PROPERTY);
  }
}
