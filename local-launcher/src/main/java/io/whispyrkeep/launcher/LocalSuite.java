package io.whispyrkeep.launcher;

import io.whispyrkeep.devinfra.kafka.KafkaAcls;
import io.whispyrkeep.devinfra.kafka.KafkaServer;
import io.whispyrkeep.devinfra.kafka.KafkaStarter;
import io.whispyrkeep.devinfra.kafka.KafkaTopics;
import io.whispyrkeep.devinfra.postgres.PostgresServer;
import io.whispyrkeep.devinfra.postgres.PostgresStarter;
import io.whispyrkeep.devinfra.process.ServiceReadiness;
import io.whispyrkeep.launcher.journey.Journey;
import io.whispyrkeep.narrator.OfflineNarrator;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./run-local.sh}: the whole suite on one machine with no Docker. Starts the same PostgreSQL
 * and Kafka as the tests (data under {@code .local/data}, kept across runs), creates databases and
 * topics, generates local secrets on first run, starts the four services and the front door, waits
 * until everything is ready, and stops all of it on Ctrl-C.
 */
public final class LocalSuite {

  /** Fixed local ports, so a user's own tools can connect. */
  public static final int FRONT_DOOR_PORT = 8080;

  /** The offline narrator, keyvault-service's {@code offline} provider (no internet needed). */
  public static final int NARRATOR_PORT = 8090;

  public static final int POSTGRES_PORT = 15432;
  public static final int KAFKA_PORT = 19092;

  /** Service name to HTTP port, in start order. */
  public static final Map<String, Integer> SERVICES = new LinkedHashMap<>();

  static {
    SERVICES.put("auth-service", 8081);
    SERVICES.put("keyvault-service", 8082);
    SERVICES.put("turn-service", 8083);
    SERVICES.put("audit-service", 8084);
  }

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
  private static final String HOST = "127.0.0.1";

  /**
   * The loopback address the front door connects to the services from, and the only peer whose
   * {@code X-Forwarded-For} they believe: a local tool calling a service's port directly comes from
   * 127.0.0.1 and cannot choose its address. Systems whose loopback answers on 127.0.0.1 alone
   * (macOS without an alias) fall back to 127.0.0.1, with a warning.
   */
  static final String FRONT_DOOR_SOURCE = "127.0.0.2";

  private final Path root;
  private final Path local;
  private final PrintStream out;
  private final Deque<AutoCloseable> running = new ArrayDeque<>();
  private String narratorUrl;
  private final List<Process> services = new ArrayList<>();
  private String frontDoorSource = FRONT_DOOR_SOURCE;
  private boolean smoke;

