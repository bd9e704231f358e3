package io.whispyrkeep.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.whispyrkeep.devinfra.kafka.KafkaAcls;
import io.whispyrkeep.devinfra.kafka.KafkaCredentials;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Runs {@code ./run-local.sh} as a user would (with its data in a temporary folder), checks every
 * port, the front door's routing and headers, and that stopping it leaves nothing running.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalSuiteTest {

  private static final Duration STARTUP = Duration.ofSeconds(300);
  private static final List<Integer> PORTS =
      List.of(8080, 8081, 8082, 8083, 8084, 8090, 15432, 19092);

  private final HttpClient http = HttpClient.newHttpClient();
  private Path localDir;
  private Path output;
  private Process launcher;

  @BeforeAll
  void startLauncher() throws Exception {
    Path root = Path.of(System.getProperty("whispyrkeep.root", "..")).toAbsolutePath().normalize();
    localDir = Files.createTempDirectory("wk-local-");
    output = localDir.resolve("run-local.out");
    ProcessBuilder builder =
        new ProcessBuilder("bash", "run-local.sh")
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    builder.environment().put("WK_LOCAL_DIR", localDir.toString());
    launcher = builder.start();
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (!Files.readString(output).contains("WhispyrKeep suite is ready.")) {
      if (!launcher.isAlive() || System.nanoTime() > deadline) {
        fail("launcher did not become ready:\n" + Files.readString(output));
      }
      TimeUnit.MILLISECONDS.sleep(500);
    }
  }

  /** Ctrl-C (SIGTERM here) stops everything: the launcher exits and every port is free. */
  @AfterAll
  void stop_leavesNothingRunning() throws Exception {
    launcher.destroy();
    assertThat(launcher.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(output)).contains("everything stopped");
    for (int port : PORTS) {
      assertThat(isFree(port)).as("port %d free after stop", port).isTrue();
    }
  }

  /**
   * {@code ./run-local.sh --smoke} on the suite already running: the whole journey of {@link
   * io.whispyrkeep.launcher.journey.Journey} through the front door, every step passed, and the
   * running suite left running.
   */
  @Test
  void smoke_onTheRunningSuite_everyJourneyStepPasses() throws Exception {
    Path root = Path.of(System.getProperty("whispyrkeep.root", "..")).toAbsolutePath().normalize();
    Path smokeOutput = localDir.resolve("smoke.out");
    ProcessBuilder builder =
        new ProcessBuilder("bash", "run-local.sh", "--smoke")
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(smokeOutput.toFile());
    builder.environment().put("WK_LOCAL_DIR", localDir.toString());
    Process smoke = builder.start();
    assertThat(smoke.waitFor(300, TimeUnit.SECONDS)).as("smoke finished").isTrue();
    String printed = Files.readString(smokeOutput);
    assertThat(smoke.exitValue()).as(printed).isZero();
    assertThat(printed).contains("Using the suite already running").contains("Smoke test passed.");
    assertThat(printed.lines().filter(line -> line.startsWith("ok ")).count())
        .as(printed)
        .isEqualTo(io.whispyrkeep.launcher.journey.Journey.STEPS);
    assertThat(launcher.isAlive()).isTrue();
    HttpResponse<String> ready = get("http://127.0.0.1:8081/q/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
  }

  /** The README's "First five minutes" curl walk-through, run as written against the suite. */
  @Test
  void readmeFirstFiveMinutes_runsAsWritten() throws Exception {
    Path root = Path.of(System.getProperty("whispyrkeep.root", "..")).toAbsolutePath().normalize();
    String readme = Files.readString(root.resolve("README.md"));
    String block =
        readme.substring(
            readme.indexOf("<!-- first-five-minutes:begin -->"),
            readme.indexOf("<!-- first-five-minutes:end -->"));
    String script = block.substring(block.indexOf("```bash\n") + 8, block.lastIndexOf("```"));
    Path file = localDir.resolve("first-five-minutes.sh");
    Files.writeString(file, "set -euo pipefail\n" + script);
    Path walkOutput = localDir.resolve("first-five-minutes.out");
    ProcessBuilder builder =
        new ProcessBuilder("bash", file.toString())
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(walkOutput.toFile());
    builder.environment().put("WK_LOCAL_DIR", localDir.toString());
    Process walk = builder.start();
    assertThat(walk.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String printed = Files.readString(walkOutput);
    assertThat(walk.exitValue()).as(printed).isZero();
    assertThat(printed)
        .contains("\"displayName\":\"Ada\"")
        .contains("\"provider\":\"offline\"")
        .contains("\"narrative\"")
        .contains("\"stateVersion\"")
        .contains("\"gameTime\"")
        .contains("\"items\"")
        .doesNotContain("offline-demo-key-0123456789");
  }

  @Test
  void everyService_readyOnItsPort() throws Exception {
    for (int port : List.of(8081, 8082, 8083, 8084)) {
      HttpResponse<String> response = get("http://127.0.0.1:" + port + "/q/health/ready");
      assertThat(response.statusCode()).as("port %d", port).isEqualTo(200);
      assertThat(response.body()).contains("\"UP\"");
    }
  }

  @Test
  void postgresAndKafka_reachableOnFixedPorts() throws Exception {
    try (var connection = superuser("auth");
        var result = connection.createStatement().executeQuery("SELECT count(*) FROM outbox")) {
      assertThat(result.next()).isTrue();
    }
    try (Admin admin = Admin.create(kafkaClient(KafkaCredentials.ADMIN))) {
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .contains("security.events", "security.events.dlq", "security.alerts");
    }
  }

  @Test
  void kafka_refusesAnonymousClients_andEnforcesTheSuiteAcls() throws Exception {
    Properties anonymous = new Properties();
    anonymous.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:19092");
    // An anonymous client gets no answer; give up after a few seconds (the request timeout may not
    // exceed the overall API timeout, or the client refuses its own configuration).
    anonymous.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    anonymous.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
    try (Admin admin = Admin.create(anonymous)) {
      assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    }
    Properties turn = kafkaClient("turn-service");
    turn.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(turn, new StringSerializer(), new StringSerializer())) {
      assertThatThrownBy(
              () ->
                  producer
                      .send(new ProducerRecord<>("security.alerts", "k", "{}"))
                      .get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(TopicAuthorizationException.class);
    }
    try (Admin admin = Admin.create(kafkaClient(KafkaCredentials.ADMIN))) {
      assertThat(
              admin
                  .describeAcls(AclBindingFilter.ANY)
                  .values()
                  .get(30, TimeUnit.SECONDS)
                  .containsAll(KafkaAcls.suiteAcls()))
          .isTrue();
    }
  }

  /** Client settings for a principal, with its password from the generated kafka-users.env. */
  private Properties kafkaClient(String principal) throws IOException {
    Properties users = new Properties();
    try (var reader = Files.newBufferedReader(localDir.resolve("secrets/kafka-users.env"))) {
      users.load(reader);
    }
    Map<String, String> passwords = new HashMap<>();
    for (String name : KafkaCredentials.principals()) {
      passwords.put(name, users.getProperty(LocalSecrets.kafkaVariable(name)));
    }
    return new KafkaCredentials(passwords).clientProperties("127.0.0.1:19092", principal);
  }

  @Test
  void frontDoor_routesEachPrefixToItsService() throws Exception {
    // Each service answers with its own problem+json (and request id); the front door's own 404
    // for unrouted paths carries none.
    HttpResponse<String> wellKnown = get("http://127.0.0.1:8080/.well-known/nothing");
    assertThat(wellKnown.statusCode()).isEqualTo(404); // public on auth-service, nothing there
    assertThat(wellKnown.body()).contains("\"instance\":\"/.well-known/nothing\"");
    for (String path : List.of("/auth/x", "/keys/x", "/campaigns/x", "/audit/x")) {
      HttpResponse<String> response = get("http://127.0.0.1:8080" + path);
      assertThat(response.statusCode()).as(path).isEqualTo(401);
      assertThat(response.body()).contains("\"instance\":\"" + path + "\"");
      assertThat(response.headers().firstValue("X-Request-ID")).isPresent();
    }
    HttpResponse<String> unrouted = get("http://127.0.0.1:8080/elsewhere");
    assertThat(unrouted.statusCode()).isEqualTo(404);
    assertThat(unrouted.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(unrouted.headers().firstValue("X-Request-ID")).isEmpty();
  }

  @Test
  void frontDoor_passesServiceSecurityHeaders() throws Exception {
    HttpResponse<String> response = get("http://127.0.0.1:8080/auth/nothing-here");
    assertThat(response.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(csp -> assertThat(csp).contains("frame-ancestors 'none'"));
    assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  @Test
  void localSecrets_generatedOwnerOnly() throws Exception {
    Path admin = localDir.resolve("admin.env");
    assertThat(Files.readString(admin)).contains("WK_ADMIN_EMAIL=").contains("WK_ADMIN_PASSWORD=");
    for (Path secret :
        List.of(
            admin,
            localDir.resolve("secrets/jwt-signing-key.pem"),
            localDir.resolve("secrets/audit-checkpoint-key.pem"),
            localDir.resolve("secrets/transit-master.key"),
            localDir.resolve("secrets/service-clients.env"),
            localDir.resolve("secrets/event-keys/auth-service.pem"),
            localDir.resolve("secrets/event-keys/keyvault-service.pem"),
            localDir.resolve("secrets/event-keys/turn-service.pem"),
            localDir.resolve("secrets/event-keys/audit-service.pem"),
            localDir.resolve("secrets/kafka-users.env"),
            localDir.resolve("secrets/postgres.env"),
            localDir.resolve("data/kafka/server.properties"))) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
          .as(secret.toString())
          .isEqualTo("rw-------");
    }
    Properties credentials = new Properties();
    try (var reader = Files.newBufferedReader(admin)) {
      credentials.load(reader);
    }
    assertThat(Files.readString(output))
        .doesNotContain(credentials.getProperty("WK_ADMIN_PASSWORD"));
    Properties passwords = new Properties();
    try (var reader = Files.newBufferedReader(localDir.resolve("secrets/kafka-users.env"))) {
      passwords.load(reader);
    }
    List<Path> logs =
        new java.util.ArrayList<>(List.of(output, localDir.resolve("data/kafka/broker.log")));
    try (var files = Files.list(localDir.resolve("logs"))) {
      files.forEach(logs::add);
    }
    try (var reader = Files.newBufferedReader(localDir.resolve("secrets/postgres.env"))) {
      passwords.load(reader); // the database passwords too
    }
    for (Path log : logs) {
      String text = Files.readString(log);
      for (String password : passwords.stringPropertyNames()) {
        assertThat(text).as(log.toString()).doesNotContain(passwords.getProperty(password));
      }
    }
  }

  @Test
  void authEvent_signedWithAuthServiceKey_storedByAuditAsAuthentic() throws Exception {
    String email = "nobody-" + System.nanoTime() + "@whispyrkeep.local";
    HttpResponse<String> failed =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/auth/login"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"email\":\"" + email + "\",\"password\":\"Wrong-Password-123!\"}"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(failed.statusCode()).isEqualTo(401);
    // Stored only if audit-service found it signed by the key it trusts for auth-service.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              try (var connection = superuser("audit");
                  var result =
                      connection
                          .createStatement()
                          .executeQuery(
                              "SELECT count(*) FROM audit_event WHERE source = 'auth-service'"
                                  + " AND length(signing_key_id) = 43"
                                  + " AND length(signature) = 64")) {
                return result.next() && result.getLong(1) > 0;
              }
            });
  }

  @Test
  void firstAdmin_fromAdminEnv_signsInThroughTheFrontDoor() throws Exception {
    Properties credentials = new Properties();
    try (var reader = Files.newBufferedReader(localDir.resolve("admin.env"))) {
      credentials.load(reader);
    }
    String body =
        "{\"email\":\""
            + credentials.getProperty("WK_ADMIN_EMAIL")
            + "\",\"password\":\""
            + credentials.getProperty("WK_ADMIN_PASSWORD")
            + "\"}";
    HttpResponse<String> login =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    assertThat(login.body()).contains("access_token").contains("refresh_token");

    // The same player stores a key for the offline narrator through the front door:
    // keyvault-service
    // runs with its embedded transit engine, and the narrator (provider "offline") is enabled.
    String token = login.body().replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
    String key = "offline-launcher-" + java.util.UUID.randomUUID();
    HttpResponse<String> stored =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/keys/offline"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"apiKey\":\"" + key + "\"}"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(stored.statusCode()).as(stored.body()).isIn(200, 201);
    assertThat(stored.body()).contains("\"provider\":\"offline\"").doesNotContain(key);
    assertThat(get("http://127.0.0.1:8080/internal/llm/offline/chat").statusCode()).isEqualTo(404);
    assertThat(get("http://127.0.0.1:8090/health").statusCode()).isEqualTo(200);
    assertThat(Files.readString(localDir.resolve("logs/keyvault-service.log"))).doesNotContain(key);
  }

  @Test
  void clientAddress_frontDoorPassesRealPeer_directPortIgnoresForwardedFor() throws Exception {
    // Through the front door from 127.0.0.3, claiming another address (and asking for an
    // upgrade, which once tunnelled the client's own header): the event records 127.0.0.3.
    String viaFrontDoor = "via-door-" + UUID.randomUUID() + "@example.com";
    RawHttp.Response door =
        RawHttp.send(
            "127.0.0.3",
            8080,
            RawHttp.postJson(
                "/auth/login",
                Map.of("X-Forwarded-For", "203.0.113.9", "Forwarded", "for=203.0.113.10"),
                loginJson(viaFrontDoor)));
    assertThat(door.status()).as(door.body()).isEqualTo(401);
    // Straight to auth-service's port from 127.0.0.4: not the front door, so the header is
    // ignored and the event records the peer.
    String direct = "direct-" + UUID.randomUUID() + "@example.com";
    RawHttp.Response service =
        RawHttp.send(
            "127.0.0.4",
            8081,
            RawHttp.postJson(
                "/auth/login", Map.of("X-Forwarded-For", "203.0.113.9"), loginJson(direct)));
    assertThat(service.status()).as(service.body()).isEqualTo(401);

    assertThat(loginFailureClientIp(viaFrontDoor)).isEqualTo("127.0.0.3");
    assertThat(loginFailureClientIp(direct)).isEqualTo("127.0.0.4");
  }

  @Test
  void frontDoor_traversalToMetrics_400ProblemAndQPathsNotRouted() throws Exception {
    for (String path : List.of("/auth/%2e%2e/q/metrics", "/auth/../q/metrics", "//q/metrics")) {
      RawHttp.Response response =
          RawHttp.send(
              8080, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      assertThat(response.status()).as(path).isEqualTo(400);
      assertThat(response.header("Content-Type")).isEqualTo("application/problem+json");
      assertThat(response.body()).doesNotContain("jvm_");
    }
    HttpResponse<String> metrics = get("http://127.0.0.1:8080/q/metrics");
    assertThat(metrics.statusCode()).isEqualTo(404);
    assertThat(metrics.body()).doesNotContain("jvm_");
  }

  private static String loginJson(String email) {
    return "{\"email\":\"" + email + "\",\"password\":\"Wrong-Password-123!\"}";
  }

  /** The client IP auth-service recorded on the login failure for {@code email}. */
  private String loginFailureClientIp(String email) throws Exception {
    try (var connection = superuser("auth");
        var statement =
            connection.prepareStatement(
                "SELECT payload::json->>'clientIp' FROM outbox"
                    + " WHERE payload LIKE '%auth.login_failure%' AND payload LIKE ?")) {
      statement.setString(1, "%" + email + "%");
      try (var result = statement.executeQuery()) {
        assertThat(result.next()).as("login failure event for " + email).isTrue();
        return result.getString(1);
      }
    }
  }

  /** A connection to one database as the superuser, with its password from postgres.env. */
  private java.sql.Connection superuser(String database) throws Exception {
    return connect(database, "postgres");
  }

  private java.sql.Connection connect(String database, String role) throws Exception {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:15432/" + database, role, databasePassword(role));
  }

  private String databasePassword(String role) throws IOException {
    Properties passwords = new Properties();
    try (var reader = Files.newBufferedReader(localDir.resolve("secrets/postgres.env"))) {
      passwords.load(reader);
    }
    return passwords.getProperty("WK_POSTGRES_" + role.toUpperCase() + "_PASSWORD");
  }

  /**
   * As in production, nobody reaches PostgreSQL without a password, the superuser included, and
   * each service's role reaches only its own database; audit-service runs as a role that can append
   * to the trail but not change it.
   */
  @Test
  void postgres_passwordsRequired_eachServiceOnlyItsOwnDatabase() throws Exception {
    assertThatThrownBy(
            () ->
                DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:15432/auth", "postgres", ""))
        .isInstanceOf(java.sql.SQLException.class);
    assertThatThrownBy(
            () ->
                DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:15432/auth", "postgres", "wrong-password"))
        .isInstanceOf(java.sql.SQLException.class)
        .extracting(e -> ((java.sql.SQLException) e).getSQLState())
        .isEqualTo("28P01");
    try (var connection = connect("auth", "wk_auth");
        var result = connection.createStatement().executeQuery("SELECT count(*) FROM account")) {
      assertThat(result.next()).isTrue();
    }
    for (String[] foreign :
        List.of(
            new String[] {"audit", "wk_auth"},
            new String[] {"auth", "wk_audit_runtime"},
            new String[] {"auth", "wk_turn"},
            new String[] {"keyvault", "wk_turn"})) {
      assertThatThrownBy(() -> connect(foreign[0], foreign[1]).close())
          .as(foreign[1] + " into " + foreign[0])
          .isInstanceOf(java.sql.SQLException.class)
          .extracting(e -> ((java.sql.SQLException) e).getSQLState())
          .isEqualTo("42501");
    }
    try (var connection = connect("audit", "wk_audit_runtime");
        var statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.executeUpdate("UPDATE audit_event SET severity = 'LOW'"))
          .isInstanceOf(java.sql.SQLException.class)
          .extracting(e -> ((java.sql.SQLException) e).getSQLState())
          .isEqualTo("42501");
    }
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
