package io.whispyrkeep.bench;

import io.whispyrkeep.devinfra.kafka.KafkaAcls;
import io.whispyrkeep.devinfra.kafka.KafkaServer;
import io.whispyrkeep.devinfra.keys.TestEventKeys;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.devinfra.keys.TestTokens;
import io.whispyrkeep.devinfra.postgres.PostgresServer;
import io.whispyrkeep.devinfra.process.PackagedService;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/**
 * audit-service's two hot paths, each beside a baseline measured in the same run, against a real
 * PostgreSQL and Kafka (started here as the tests start them) and the packaged service:
 *
 * <ol>
 *   <li>sustained ingestion: events per second from Kafka into the hash-chained, partitioned trail,
 *       beside a plain JDBC batched insert (500 rows per transaction) of the very same rows into an
 *       unchained table with the same indexes;
 *   <li>query latency percentiles through the API over a trail topped up to at least a million
 *       rows, for each filter the security team uses, beside the API's point lookup by id (the
 *       cheapest authenticated call): a ratio near 1 means the filter is answered from an index.
 * </ol>
 *
 * <p>Usage: {@code AuditBench <events to ingest> <rows for queries> <requests per query>}
 */
public final class AuditBench {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String[] TYPES = {
    "auth.login_success",
    "auth.login_failure",
    "auth.logout",
    "auth.token_refreshed",
    "auth.registered",
    "auth.lockout",
    "auth.role_granted",
    "key.used",
    "key.stored",
    "turn.accepted",
    "turn.patch_rejected",
    "audit.queried"
  };

