package io.whispyrkeep.bench;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.whispyrkeep.devinfra.kafka.KafkaServer;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.devinfra.keys.TestTokens;
import io.whispyrkeep.devinfra.postgres.PostgresServer;
import io.whispyrkeep.devinfra.process.PackagedService;
import io.whispyrkeep.narrator.OfflineNarrator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the outbound broker adds to a provider call: latency (p50/p99) and calls per second of
 * {@code POST /internal/llm/offline/chat} on a packaged keyvault-service (delegated token checked,
 * {@code key.used} committed to the outbox, the key decrypted by the embedded transit engine, the
 * call made) beside calling the offline narrator (the OpenAI-compatible stand-in) directly, in the
 * same run, at 1 and 16 concurrent callers. PostgreSQL and Kafka start as the tests start them.
 *
 * <p>Usage: {@code BrokerBench <seconds per measurement>}
 */
public final class BrokerBench {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String BODY =
      "{\"model\":\"offline-narrator\",\"messages\":[{\"role\":\"user\",\"content\":"
          + "\"I light the lantern and step into the cave.\"}],\"max_tokens\":200}";

  private static final SecureRandom RANDOM = new SecureRandom();

  private BrokerBench() {}

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
    Path work = Files.createTempDirectory("wk-keyvault-bench-");
    String database = "keyvault_bench_" + System.currentTimeMillis();
    postgres.createDatabase(database);
    Map<String, String> env =
        new HashMap<>(PackagedService.environment(postgres, kafka, database, "keyvault-service"));
    env.put("WHISPYRKEEP_JWT_JWKS_URL", TestJwtKeys.jwksFile().toUri().toString());
    env.put("WHISPYRKEEP_JWT_ISSUER", TestTokens.ISSUER);
    env.put("WHISPYRKEEP_KEYVAULT_CUSTODY_LOCAL_MASTER_KEY", randomKey());
    env.put("WK_KEYVAULT_FINGERPRINT_KEY", randomKey());
    env.put("WK_OFFLINE_NARRATOR_ENABLED", "true");
    env.put("WK_OFFLINE_NARRATOR_URL", narrator.baseUrl());
    try (PackagedService keyvault =
        PackagedService.start("keyvault-service", env, Map.of(), work.resolve("keyvault.log"))) {
      // One player per caller, as in the game (a player takes one turn at a time; the broker
      // allows a player only a few calls at once).
      List<String> players = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String player = UUID.randomUUID().toString();
        players.add(player);
        HttpResponse<String> stored =
            HTTP.send(
                HttpRequest.newBuilder(keyvault.uri("/keys/offline"))
                    .header(
                        "Authorization",
                        "Bearer " + TestTokens.valid(player, "keyvault-service", "player"))
                    .header("Content-Type", "application/json")
                    .PUT(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"apiKey\":\"offline-bench-key-0123456789\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (stored.statusCode() != 201) {
          throw new IllegalStateException("storing the key failed: " + stored.statusCode());
        }
      }
      URI direct = URI.create(narrator.baseUrl() + "/chat/completions");
      URI broker = keyvault.uri("/internal/llm/offline/chat");
      System.out.printf(
          "%nkeyvault-service broker vs the offline narrator called directly (%d s each, same run)%n",
          seconds);
      System.out.printf(
          "%-12s %-8s %10s %10s %10s %10s%n",
          "concurrency", "path", "calls/s", "p50 ms", "p99 ms", "errors");
      for (int concurrency : List.of(1, 16)) {
        // warm-up, then two alternating rounds so drift on a shared machine hits both paths alike
        measure(direct, "Bearer offline-bench-key-0123456789", concurrency, 3);
        measure(broker, null, concurrency, 3, players);
        Latencies directResult = null;
        Latencies brokerResult = null;
        for (int round = 0; round < 2; round++) {
          directResult =
              Latencies.merge(
                  directResult,
                  measure(direct, "Bearer offline-bench-key-0123456789", concurrency, seconds / 2));
          brokerResult =
              Latencies.merge(
                  brokerResult, measure(broker, null, concurrency, seconds / 2, players));
        }
        directResult.print(concurrency, "direct");
        brokerResult.print(concurrency, "broker");
        System.out.printf(
            "%-12d %-8s %10s %10.2f %10.2f   (broker minus direct)%n",
            concurrency,
            "added",
            "",
            brokerResult.percentile(50) - directResult.percentile(50),
            brokerResult.percentile(99) - directResult.percentile(99));
      }
    }
  }

  private static String randomKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static Latencies measure(URI uri, String authorization, int concurrency, int seconds)
      throws Exception {
    return measure(uri, authorization, concurrency, seconds, null);
  }

  /** Closed loop: {@code concurrency} callers, each sending its next call when one returns. */
  private static Latencies measure(
      URI uri, String authorization, int concurrency, int seconds, List<String> players)
      throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(concurrency);
    long end = System.nanoTime() + Duration.ofSeconds(Math.max(1, seconds)).toNanos();
    List<Future<Latencies>> futures = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      String player = players == null ? null : players.get(i % players.size());
      futures.add(
          callers.submit(
              () -> {
                Latencies result = new Latencies();
                String token = player == null ? null : delegated(player);
                while (System.nanoTime() < end) {
                  HttpRequest request =
                      HttpRequest.newBuilder(uri)
                          .header("Content-Type", "application/json")
                          .header(
                              "Authorization",
                              authorization != null ? authorization : "Bearer " + token)
                          .POST(HttpRequest.BodyPublishers.ofString(BODY))
                          .timeout(Duration.ofSeconds(30))
                          .build();
                  long start = System.nanoTime();
                  HttpResponse<String> response =
                      HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                  long took = System.nanoTime() - start;
                  if (response.statusCode() == 200) {
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

  /** A delegated token as auth-service's token exchange issues it (test signing key). */
  private static String delegated(String player) {
    return Jwt.issuer(TestTokens.ISSUER)
        .audience("keyvault-service")
        .subject(player)
        .claim("act", Map.of("sub", "turn-service"))
        .claim("scope", "llm:invoke")
        .issuedAt(Instant.now())
        .expiresAt(Instant.now().plusSeconds(300))
        .jws()
        .keyId(TestJwtKeys.KEY_ID)
        .algorithm(SignatureAlgorithm.RS256)
        .sign(TestJwtKeys.privateKey());
  }
}
