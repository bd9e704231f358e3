package io.whispyrkeep.keyvault.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.util.NetUtil;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.whispyrkeep.narrator.OfflineNarrator;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP exchange without Quarkus: the offline narrator (the OpenAI-compatible stand-in) and
 * small Vert.x servers playing hostile providers, plus a TLS server with a self-signed certificate
 * for a name that no DNS knows, reached only through the pinned address.
 */
class ProviderHttpTest {

  private static final String KEY = "sk-test-ProviderHttp-0123456789abcdefABCDEF";
  private static final String TLS_NAME = "llm.provider.example";
  private static final String PASSWORD = "changeit";
  private static final int MAX_RESPONSE = 64 * 1024;
  private static final String OPENAI_ANSWER =
      "{\"model\":\"m\",\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
          + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
          + "\"total_tokens\":4}}";

  @TempDir static Path tls;

  private static Vertx vertx;
  private static OfflineNarrator narrator;

  private ProviderHttp http;
  private final List<HttpServer> servers = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    narrator = OfflineNarrator.start("127.0.0.1", 0);
    keytool(
        "-genkeypair",
        "-alias",
        "llm",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=" + TLS_NAME,
        "-ext",
        "SAN=dns:" + TLS_NAME,
        "-validity",
        "2",
        "-keystore",
        tls.resolve("server.p12").toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "llm",
        "-keystore",
        tls.resolve("server.p12").toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD,
        "-file",
        tls.resolve("server.pem").toString());
  }

  @AfterAll
  static void stop() {
    narrator.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @BeforeEach
  void client() {
    http =
        new ProviderHttp(
            vertx,
            settings(),
            new PemTrustOptions().addCertPath(tls.resolve("server.pem").toString()));
  }

  @AfterEach
  void closeAll() {
    http.close();
    for (HttpServer server : servers) {
      server.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  // ---- the happy paths -----------------------------------------------------------------------

  @Test
  void send_toNarrator_deliversExactlyTheKeyAndReadsTheCompletion() {
    ChatCompletion completion =
        join(http.send(trusted(narrator.baseUrl()), WireFormat.OPENAI, key(), request("Hello")));

    assertThat(narrator.lastAuthorization()).isEqualTo("Bearer " + KEY);
    assertThat(completion.model()).isEqualTo("offline-narrator");
    assertThat(completion.content()).contains("\"patches\"");
    assertThat(completion.finishReason()).isEqualTo("stop");
    assertThat(completion.usage().totalTokens()).isPositive();
  }

  @Test
  void send_anthropicFormat_usesItsPathHeadersAndShapes() {
    Map<String, String> seen = new ConcurrentHashMap<>();
    int port =
        server(
            false,
            request ->
                request.body(
                    body -> {
                      seen.put("path", request.path());
                      seen.put("x-api-key", String.valueOf(request.getHeader("x-api-key")));
                      seen.put("version", String.valueOf(request.getHeader("anthropic-version")));
                      seen.put("authorization", String.valueOf(request.getHeader("Authorization")));
                      seen.put("body", body.result().toString());
                      request
                          .response()
                          .putHeader("Content-Type", "application/json")
                          .end(
                              "{\"model\":\"claude-x\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}],"
                                  + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":4,\"output_tokens\":1}}");
                    }));

    ChatCompletion completion =
        join(
            http.send(
                trusted("http://127.0.0.1:" + port + "/v1"),
                WireFormat.ANTHROPIC,
                key(),
                new ChatRequest(
                    "claude-x",
                    List.of(ChatMessage.system("Narrate."), ChatMessage.user("Hello")),
                    null,
                    null,
                    null,
                    null)));

    assertThat(seen.get("path")).isEqualTo("/v1/messages");
    assertThat(seen.get("x-api-key")).isEqualTo(KEY);
    assertThat(seen.get("version")).isEqualTo("2023-06-01");
    assertThat(seen.get("authorization")).isEqualTo("null");
    assertThat(seen.get("body")).contains("\"system\":\"Narrate.\"");
    assertThat(completion)
        .isEqualTo(
            new ChatCompletion("Hi", "claude-x", new ChatCompletion.Usage(4, 1, 5), "end_turn"));
  }

  // ---- pinning, TLS and DNS rebinding --------------------------------------------------------

  @Test
  void send_pinnedTarget_connectsToTheCheckedAddressWithTlsVerifiedAgainstTheName() {
    Map<String, String> seen = new ConcurrentHashMap<>();
    int port = tlsServer(seen);
    AtomicInteger lookups = new AtomicInteger();
    // First answer loopback (the test's stand-in for a public address), then an address nothing
    // listens on: a second lookup between check and connect would be a rebinding.
    HostResolver rebinding =
        host -> {
          int n = lookups.incrementAndGet();
          return Uni.createFrom()
              .item(
                  List.of(
                      NetUtil.createInetAddressFromIpAddressString(
                          n == 1 ? "127.0.0.1" : "203.0.113.9")));
        };
    BaseUrlGuard guard = new BaseUrlGuard(rebinding, loopbackOrPublic(), Duration.ofSeconds(2));
    ResolvedTarget target = join(guard.check("https://" + TLS_NAME + ":" + port + "/v1"));

    ChatCompletion completion =
        join(
            http.send(ProviderHttp.Target.pinned(target), WireFormat.OPENAI, key(), request("Hi")));

    assertThat(completion.content()).isEqualTo("Hi");
    assertThat(lookups.get()).isEqualTo(1);
    assertThat(seen.get("host")).isEqualTo(TLS_NAME + ":" + port);
    assertThat(seen.get("sni")).isEqualTo(TLS_NAME);
    assertThat(seen.get("authorization")).isEqualTo("Bearer " + KEY);
  }

  @Test
  void send_pinnedTargetWhoseCertificateNamesAnotherHost_failsTls() throws Exception {
    int port = tlsServer(new ConcurrentHashMap<>());
    ResolvedTarget wrongName =
        new ResolvedTarget(
            URI.create("https://other.provider.example:" + port + "/v1"),
            "other.provider.example",
            port,
            List.of(InetAddress.getByName("127.0.0.1")));

    assertThatThrownBy(
            () ->
                join(
                    http.send(
                        ProviderHttp.Target.pinned(wrongName),
                        WireFormat.OPENAI,
                        key(),
                        request("Hi"))))
        .isInstanceOfSatisfying(
            UpstreamException.class, e -> assertThat(e.statusClass()).isEqualTo("tls"));
  }

  @Test
  void send_untrustedCertificate_failsTls() throws Exception {
    int port = tlsServer(new ConcurrentHashMap<>());
    ProviderHttp defaultTrust = new ProviderHttp(vertx, settings(), null);
    ResolvedTarget target =
        new ResolvedTarget(
            URI.create("https://" + TLS_NAME + ":" + port + "/v1"),
            TLS_NAME,
            port,
            List.of(InetAddress.getByName("127.0.0.1")));
    try {
      assertThatThrownBy(
              () ->
                  join(
                      defaultTrust.send(
                          ProviderHttp.Target.pinned(target),
                          WireFormat.OPENAI,
                          key(),
                          request("Hi"))))
          .isInstanceOfSatisfying(
              UpstreamException.class, e -> assertThat(e.statusClass()).isEqualTo("tls"));
    } finally {
      defaultTrust.close();
    }
  }

  // ---- hostile providers ---------------------------------------------------------------------

  @Test
  void send_redirect_isNotFollowed() {
    AtomicInteger stolen = new AtomicInteger();
    int target =
        server(
            false,
            request -> {
              stolen.incrementAndGet();
              request.response().end(OPENAI_ANSWER);
            });
    int redirector =
        server(
            false,
            request ->
                request
                    .response()
                    .setStatusCode(302)
                    .putHeader("Location", "http://127.0.0.1:" + target + "/steal")
                    .end());

    assertThatThrownBy(
            () ->
                join(
                    http.send(
                        trusted("http://127.0.0.1:" + redirector + "/v1"),
                        WireFormat.OPENAI,
                        key(),
                        request("Hi"))))
        .isInstanceOfSatisfying(
            UpstreamException.class, e -> assertThat(e.statusClass()).isEqualTo("3xx"));
    assertThat(stolen.get()).isZero();
  }

  @Test
  void send_errorStatus_carriesOnlyTheStatusClassNeverTheBody() {
    int port =
        server(
            false,
            request ->
                request
                    .response()
                    .setStatusCode(500)
                    .end("{\"error\":\"SECRET-UPSTREAM-BODY " + KEY + "\"}"));

    Throwable failure =
        catchFailure(
            http.send(
                trusted("http://127.0.0.1:" + port + "/v1"),
                WireFormat.OPENAI,
                key(),
                request("Hi")));

    assertThat(failure).isInstanceOf(TransientProviderFaultException.class);
    assertThat(((UpstreamException) failure).statusClass()).isEqualTo("5xx");
    assertThat(everything(failure)).doesNotContain("SECRET-UPSTREAM-BODY").doesNotContain(KEY);
  }

  @Test
  void send_statuses_mapToTheirClassAndRetryability() {
    assertThat(failureFor(401, null))
        .isExactlyInstanceOf(UpstreamException.class)
        .extracting(e -> ((UpstreamException) e).statusClass())
        .isEqualTo("4xx");
    Throwable limited = failureFor(429, "2");
    assertThat(limited).isInstanceOf(RateLimitedException.class);
    assertThat(((RetryHint) limited).retryAfterMillis()).isEqualTo(2000);
    Throwable tooLong = failureFor(429, "3600");
    assertThat(tooLong)
        .isExactlyInstanceOf(UpstreamException.class)
        .extracting(e -> ((UpstreamException) e).statusClass())
        .isEqualTo("429");
    assertThat(failureFor(503, "1")).isInstanceOf(TransientProviderFaultException.class);
    assertThat(failureFor(503, "86400")).isExactlyInstanceOf(ProviderFaultException.class);
    assertThat(failureFor(204, null))
        .isInstanceOf(ProviderFaultException.class)
        .extracting(e -> ((UpstreamException) e).statusClass())
        .isEqualTo("malformed");
  }

  @Test
  void send_answerLargerThanTheBound_isCutOff() {
    int chunked =
        server(
            false,
            request -> {
              request.response().setChunked(true);
              for (int i = 0; i < 40; i++) {
                request.response().write("x".repeat(4096));
              }
              request.response().end();
            });
    int declared =
        server(
            false,
            request ->
                request
                    .response()
                    .putHeader("Content-Length", String.valueOf(10L * 1024 * 1024))
                    .write("{"));

    assertThat(failure(trusted("http://127.0.0.1:" + chunked + "/v1"))).isEqualTo("too-large");
    assertThat(failure(trusted("http://127.0.0.1:" + declared + "/v1"))).isEqualTo("too-large");
  }

  @Test
  void send_compressedAnswer_isRefusedNotInflated() throws Exception {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
      byte[] zeros = new byte[1024 * 1024];
      for (int i = 0; i < 50; i++) {
        gzip.write(zeros);
      }
    }
    Buffer bomb = Buffer.buffer(zipped.toByteArray());
    AtomicBoolean askedForGzip = new AtomicBoolean();
    int port =
        server(
            false,
            request -> {
              String accept = request.getHeader("Accept-Encoding");
              askedForGzip.set(accept != null && accept.contains("gzip"));
              request
                  .response()
                  .putHeader("Content-Encoding", "gzip")
                  .putHeader("Content-Type", "application/json")
                  .end(bomb);
            });

    assertThat(failure(trusted("http://127.0.0.1:" + port + "/v1"))).isEqualTo("malformed");
    assertThat(askedForGzip.get()).isFalse();
  }

  @Test
  void send_hugeResponseHeader_fails() {
    int port =
        server(
            false,
            request ->
                request
                    .response()
                    .putHeader("X-Padding", "p".repeat(64 * 1024))
                    .end(OPENAI_ANSWER));

    assertThat(failure(trusted("http://127.0.0.1:" + port + "/v1"))).isEqualTo("malformed");
  }

  @Test
  void send_malformedJsonAnswer_isMalformed() {
    assertThat(
            catchFailure(
                http.send(
                    trusted(narrator.baseUrl()), WireFormat.OPENAI, key(), request("#malformed"))))
        .isInstanceOfSatisfying(
            UpstreamException.class, e -> assertThat(e.statusClass()).isEqualTo("malformed"));
  }

  @Test
  void send_cancelledWhileASlowlorisDribbles_closesTheConnection() {
    AtomicBoolean closed = new AtomicBoolean();
    int port =
        server(
            false,
            request -> {
              request.connection().closeHandler(v -> closed.set(true));
              request
                  .response()
                  .setChunked(true)
                  .putHeader("Content-Type", "application/json")
                  .write("{");
              long timer = vertx.setPeriodic(100, id -> request.response().write(" "));
              request
                  .connection()
                  .closeHandler(
                      v -> {
                        vertx.cancelTimer(timer);
                        closed.set(true);
                      });
            });

    assertThatThrownBy(
            () ->
                http.send(
                        trusted("http://127.0.0.1:" + port + "/v1"),
                        WireFormat.OPENAI,
                        key(),
                        request("Hi"))
                    .ifNoItem()
                    .after(Duration.ofMillis(300))
                    .fail()
                    .await()
                    .atMost(Duration.ofSeconds(10)))
        .isInstanceOf(io.smallrye.mutiny.TimeoutException.class);
    await().atMost(10, TimeUnit.SECONDS).untilTrue(closed);
  }

  @Test
  void send_refusedConnection_isRetryableConnect() throws Exception {
    int port;
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }

    Throwable failure =
        catchFailure(
            http.send(
                trusted("http://127.0.0.1:" + port + "/v1"),
                WireFormat.OPENAI,
                key(),
                request("Hi")));

    assertThat(failure).isInstanceOf(TransientProviderFaultException.class);
    assertThat(((UpstreamException) failure).statusClass()).isEqualTo("connect");
  }

  // ---- the key -------------------------------------------------------------------------------

  @Test
  void send_keyThatCouldSplitAHeader_isRefusedWithoutQuotingIt() {
    byte[] injected = (KEY + "\r\nX-Evil: 1").getBytes(StandardCharsets.US_ASCII);

    assertThatThrownBy(
            () ->
                http.send(trusted(narrator.baseUrl()), WireFormat.OPENAI, injected, request("Hi")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(KEY);
    assertThatThrownBy(() -> ProviderHttp.checkKey(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProviderHttp.checkKey(null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void retryAfter_readsSecondsAndHttpDates() {
    ProviderHttp fixed =
        new ProviderHttp(
            vertx,
            new ProviderHttp.Settings(
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                MAX_RESPONSE,
                Duration.ofSeconds(5),
                4,
                Clock.fixed(
                    java.time.Instant.parse("2026-01-01T00:00:00Z"), java.time.ZoneOffset.UTC)),
            null);
    try {
      assertThat(fixed.retryAfterMillis("1")).isEqualTo(1000);
      assertThat(fixed.retryAfterMillis(" 0 ")).isZero();
      assertThat(fixed.retryAfterMillis("Thu, 01 Jan 2026 00:00:03 GMT")).isEqualTo(3000);
      assertThat(fixed.retryAfterMillis("Wed, 31 Dec 2025 23:59:00 GMT")).isZero();
      assertThat(fixed.retryAfterMillis("99999999999")).isEqualTo(Long.MAX_VALUE);
      assertThat(fixed.retryAfterMillis("soon")).isEqualTo(-1);
      assertThat(fixed.retryAfterMillis(null)).isEqualTo(-1);
    } finally {
      fixed.close();
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static ProviderHttp.Settings settings() {
    // Generous connect timeout: the first TLS handshake of a JVM on a busy machine is slow.
    return new ProviderHttp.Settings(
        Duration.ofSeconds(15),
        Duration.ofSeconds(5),
        MAX_RESPONSE,
        Duration.ofSeconds(5),
        4,
        Clock.systemUTC());
  }

  private static ProviderHttp.Target trusted(String baseUrl) {
    return ProviderHttp.Target.trusted(URI.create(baseUrl));
  }

  private static byte[] key() {
    return KEY.getBytes(StandardCharsets.US_ASCII);
  }

  private static ChatRequest request(String lastUserMessage) {
    return ChatRequest.of(
        "gpt-test", List.of(ChatMessage.system("Narrate."), ChatMessage.user(lastUserMessage)));
  }

  private static <T> T join(Uni<T> uni) {
    return uni.await().atMost(Duration.ofSeconds(20));
  }

  private static Throwable catchFailure(Uni<?> uni) {
    try {
      join(uni);
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected the call to fail");
  }

  private String failure(ProviderHttp.Target target) {
    Throwable failure = catchFailure(http.send(target, WireFormat.OPENAI, key(), request("Hi")));
    assertThat(failure).isInstanceOf(UpstreamException.class);
    return ((UpstreamException) failure).statusClass();
  }

  private Throwable failureFor(int status, String retryAfter) {
    int port =
        server(
            false,
            request -> {
              if (retryAfter != null) {
                request.response().putHeader("Retry-After", retryAfter);
              }
              request.response().setStatusCode(status).end(status == 204 ? "" : "{\"error\":{}}");
            });
    return catchFailure(
        http.send(
            trusted("http://127.0.0.1:" + port + "/v1"), WireFormat.OPENAI, key(), request("Hi")));
  }

  /** Message, toString and causes of a failure, for searching for text that must not be there. */
  private static String everything(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      text.append(t).append('\n');
    }
    return text.toString();
  }

  private static Predicate<InetAddress> loopbackOrPublic() {
    return address ->
        "127.0.0.1".equals(address.getHostAddress()) || PublicAddresses.isPublic(address);
  }

  private int tlsServer(Map<String, String> seen) {
    return server(
        true,
        request -> {
          seen.put("host", String.valueOf(request.getHeader("Host")));
          seen.put("sni", String.valueOf(request.connection().indicatedServerName()));
          seen.put("authorization", String.valueOf(request.getHeader("Authorization")));
          request.response().putHeader("Content-Type", "application/json").end(OPENAI_ANSWER);
        });
  }

  private int server(boolean withTls, Handler<HttpServerRequest> handler) {
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
    if (withTls) {
      options
          .setSsl(true)
          .setSni(true)
          .setKeyCertOptions(
              new PfxOptions().setPath(tls.resolve("server.p12").toString()).setPassword(PASSWORD));
    }
    HttpServer server =
        vertx
            .createHttpServer(options)
            .requestHandler(handler)
            .listen()
            .toCompletionStage()
            .toCompletableFuture()
            .join();
    servers.add(server);
    return server.actualPort();
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
  }
}
