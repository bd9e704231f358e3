package io.whispyrkeep.bench;

import io.whispyrkeep.devinfra.kafka.KafkaServer;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.devinfra.postgres.PostgresServer;
import io.whispyrkeep.devinfra.process.PackagedService;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cost of token verification in auth-service: requests per second on a token-protected path (a
 * valid RS256-3072 JWT, verified by the platform) beside a public path that answers the same 404
 * problem, in the same run, with wrk as the load generator. Measured twice, each against a fresh
 * packaged auth-service: with the cache of verified tokens (the default) and without it ({@code
 * whispyrkeep.jwt.cache.enabled=false}), so the ratio shows what the cache buys. PostgreSQL and
 * Kafka start as the tests start them; the service runs on a free port.
 *
 * <p>Usage: {@code AuthBench <seconds per measurement> <connections>}
 */
public final class AuthBench {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern P50 = Pattern.compile("\\s50%\\s+(\\S+)");
  private static final String PASSWORD = "Correct-Horse-Battery-9!";

  private AuthBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    try (BenchInfrastructure infrastructure = BenchInfrastructure.start()) {
      run(infrastructure.postgres(), infrastructure.kafka(), seconds, connections);
    }
  }

  private static void run(PostgresServer postgres, KafkaServer kafka, int seconds, int connections)
      throws Exception {
    Path work = Files.createTempDirectory("wk-auth-bench-");
    // RSA-3072, as the local launcher and production use (the test keys are 2048).
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(3072);
    Path signingKey = work.resolve("signing.pem");
    Files.writeString(signingKey, TestJwtKeys.privateKeyPem(generator.generateKeyPair()));

    for (boolean cache : List.of(true, false)) {
      String database = "auth_bench_" + System.currentTimeMillis();
      postgres.createDatabase(database);
      Map<String, String> env =
          new HashMap<>(PackagedService.environment(postgres, kafka, database, "auth-service"));
      env.put("WK_JWT_SIGNING_KEY_FILE", signingKey.toString());
      // all load comes from one address
      env.put("WHISPYRKEEP_AUTH_RATE_LIMIT_LOGIN_PER_MINUTE", "100000000");
      env.put("WHISPYRKEEP_AUTH_RATE_LIMIT_REGISTER_PER_MINUTE", "100000000");
      env.put("WHISPYRKEEP_JWT_CACHE_ENABLED", Boolean.toString(cache));
      Path log = work.resolve("auth-" + (cache ? "cache" : "nocache") + ".log");
      try (PackagedService auth = PackagedService.start("auth-service", env, Map.of(), log)) {
        String token = token(auth);
        String protectedUrl = auth.uri("/auth/bench-nothing").toString();
        String publicUrl = auth.uri("/.well-known/bench-nothing").toString();
        // warm-up: JIT, connection handling, the JWKS fetch
        wrk(publicUrl, null, 5, connections);
        wrk(protectedUrl, token, 5, connections);
        // two rounds, alternating, so drift on a shared machine hits both paths alike
        double publicRate = 0;
        double protectedRate = 0;
        String publicP50 = "";
        String protectedP50 = "";
        for (int round = 0; round < 2; round++) {
          String publicOut = wrk(publicUrl, null, seconds, connections);
          String protectedOut = wrk(protectedUrl, token, seconds, connections);
          publicRate += rate(publicOut) / 2;
          protectedRate += rate(protectedOut) / 2;
          publicP50 = p50(publicOut);
          protectedP50 = p50(protectedOut);
        }
        System.out.printf(
            "RESULT verification (cache %s): protected %,.0f req/s (p50 %s) vs public %,.0f"
                + " req/s (p50 %s) -> protected/public ratio %.2f%n",
            cache ? "on" : "off",
            protectedRate,
            protectedP50,
            publicRate,
            publicP50,
            protectedRate / publicRate);
      }
    }
  }

  /** Registers the bench player and returns a fresh access token. */
  private static String token(PackagedService auth) throws Exception {
    post(
        auth,
        "/auth/register",
        "{\"email\":\"bench@example.com\",\"password\":\""
            + PASSWORD
            + "\",\"displayName\":\"Bench\"}");
    String body =
        post(
            auth,
            "/auth/login",
            "{\"email\":\"bench@example.com\",\"password\":\"" + PASSWORD + "\"}");
    Matcher matcher = Pattern.compile("\"access_token\":\"([^\"]+)\"").matcher(body);
    if (!matcher.find()) {
      throw new IllegalStateException("login failed: " + body);
    }
    return matcher.group(1);
  }

  private static String post(PackagedService auth, String path, String json) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(auth.uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IllegalStateException(path + " answered " + response.statusCode());
    }
    return response.body();
  }

  private static String wrk(String url, String token, int seconds, int connections)
      throws IOException, InterruptedException {
    List<String> command =
        new java.util.ArrayList<>(
            List.of("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency"));
    if (token != null) {
      command.add("-H");
      command.add("Authorization: Bearer " + token);
    }
    command.add(url);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0 || !RATE.matcher(output).find()) {
      throw new IllegalStateException("wrk failed:\n" + output);
    }
    return output;
  }

  private static double rate(String wrkOutput) {
    Matcher matcher = RATE.matcher(wrkOutput);
    matcher.find();
    return Double.parseDouble(matcher.group(1));
  }

  private static String p50(String wrkOutput) {
    Matcher matcher = P50.matcher(wrkOutput);
    return matcher.find() ? matcher.group(1) : "?";
  }
}
