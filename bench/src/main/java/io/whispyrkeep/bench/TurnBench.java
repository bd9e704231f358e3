package io.whispyrkeep.bench;

import io.whispyrkeep.devinfra.kafka.KafkaServer;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.devinfra.postgres.PostgresServer;
import io.whispyrkeep.devinfra.process.PackagedService;
import io.whispyrkeep.narrator.OfflineNarrator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A turn end to end on packaged services: {@code POST /campaigns/{id}/turns} on turn-service
 * (cleaning, injection heuristics, the turn stored under the campaign lock, token exchange at
 * auth-service, keyvault-service's broker with the player's key, the offline narrator, the patch
 * validated and applied under the lock) beside {@code GET /campaigns/{id}} of the same service (JWT
 * check and one indexed read), at 1, 16 and 64 concurrent players with one campaign each.
 * PostgreSQL and Kafka start as the tests start them; the offline narrator is the OpenAI-compatible
 * STAND-IN for LLM providers.
 *
 * <p>Usage: {@code TurnBench <seconds per measurement>}
 */
public final class TurnBench {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern STRING_FIELD = Pattern.compile("\"%s\":\"([^\"]+)\"");
  private static final int PLAYERS = 64;

  private TurnBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    try (BenchInfrastructure infrastructure = BenchInfrastructure.start();
        OfflineNarrator narrator = OfflineNarrator.start("127.0.0.1", 0)) {
      run(infrastructure.postgres(), infrastructure.kafka(), narrator, seconds);
    }
  }

  private static void run(
      PostgresServer postgres, KafkaServer kafka, OfflineNarrator narrator, int seconds)
      throws Exception {
    Path work = Files.createTempDirectory("wk-turn-bench-");
    String suffix = Long.toString(System.currentTimeMillis());
    for (String db : List.of("auth", "keyvault", "turn")) {
      postgres.createDatabase(db + "_bench_" + suffix);
    }
    String clientSecret = randomKey();
    Path signingKey = work.resolve("jwt-signing-key.pem");
    Files.writeString(signingKey, TestJwtKeys.privateKeyPem(TestJwtKeys.generate()));

    Map<String, String> authEnv =
        new HashMap<>(
            PackagedService.environment(postgres, kafka, "auth_bench_" + suffix, "auth-service"));
    authEnv.put("WK_JWT_SIGNING_KEY_FILE", signingKey.toString());
    authEnv.put("WK_CLIENT_TURN_SERVICE_SECRET_SHA256", sha256Hex(clientSecret));
    authEnv.put("WHISPYRKEEP_AUTH_RATE_LIMIT_LOGIN_PER_MINUTE", "100000");
    authEnv.put("WHISPYRKEEP_AUTH_RATE_LIMIT_REGISTER_PER_MINUTE", "100000");
    try (PackagedService auth =
        PackagedService.start("auth-service", authEnv, Map.of(), work.resolve("auth.log"))) {
      String jwks = auth.uri("/auth/jwks").toString();
      Map<String, String> keyvaultEnv =
          new HashMap<>(
              PackagedService.environment(
                  postgres, kafka, "keyvault_bench_" + suffix, "keyvault-service"));
      keyvaultEnv.put("WHISPYRKEEP_JWT_JWKS_URL", jwks);
      keyvaultEnv.put("WHISPYRKEEP_KEYVAULT_CUSTODY_LOCAL_MASTER_KEY", randomKey());
      keyvaultEnv.put("WK_KEYVAULT_FINGERPRINT_KEY", randomKey());
      keyvaultEnv.put("WK_OFFLINE_NARRATOR_ENABLED", "true");
      keyvaultEnv.put("WK_OFFLINE_NARRATOR_URL", narrator.baseUrl());
      try (PackagedService keyvault =
          PackagedService.start(
              "keyvault-service", keyvaultEnv, Map.of(), work.resolve("keyvault.log"))) {
        Map<String, String> turnEnv =
            new HashMap<>(
                PackagedService.environment(
                    postgres, kafka, "turn_bench_" + suffix, "turn-service"));
        turnEnv.put("WHISPYRKEEP_JWT_JWKS_URL", jwks);
        turnEnv.put("WK_AUTH_URL", auth.uri("").toString());
        turnEnv.put("WK_KEYVAULT_URL", keyvault.uri("").toString());
        turnEnv.put("WK_CLIENT_SECRET", clientSecret);
        turnEnv.put("WHISPYRKEEP_TURN_RATE_LIMIT_TURNS_PER_MINUTE", "1000000");
        try (PackagedService turn =
            PackagedService.start("turn-service", turnEnv, Map.of(), work.resolve("turn.log"))) {
          measureAll(auth, keyvault, turn, seconds);
        }
      }
    }
  }

  private static void measureAll(
      PackagedService auth, PackagedService keyvault, PackagedService turn, int seconds)
      throws Exception {
    List<String[]> players = new ArrayList<>();
    for (int i = 0; i < PLAYERS; i++) {
      String token = newPlayer(auth);
      send(
          keyvault.uri("/keys/offline"),
          token,
          "PUT",
          "{\"apiKey\":\"offline-bench-" + i + "-key\"}",
          201);
      String created =
          send(
              turn.uri("/campaigns"),
              token,
              "POST",
              "{\"name\":\"Bench\",\"provider\":\"offline\"}",
              201);
      players.add(new String[] {token, field(created, "id")});
    }
    System.out.printf(
        "%nturn-service: a turn end to end vs GET /campaigns/{id} (%d s each, same run)%n",
        seconds);
    System.out.printf(
        "%-12s %-8s %10s %10s %10s %10s%n",
        "players", "path", "calls/s", "p50 ms", "p99 ms", "errors");
    for (int concurrency : List.of(1, 16, 64)) {
      measure(turn, players, concurrency, 2, false);
      measure(turn, players, concurrency, 2, true);
      Latencies bare = null;
      Latencies turns = null;
      for (int round = 0; round < 2; round++) {
        bare = Latencies.merge(bare, measure(turn, players, concurrency, seconds / 2, false));
        turns = Latencies.merge(turns, measure(turn, players, concurrency, seconds / 2, true));
      }
      bare.print(concurrency, "bare");
      turns.print(concurrency, "turn");
    }
  }

  /** Closed loop: {@code concurrency} players, each sending its next request when one returns. */
  private static Latencies measure(
      PackagedService turn, List<String[]> players, int concurrency, int seconds, boolean turns)
      throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(concurrency);
    long end = System.nanoTime() + Duration.ofSeconds(Math.max(1, seconds)).toNanos();
    List<Future<Latencies>> futures = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      String[] player = players.get(i % players.size());
      futures.add(
          callers.submit(
              () -> {
                Latencies result = new Latencies();
                int n = 0;
                while (System.nanoTime() < end) {
                  HttpRequest.Builder request =
                      HttpRequest.newBuilder(
                              turn.uri("/campaigns/" + player[1] + (turns ? "/turns" : "")))
                          .header("Authorization", "Bearer " + player[0])
                          .timeout(Duration.ofSeconds(60));
                  if (turns) {
                    request
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", UUID.randomUUID().toString())
                        .POST(
                            HttpRequest.BodyPublishers.ofString(
                                "{\"userInput\":\"I walk on along the road, step " + n++ + ".\"}"));
                  }
                  long start = System.nanoTime();
                  HttpResponse<String> response =
                      HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                  long took = System.nanoTime() - start;
                  if (response.statusCode() == (turns ? 201 : 200)) {
                    result.latenciesNanos.add(took);
                  } else {
                    result.errors++;
                  }
                }
                result.seconds = seconds;
                return result;
              }));
    }
    Latencies total = new Latencies();
    for (Future<Latencies> future : futures) {
      Latencies part = future.get();
      total.latenciesNanos.addAll(part.latenciesNanos);
      total.errors += part.errors;
      total.seconds = part.seconds;
    }
    callers.shutdown();
    return total;
  }

  /** Registers and logs in a new player at auth-service; their access token. */
  private static String newPlayer(PackagedService auth) throws Exception {
    String email = "bench-" + UUID.randomUUID() + "@example.com";
    String password = "Bench-Player-" + UUID.randomUUID() + "-9x!";
    String credentials = "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
    String registration =
        "{\"email\":\""
            + email
            + "\",\"password\":\""
            + password
            + "\",\"displayName\":\"Bench player\"}";
    send(auth.uri("/auth/register"), null, "POST", registration, 201);
    return field(send(auth.uri("/auth/login"), null, "POST", credentials, 200), "access_token");
  }

  private static String send(URI uri, String token, String method, String body, int expected)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(30));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expected) {
      throw new IllegalStateException(method + " " + uri.getPath() + ": " + response.statusCode());
    }
    return response.body();
  }

  private static String field(String json, String name) {
    Matcher matcher = Pattern.compile(String.format(STRING_FIELD.pattern(), name)).matcher(json);
    if (!matcher.find()) {
      throw new IllegalStateException("no " + name + " in the answer");
    }
    return matcher.group(1);
  }

  private static String randomKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static String sha256Hex(String secret) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
  }
}