  private AuditBench() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int queryRows = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    int requests = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    try (BenchInfrastructure infrastructure = BenchInfrastructure.start()) {
      run(infrastructure.postgres(), infrastructure.kafka(), events, queryRows, requests);
    }
  }

  private static void run(
      PostgresServer postgres, KafkaServer kafka, int events, int queryRows, int requests)
      throws Exception {
    String run = Long.toString(System.currentTimeMillis());
    String database = "audit_bench_" + run;
    String topic = "bench.security.events." + run;
    postgres.createDatabase(database);
    String group = "audit-bench-" + run;
    try (Admin admin = kafka.admin()) {
      admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get();
    }
    KafkaAcls.allowConsumer(kafka, "audit-service", topic, group);
    System.out.printf("producing %,d events to %s (4 partitions)...%n", events, topic);
    produce(kafka, topic, events);

    Path logs = Files.createTempDirectory("wk-audit-bench-");
    Map<String, String> env =
        PackagedService.environment(postgres, kafka, database, "audit-service");
    Map<String, String> properties =
        Map.of(
            "mp.messaging.incoming.security-events.topic",
            topic,
            "mp.messaging.incoming.security-events.group.id",
            group,
            "whispyrkeep.jwt.jwks-url",
            TestJwtKeys.jwksFile().toUri().toString(),
            "whispyrkeep.jwt.issuer",
            TestTokens.ISSUER);
    try (PackagedService audit =
            PackagedService.start("audit-service", env, properties, logs.resolve("audit.log"));
        Connection sql =
            DriverManager.getConnection(
                postgres.jdbcUrl(database), postgres.username(), postgres.password())) {
      double chained = awaitIngestion(sql, events);
      double plain = plainInsert(sql);
      System.out.printf(
          "%ningestion  chained trail %,10.0f events/s   plain batched insert %,10.0f rows/s"
              + "   ratio %.2f%n",
          chained, plain, chained / plain);

      verification(audit, sql);
      topUp(sql, queryRows);
      queries(audit, sql, requests);
    }
  }

  private static void produce(KafkaServer kafka, String topic, int events) throws Exception {
    Properties properties = kafka.adminProperties();
    properties.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    properties.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < events; i++) {
        String type = type(i);
        String actor = type.startsWith("key.") ? "turn-service" : "user-" + (i % 5000);
        String source = source(type);
        String value = event(i, type, actor, source);
        // signed as the source's outbox signs (the packaged audit-service trusts its test keys)
        producer.send(
            new ProducerRecord<>(topic, null, actor, value, TestEventKeys.headers(source, value)));
      }
      producer.flush();
    }
  }

  /**
   * A production-like mix, per thousand: 300 logins, 250 refreshes, 200 accepted turns, 80 failed
   * logins, 50 key decryptions, 50 logouts, 50 queries, 10 registrations, 9 rejected patches, 1
   * role grant. Failed logins, decryptions, rejected patches and grants go through the alert rules.
   */
  private static String type(int i) {
    int slot = i % 1000;
    if (slot < 300) {
      return "auth.login_success";
    } else if (slot < 550) {
      return "auth.token_refreshed";
    } else if (slot < 750) {
      return "turn.accepted";
    } else if (slot < 830) {
      return "auth.login_failure";
    } else if (slot < 880) {
      return "key.used";
    } else if (slot < 930) {
      return "auth.logout";
    } else if (slot < 980) {
      return "audit.queried";
    } else if (slot < 990) {
      return "auth.registered";
    } else if (slot < 999) {
      return "turn.patch_rejected";
    }
    return "auth.role_granted";
  }

  /** The service that publishes a type (audit-service accepts each type only from its source). */
  private static String source(String type) {
    if (type.startsWith("key.")) {
      return "keyvault-service";
    }
    if (type.startsWith("turn.")) {
      return "turn-service";
    }
    return type.startsWith("audit.") ? "audit-service" : "auth-service";
  }

  /** A realistic event (≈ 400 bytes), valid against the event schema. */
  private static String event(int i, String type, String actor, String source) {
    UUID random = UUID.randomUUID();
    UUID id =
        new UUID(
            (random.getMostSignificantBits() & ~0xF000L) | 0x7000L,
            random.getLeastSignificantBits());
    return "{\"version\":1,\"id\":\""
        + id
        + "\",\"type\":\""
        + type
        + "\",\"occurredAt\":\""
        + Instant.now().truncatedTo(ChronoUnit.MICROS)
        + "\",\"source\":\""
        + source
        + "\",\"actor\":\""
        + actor
        + "\",\"subject\":\"account-"
        + (i % 20000)
        + "\",\"clientIp\":\"198.51.100."
        + (i % 250)
        + "\",\"userAgent\":\"Mozilla/5.0 (X11; Linux x86_64) bench\",\"requestId\":\"req-"
        + UUID.randomUUID()
        + "\",\"severity\":\"NOTICE\",\"details\":{\"reason\":\"bad_credentials\",\"attempt\":\""
        + (i % 5)
        + "\"}}";
  }

  /** Rate from the first to the last stored row (stored_at is stamped per batch). */
  private static double awaitIngestion(Connection sql, int events) throws Exception {
    Awaitility.await()
        .atMost(Duration.ofMinutes(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> scalar(sql, "SELECT count(*) FROM audit_event") >= events);
    double seconds =
        scalarDouble(
            sql, "SELECT extract(epoch FROM max(stored_at) - min(stored_at)) FROM audit_event");
    long firstBatch =
        scalar(
            sql,
            "SELECT count(*) FROM audit_event WHERE stored_at = (SELECT min(stored_at) FROM"
                + " audit_event)");
    return (events - firstBatch) / seconds;
  }

  /** The same rows, inserted by plain JDBC batches of 500 into an unchained, indexed copy. */
  private static double plainInsert(Connection sql) throws Exception {
    try (Statement statement = sql.createStatement()) {
      statement.execute(
          "CREATE TABLE plain_event (LIKE audit_event INCLUDING DEFAULTS, PRIMARY KEY (chain,"
              + " seq))");
      statement.execute("CREATE INDEX ON plain_event (event_id)");
      statement.execute("CREATE INDEX ON plain_event (occurred_at DESC, event_id DESC)");
      statement.execute("CREATE INDEX ON plain_event (type text_pattern_ops, occurred_at DESC)");
      statement.execute("CREATE INDEX ON plain_event (actor, occurred_at DESC)");
      statement.execute("CREATE INDEX ON plain_event (subject, occurred_at DESC)");
      statement.execute("CREATE INDEX ON plain_event (client_ip, occurred_at DESC)");
    }
    List<Object[]> rows = new ArrayList<>();
    int columns;
    try (Statement statement = sql.createStatement();
        ResultSet result = statement.executeQuery("SELECT * FROM audit_event ORDER BY stored_at")) {
      ResultSetMetaData meta = result.getMetaData();
      columns = meta.getColumnCount();
      while (result.next()) {
        Object[] row = new Object[columns];
        for (int c = 0; c < columns; c++) {
          row[c] = result.getObject(c + 1);
        }
        rows.add(row);
      }
    }
    String placeholders = String.join(",", java.util.Collections.nCopies(columns, "?"));
    boolean autoCommit = sql.getAutoCommit();
    sql.setAutoCommit(false);
    long start = System.nanoTime();
    try (PreparedStatement insert =
        sql.prepareStatement("INSERT INTO plain_event VALUES (" + placeholders + ")")) {
      for (int i = 0; i < rows.size(); i++) {
        Object[] row = rows.get(i);
        for (int c = 0; c < columns; c++) {
          insert.setObject(c + 1, row[c]);
        }
        insert.addBatch();
        if ((i + 1) % 500 == 0 || i == rows.size() - 1) {
          insert.executeBatch();
          sql.commit();
        }
      }
    } finally {
      sql.setAutoCommit(autoCommit);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    try (Statement statement = sql.createStatement()) {
      statement.execute("DROP TABLE plain_event");
    }
    return rows.size() / seconds;
  }

  /**
   * {@code GET /audit/verify} over the chained rows, beside reading the same rows over JDBC and
   * re-linking their hashes in this process (the bare cost of the walk).
   */
  private static void verification(PackagedService audit, Connection sql) throws Exception {
    String token = TestTokens.valid("bench-analyst", "audit-service", "security");
    call(audit, token, "/audit/verify"); // warm-up
    long start = System.nanoTime();
    String report = call(audit, token, "/audit/verify");
    double apiSeconds = (System.nanoTime() - start) / 1e9;
    if (!report.contains("\"intact\":true")) {
      throw new IllegalStateException("chain not intact: " + report);
    }
    long rows = scalar(sql, "SELECT count(*) FROM audit_event");
    start = System.nanoTime();
    long walked = 0;
    try (Statement statement = sql.createStatement()) {
      sql.setAutoCommit(false);
      statement.setFetchSize(5000);
      try (ResultSet result =
          statement.executeQuery(
              "SELECT chain, payload, prev_hash, hash FROM audit_event ORDER BY chain, seq")) {
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        byte[] previous = new byte[32];
        int chain = -1;
        while (result.next()) {
          if (result.getInt(1) != chain) {
            chain = result.getInt(1);
            previous = new byte[32];
          }
          digest.update(previous);
          digest.update(result.getString(2).getBytes(StandardCharsets.UTF_8));
          byte[] hash = digest.digest();
          if (!java.security.MessageDigest.isEqual(hash, result.getBytes(4))) {
            throw new IllegalStateException("baseline walk found a broken link");
          }
          previous = hash;
          walked++;
        }
      }
    } finally {
      sql.commit();
      sql.setAutoCommit(true);
    }
    double bareSeconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "verify     GET /audit/verify %,10.0f rows/s   bare JDBC read + SHA-256 walk %,10.0f"
            + " rows/s   ratio %.2f   (%,d rows)%n",
        rows / apiSeconds,
        walked / bareSeconds,
        (rows / apiSeconds) / (walked / bareSeconds),
        rows);
  }

  /**
   * Tops the trail up to {@code target} rows with generated events spread over 30 days, on chains
   * of their own (1000+): query data only, their hashes are not a chain.
   */
  private static void topUp(Connection sql, int target) throws Exception {
    long missing = target - scalar(sql, "SELECT count(*) FROM audit_event");
    if (missing > 0) {
      System.out.printf("%ntopping the trail up with %,d generated rows...%n", missing);
      long start = System.nanoTime();
      try (Statement statement = sql.createStatement()) {
        statement.execute(
            "INSERT INTO audit_event (chain, seq, event_id, type, occurred_at, source, actor,"
                + " subject, client_ip, severity, payload, prev_hash, hash, stored_at)"
                + " SELECT 1000 + g % 8, g, gen_random_uuid(),"
                + " (ARRAY['auth.login_success','auth.login_failure','auth.logout',"
                + "'auth.token_refreshed','auth.registered','auth.lockout','auth.role_granted',"
                + "'key.used','key.stored','turn.accepted','turn.patch_rejected',"
                + "'audit.queried'])[1 + g % 12],"
                + " now() - (g % 2592000) * interval '1 second', 'auth-service',"
                + " 'user-' || (g % 20000), 'account-' || (g % 50000),"
                + " '10.' || (g % 200) || '.' || (g % 250) || '.1',"
                + " CASE WHEN g % 100 = 0 THEN 'CRITICAL' WHEN g % 10 = 0 THEN 'WARNING'"
                + " WHEN g % 3 = 0 THEN 'NOTICE' ELSE 'INFO' END,"
                + " '{\"generated\":' || g || ',\"details\":{\"reason\":\"bench\"}}',"
                + " sha256(int8send(g - 1)), sha256(int8send(g)), now()"
                + " FROM generate_series(1, "
                + missing
                + ") g");
        statement.execute("VACUUM ANALYZE audit_event");
      }
      System.out.printf("  done in %.0f s%n", (System.nanoTime() - start) / 1e9);
    }
  }

  private static void queries(PackagedService audit, Connection sql, int requests)
      throws Exception {
    long total = scalar(sql, "SELECT count(*) FROM audit_event");
    String someId;
    try (Statement statement = sql.createStatement();
        ResultSet result =
            statement.executeQuery("SELECT event_id FROM audit_event WHERE chain < 1000 LIMIT 1")) {
      result.next();
      someId = result.getString(1);
    }
    String token = TestTokens.valid("bench-analyst", "audit-service", "security");
    Instant now = Instant.now();
    Map<String, String> shapes = new LinkedHashMap<>();
    shapes.put("newest 50", "/audit/events?limit=50");
    shapes.put("type prefix auth.login", "/audit/events?type=auth.login&limit=50");
    shapes.put("actor", "/audit/events?actor=user-4242&limit=50");
    shapes.put(
        "subject, last 7 days",
        "/audit/events?subject=account-4242&from=" + now.minus(7, ChronoUnit.DAYS) + "&limit=50");
    shapes.put("client ip", "/audit/events?ip=10.42.42.1&limit=50");
    shapes.put("severity CRITICAL", "/audit/events?severity=CRITICAL&limit=50");
    shapes.put("actor + text", "/audit/events?actor=user-4242&q=" + encode("bench") + "&limit=50");
    System.out.printf(
        "%nquery latency through the API over %,d rows, %d requests each (ms)%n", total, requests);
    String byId = "/audit/events/" + someId;
    // Warm every path first (JIT, connection pool, PostgreSQL caches), so that the order of the
    // measurements below does not favour the later ones.
    for (String path : shapes.values()) {
      latencies(audit, token, path, 30);
    }
    double[] baseline = latencies(audit, token, byId, requests);
    print("baseline: event by id", baseline, baseline);
    for (Map.Entry<String, String> shape : shapes.entrySet()) {
      print(shape.getKey(), latencies(audit, token, shape.getValue(), requests), baseline);
    }
    String cursorPage = firstCursor(audit, token, "/audit/events?type=auth.&limit=50");
    print(
        "next page (cursor)",
        latencies(audit, token, "/audit/events?type=auth.&limit=50&cursor=" + cursorPage, requests),
        baseline);
  }

  private static double[] latencies(PackagedService audit, String token, String path, int count)
      throws Exception {
    for (int i = 0; i < 20; i++) {
      call(audit, token, path);
    }
    double[] millis = new double[count];
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      call(audit, token, path);
      millis[i] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(millis);
    return millis;
  }

  private static String call(PackagedService audit, String token, String path) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(audit.uri(path))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(path + " → " + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  private static String firstCursor(PackagedService audit, String token, String path)
      throws Exception {
    String body = call(audit, token, path);
    int at = body.indexOf("\"nextCursor\":\"");
    if (at < 0) {
      throw new IllegalStateException("no cursor in " + path);
    }
    int start = at + "\"nextCursor\":\"".length();
    return encode(body.substring(start, body.indexOf('"', start)));
  }

  private static void print(String name, double[] millis, double[] baseline) {
    System.out.printf(
        "  %-24s p50 %6.2f  p95 %6.2f  p99 %6.2f  max %7.2f   p50 ratio to baseline %.2f%n",
        name,
        percentile(millis, 50),
        percentile(millis, 95),
        percentile(millis, 99),
        millis[millis.length - 1],
        percentile(millis, 50) / percentile(baseline, 50));
  }

  private static double percentile(double[] sorted, int percentile) {
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static long scalar(Connection sql, String query) throws Exception {
    try (Statement statement = sql.createStatement();
        ResultSet result = statement.executeQuery(query)) {
      result.next();
      return result.getLong(1);
    }
  }

  private static double scalarDouble(Connection sql, String query) throws Exception {
    try (Statement statement = sql.createStatement();
        ResultSet result = statement.executeQuery(query)) {
      result.next();
      return result.getDouble(1);
    }
  }
}