  LocalSuite(Path root, PrintStream out) {
    this.root = root;
    String override = System.getenv("WK_LOCAL_DIR");
    this.local =
        override == null || override.isBlank() ? root.resolve(".local") : Path.of(override);
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    // The starters' own INFO lines would break the progress lines; warnings still show.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    boolean reset = List.of(args).contains("--reset");
    LocalSuite suite = new LocalSuite(Path.of("").toAbsolutePath(), System.out);
    if (List.of(args).contains("--smoke")) {
      System.exit(suite.smoke(reset) ? 0 : 1);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  suite.stop();
                  stopped.countDown();
                },
                "local-suite-shutdown"));
    try {
      suite.start(reset);
    } catch (Exception e) {
      System.err.println("\nrun-local: " + e.getMessage());
      System.exit(1);
    }
    stopped.await();
  }

  /**
   * {@code ./run-local.sh --smoke}: the journey of {@link Journey} through the front door, against
   * the suite already running here or one started for it (and stopped after). True if every step
   * passed.
   */
  boolean smoke(boolean reset) {
    smoke = true;
    boolean started = false;
    try {
      if (frontDoorAnswers()) {
        out.println("Using the suite already running on port " + FRONT_DOOR_PORT + ".");
      } else {
        started = true;
        start(reset);
      }
      out.println();
      out.println("Journey through http://" + HOST + ":" + FRONT_DOOR_PORT + ":");
      List<Journey.StepResult> results =
          new Journey(
                  URI.create("http://" + HOST + ":" + FRONT_DOOR_PORT), local.resolve("admin.env"))
              .run(out);
      boolean passed =
          results.size() == Journey.STEPS && results.stream().allMatch(Journey.StepResult::passed);
      out.println(passed ? "Smoke test passed." : "Smoke test FAILED.");
      return passed;
    } catch (Exception e) {
      System.err.println("\nrun-local: " + e.getMessage());
      return false;
    } finally {
      if (started) {
        stop();
      }
    }
  }

  private static boolean frontDoorAnswers() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, FRONT_DOOR_PORT), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  void start(boolean reset) throws Exception {
    checkPortsFree();
    if (reset) {
      step("Wiping .local/data (--reset)", () -> deleteRecursively(local.resolve("data")));
    }
    Files.createDirectories(local.resolve("logs"));
    frontDoorSource = frontDoorSourceAddress();
    LocalSecrets secrets = step("Local secrets in .local/", () -> LocalSecrets.ensure(local));
    PostgresServer postgres =
        step(
            "PostgreSQL on " + HOST + ":" + POSTGRES_PORT,
            () ->
                PostgresStarter.startEmbedded(
                    POSTGRES_PORT,
                    local.resolve("data").resolve("postgres"),
                    secrets.databasePassword(DatabaseRoles.SUPERUSER)));
    running.push(postgres);
    step(
        "Databases auth, keyvault, turn, audit, one role each",
        () -> {
          for (String service : SERVICES.keySet()) {
            String owner = DatabaseRoles.owner(service);
            String runtime = DatabaseRoles.runtime(service);
            postgres.ensureLoginRole(owner, secrets.databasePassword(owner));
            postgres.ensureLoginRole(runtime, secrets.databasePassword(runtime));
            postgres.createDatabase(database(service), owner, runtime);
          }
          return null;
        });
    KafkaServer kafka =
        step(
            "Kafka on " + HOST + ":" + KAFKA_PORT,
            () ->
                KafkaStarter.startChildJvm(
                    KAFKA_PORT, local.resolve("data").resolve("kafka"), secrets.kafka()));
    running.push(kafka);
    step(
        "Kafka topics and ACLs",
        () -> {
          KafkaTopics.createSuiteTopics(kafka);
          KafkaAcls.applySuiteAcls(kafka);
          return null;
        });
    OfflineNarrator narrator =
        step(
            "Offline narrator (OpenAI-compatible stand-in) on " + HOST + ":" + NARRATOR_PORT,
            () -> OfflineNarrator.start(HOST, NARRATOR_PORT));
    running.push(narrator);
    narratorUrl = narrator.baseUrl();
    for (Map.Entry<String, Integer> service : SERVICES.entrySet()) {
      step(
          "Starting " + service.getKey() + " on " + HOST + ":" + service.getValue(),
          () -> startService(service.getKey(), service.getValue(), postgres, kafka, secrets));
    }
    FrontDoor frontDoor =
        step(
            "Front door on " + HOST + ":" + FRONT_DOOR_PORT,
            () ->
                FrontDoor.start(
                    HOST, FRONT_DOOR_PORT, FrontDoor.routes(SERVICES), frontDoorSource));
    running.push(frontDoor);
    for (Map.Entry<String, Integer> service : SERVICES.entrySet()) {
      step("Waiting for " + service.getKey() + " to be ready", () -> awaitReady(service));
    }
    printSummary();
  }

  private Process startService(
      String name, int port, PostgresServer postgres, KafkaServer kafka, LocalSecrets secrets)
      throws IOException, InterruptedException {
    Path jar =
        root.resolve(name).resolve("target").resolve("quarkus-app").resolve("quarkus-run.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: run mvn package -DskipTests first");
    }
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-jar",
                jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.to(local.resolve("logs").resolve(name + ".log").toFile()));
    Map<String, String> env = builder.environment();
    env.put("QUARKUS_HTTP_HOST", HOST);
    env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
    env.put("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl(database(name)));
    env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(database(name)));
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("WHISPYRKEEP_JWT_JWKS_URL", "http://" + HOST + ":8081/auth/jwks");
    env.put("WHISPYRKEEP_HTTP_TRUSTED_PROXIES", frontDoorSource + "/32");
    env.putAll(secrets.environment(name));
    if (name.equals("keyvault-service")) {
      env.put("WK_OFFLINE_NARRATOR_ENABLED", "true");
      env.put("WK_OFFLINE_NARRATOR_URL", narratorUrl);
    }
    String owner = DatabaseRoles.owner(name);
    String runtime = DatabaseRoles.runtime(name);
    if (!runtime.equals(owner)) {
      // The owner migrates in a one-shot run (as a Kubernetes init container would), so the
      // long-running service never holds the owner's password, only the runtime role's.
      migrate(name, builder, owner, secrets.databasePassword(owner), runtime);
      env.put("QUARKUS_FLYWAY_MIGRATE_AT_START", "false");
    }
    env.put("QUARKUS_DATASOURCE_USERNAME", runtime);
    env.put("QUARKUS_DATASOURCE_PASSWORD", secrets.databasePassword(runtime));
    Process process = builder.start();
    services.add(process);
    return process;
  }

  /**
   * Runs the service's Flyway migrations once as the database owner ({@code quarkus.init-and-exit}:
   * initialise, migrate, exit), granting the runtime role its least privilege; fails unless the run
   * exits cleanly.
   */
  private void migrate(
      String name, ProcessBuilder service, String owner, String ownerPassword, String runtime)
      throws IOException, InterruptedException {
    ProcessBuilder migration =
        new ProcessBuilder(service.command())
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(
                    local.resolve("logs").resolve(name + "-migration.log").toFile()));
    Map<String, String> env = migration.environment();
    env.clear();
    env.putAll(service.environment());
    env.put("QUARKUS_INIT_AND_EXIT", "true");
    env.put("QUARKUS_DATASOURCE_USERNAME", owner);
    env.put("QUARKUS_DATASOURCE_PASSWORD", ownerPassword);
    env.put("WK_AUDIT_RUNTIME_ROLE", runtime);
    Process process = migration.start();
    if (!process.waitFor(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(name + " migration did not finish; see .local/logs");
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          name + " migration failed; see .local/logs/" + name + "-migration.log");
    }
  }

  private Void awaitReady(Map.Entry<String, Integer> service) throws Exception {
    Process process = services.get(new ArrayList<>(SERVICES.keySet()).indexOf(service.getKey()));
    ServiceReadiness.await(
        URI.create("http://" + HOST + ":" + service.getValue()),
        process,
        READY_TIMEOUT,
        service.getKey() + " (see .local/logs/" + service.getKey() + ".log)");
    return null;
  }

  private void printSummary() {
    out.println();
    out.println("WhispyrKeep suite is ready.");
    out.printf(
        "  front door      http://%s:%d  (/auth /.well-known /keys /admin/keys /campaigns /audit)%n",
        HOST, FRONT_DOOR_PORT);
    SERVICES.forEach(
        (name, port) ->
            out.printf(
                "  %-16s http://%s:%d  (log: .local/logs/%s.log)%n", name, HOST, port, name));
    out.printf(
        "  PostgreSQL      %s:%d  databases auth keyvault turn audit, one role each;"
            + " passwords in .local/secrets/postgres.env%n",
        HOST, POSTGRES_PORT);
    out.printf(
        "  Kafka           %s:%d  SASL SCRAM-SHA-512, users in .local/secrets/kafka-users.env%n",
        HOST, KAFKA_PORT);
    out.printf(
        "  offline narrator %s  (OpenAI-compatible stand-in: provider \"offline\")%n", narratorUrl);
    out.println("  first admin     .local/admin.env (WK_ADMIN_EMAIL, WK_ADMIN_PASSWORD)");
    if (!smoke) {
      out.println("Press Ctrl-C to stop everything.");
    }
    out.flush();
  }

  /** Stops services, front door, Kafka and PostgreSQL, in reverse order of start. */
  synchronized void stop() {
    for (Process process : services) {
      process.destroy();
    }
    for (Process process : services) {
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    services.clear();
    while (!running.isEmpty()) {
      AutoCloseable resource = running.pop();
      try {
        resource.close();
      } catch (Exception e) {
        System.err.println("run-local: could not stop " + resource + ": " + e.getMessage());
      }
    }
    out.println("run-local: everything stopped.");
    out.flush();
  }

  private void checkPortsFree() {
    List<Integer> ports =
        new ArrayList<>(
            List.of(FRONT_DOOR_PORT, POSTGRES_PORT, KAFKA_PORT, KAFKA_PORT + 1, NARRATOR_PORT));
    ports.addAll(SERVICES.values());
    List<Integer> taken = new ArrayList<>();
    for (int port : ports) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(HOST, port));
      } catch (IOException e) {
        taken.add(port);
      }
    }
    if (!taken.isEmpty()) {
      throw new IllegalStateException(
          "port(s) "
              + taken
              + " on "
              + HOST
              + " are in use (is the suite already running?). Stop whatever uses them and retry.");
    }
  }

  /** {@link #FRONT_DOOR_SOURCE} when this system can connect from it, else 127.0.0.1. */
  private String frontDoorSourceAddress() {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(FRONT_DOOR_SOURCE, 0));
      return FRONT_DOOR_SOURCE;
    } catch (IOException e) {
      out.println(
          "run-local: warning: cannot use "
              + FRONT_DOOR_SOURCE
              + " ("
              + e.getMessage()
              + "); the services trust X-Forwarded-For from 127.0.0.1, so local processes calling"
              + " their ports directly can choose their client address.");
      return HOST;
    }
  }

  static String database(String service) {
    return service.substring(0, service.indexOf('-'));
  }

  private <T> T step(String label, Step<T> action) throws Exception {
    out.printf("==> %s ...", label);
    out.flush();
    long start = System.nanoTime();
    try {
      T result = action.run();
      out.printf(" ok (%.1f s)%n", (System.nanoTime() - start) / 1e9);
      return result;
    } catch (Exception e) {
      out.println(" FAILED");
      throw e;
    }
  }

  private static Void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return null;
    }
    try (var paths = Files.walk(path)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    return null;
  }

  @FunctionalInterface
  interface Step<T> {
    T run() throws Exception;
  }
}
