package io.whispyrkeep.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.whispyrkeep.devinfra.kafka.KafkaServer;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.devinfra.postgres.PostgresServer;
import io.whispyrkeep.devinfra.process.PackagedService;
import io.whispyrkeep.testsupport.SharedInfrastructure;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two auth-service replicas (the packaged application, as deployed) on one PostgreSQL: lockout,
 * rate limits and refresh-token rotation must hold across them, because an attacker's requests are
 * spread over replicas by the load balancer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthReplicasTest {

  private static final String PASSWORD = "Correct-Horse-Battery-9!";
  private static final Pattern REFRESH = Pattern.compile("\"refresh_token\":\"(wkrt_[^\"]+)\"");

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<PackagedService> replicas = new ArrayList<>();
  private Path workDir;

  @BeforeAll
  void startTwoReplicas() throws Exception {
    PostgresServer postgres = SharedInfrastructure.postgres();
    KafkaServer kafka = SharedInfrastructure.kafka();
    String database = "auth_replicas_" + ProcessHandle.current().pid();
    postgres.createDatabase(database);
    workDir = Files.createTempDirectory("wk-auth-replicas-");
    Path key = workDir.resolve("signing-key.pem");
    Files.writeString(key, TestJwtKeys.privateKeyPem(TestJwtKeys.generate()));
    Map<String, String> env =
        new HashMap<>(PackagedService.environment(postgres, kafka, database, "auth-service"));
    env.put("WK_JWT_SIGNING_KEY_FILE", key.toString());
    // This test plays the load balancer in front of the replicas: it connects from 127.0.0.1 and
    // names each client in X-Forwarded-For.
    env.put("WHISPYRKEEP_HTTP_TRUSTED_PROXIES", "127.0.0.1/32");
    for (int i = 0; i < 2; i++) {
      replicas.add(
          PackagedService.start(
              "auth-service", env, Map.of(), workDir.resolve("replica-" + i + ".log")));
    }
  }

  @AfterAll
  void stopReplicas() throws Exception {
    for (PackagedService replica : replicas) {
      replica.close();
    }
  }

  @Test
  void failuresSpreadOverReplicas_lockTheAddressOnBoth() throws Exception {
    String address = randomAddress();
    String email = register(address);
    for (int i = 0; i < 5; i++) {
      assertThat(login(i % 2, email, "Wrong-Password-123!", address).statusCode()).isEqualTo(401);
    }
    assertThat(login(0, email, PASSWORD, address).statusCode()).isEqualTo(401);
    assertThat(login(1, email, PASSWORD, address).statusCode()).isEqualTo(401);
    assertThat(login(1, email, PASSWORD, randomAddress()).statusCode()).isEqualTo(200);
  }

  @Test
  void rateLimit_countedAcrossReplicas() throws Exception {
    String address = randomAddress();
    int allowed = 0;
    boolean limited = false;
    for (int i = 0; i < 61 && !limited; i++) {
      int status = login(i % 2, "nobody-" + i + "@example.com", PASSWORD, address).statusCode();
      if (status == 429) {
        limited = true;
      } else {
        allowed++;
      }
    }
    assertThat(limited).isTrue();
    assertThat(allowed).isBetween(30, 60);
  }

  @Test
  void refreshRotatedOnOneReplica_reuseDetectedOnTheOther() throws Exception {
    String address = randomAddress();
    String email = register(address);
    String first = refreshToken(login(0, email, PASSWORD, address).body());
    HttpResponse<String> rotated =
        post(1, "/auth/refresh", "{\"refresh_token\":\"" + first + "\"}", address);
    assertThat(rotated.statusCode()).isEqualTo(200);
    String second = refreshToken(rotated.body());
    assertThat(
            post(0, "/auth/refresh", "{\"refresh_token\":\"" + first + "\"}", address).statusCode())
        .isEqualTo(401);
    assertThat(
            post(1, "/auth/refresh", "{\"refresh_token\":\"" + second + "\"}", address)
                .statusCode())
        .isEqualTo(401);
  }

  private String register(String address) throws Exception {
    String email = "replica-" + UUID.randomUUID() + "@example.com";
    HttpResponse<String> response =
        post(
            0,
            "/auth/register",
            "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\",\"displayName\":\"R\"}",
            address);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return email;
  }

  private HttpResponse<String> login(int replica, String email, String password, String address)
      throws Exception {
    return post(
        replica,
        "/auth/login",
        "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}",
        address);
  }

  private HttpResponse<String> post(int replica, String path, String json, String address)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(replicas.get(replica).uri(path))
            .header("Content-Type", "application/json")
            .header("X-Forwarded-For", address)
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String refreshToken(String body) {
    Matcher matcher = REFRESH.matcher(body);
    assertThat(matcher.find()).as(body).isTrue();
    return matcher.group(1);
  }

  private static String randomAddress() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return "198.51." + random.nextInt(0, 256) + "." + random.nextInt(1, 255);
  }
}
