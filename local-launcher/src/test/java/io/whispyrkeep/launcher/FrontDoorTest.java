package io.whispyrkeep.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.whispyrkeep.launcher.RawHttp.Response;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The front door on a free port in front of a stub service that records what reaches it: header
 * replacement, path refusal and problem+json errors, without starting the suite.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FrontDoorTest {

  /** What the stub service received. */
  record Received(String method, String uri, MultiMap headers) {}

  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private Vertx vertx;
  private HttpServer stub;
  private FrontDoor frontDoor;
  private int downPort;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    stub =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  received.add(
                      new Received(
                          request.method().name(),
                          request.uri(),
                          MultiMap.caseInsensitiveMultiMap().addAll(request.headers())));
                  request.response().putHeader("Content-Type", "text/plain").end("stub");
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    downPort = freePort();
    Map<String, Integer> routes = new LinkedHashMap<>();
    routes.put("/auth", stub.actualPort());
    routes.put("/keys", stub.actualPort());
    routes.put("/down", downPort);
    frontDoor = FrontDoor.start("127.0.0.1", 0, routes, "127.0.0.1");
  }

  @AfterAll
  void stop() throws Exception {
    frontDoor.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void forgetEarlierRequests() {
    received.clear();
  }

  @Test
  void clientForwardingHeaders_replacedByRealPeer() throws Exception {
    Response response =
        send(
            "GET /auth/x HTTP/1.1\r\n"
                + "Host: localhost\r\n"
                + "X-Forwarded-For: 203.0.113.9\r\n"
                + "x-forwarded-for: 203.0.113.10\r\n"
                + "Forwarded: for=203.0.113.11;proto=https\r\n"
                + "X-Forwarded-Host: evil.example\r\n"
                + "X-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Prefix: /admin\r\n"
                + "X-Real-IP: 203.0.113.12\r\n"
                + "True-Client-IP: 203.0.113.13\r\n"
                + "Connection: close\r\n\r\n");

    assertThat(response.status()).isEqualTo(200);
    MultiMap headers = onlyRequest().headers();
    assertThat(headers.getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
    assertThat(headers.getAll("X-Forwarded-Proto")).containsExactly("http");
    assertThat(headers.names())
        .noneMatch(name -> name.equalsIgnoreCase("Forwarded"))
        .noneMatch(name -> name.equalsIgnoreCase("X-Forwarded-Host"))
        .noneMatch(name -> name.equalsIgnoreCase("X-Forwarded-Prefix"))
        .noneMatch(name -> name.equalsIgnoreCase("X-Real-IP"))
        .noneMatch(name -> name.equalsIgnoreCase("True-Client-IP"));
  }

  @Test
  void webSocketUpgrade_clientForwardedFor_stillReplaced() throws Exception {
    send(
        "GET /auth/x HTTP/1.1\r\n"
            + "Host: localhost\r\n"
            + "Connection: Upgrade\r\n"
            + "Upgrade: websocket\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + "X-Forwarded-For: 203.0.113.9\r\n"
            + "Forwarded: for=203.0.113.11\r\n\r\n");

    Received request = onlyRequest();
    assertThat(request.headers().getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
    assertThat(request.headers().contains("Forwarded")).isFalse();
    assertThat(request.headers().contains("Upgrade")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/auth/%2e%2e/q/metrics",
        "/auth/%2E%2E/q/metrics",
        "/auth/.%2e/q/metrics",
        "/auth/../q/metrics",
        "/auth/./../q/metrics",
        "/auth/x/../../keys/y",
        "/auth/..",
        "/auth/.",
        "//q/metrics",
        "/auth//x",
        "/auth/%2f..",
        "/auth/%2F%2E%2E/q/metrics",
        "/auth/..%2fq/metrics",
        "/auth\\..\\q\\metrics",
        "/auth/%5c..%5cq/metrics",
        "/auth/%252e%252e/q/metrics",
        "/auth/..;/q/metrics",
        "/auth;/../q/metrics",
        "/auth/%00",
        "/auth/%0d%0aX-Injected:1",
        "/auth/%zz",
        "/auth/%2",
        "/auth/%C3%A9",
        "*"
      })
  void trickyPath_refusedWith400Problem_nothingForwarded(String path) throws Exception {
    Response response = get(path);

    assertThat(response.status()).as(path).isEqualTo(400);
    assertProblem(response, "bad-request");
    assertThat(received).as(path).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/q/metrics", "/q/health/ready", "/", "/authx/y", "/elsewhere"})
  void unroutedPath_404Problem_nothingForwarded(String path) throws Exception {
    Response response = get(path);

    assertThat(response.status()).as(path).isEqualTo(404);
    assertProblem(response, "not-found");
    assertThat(received).isEmpty();
  }

  @Test
  void plainPath_forwardedAsDecoded_queryUnchanged() throws Exception {
    assertThat(get("/auth/users/a%40b/roles?role=x%2Fy&z=1").status()).isEqualTo(200);
    assertThat(onlyRequest().uri()).isEqualTo("/auth/users/a@b/roles?role=x%2Fy&z=1");
    assertThat(get("/auth").status()).isEqualTo(200);
    assertThat(onlyRequest().uri()).isEqualTo("/auth");
    assertThat(get("/keys/").status()).isEqualTo(200);
    assertThat(onlyRequest().uri()).isEqualTo("/keys/");
  }

  @Test
  void serviceDown_503ProblemWithRetryAfter() throws Exception {
    Response response = get("/down/x");

    assertThat(response.status()).isEqualTo(503);
    assertProblem(response, "service-unavailable");
    assertThat(response.header("Retry-After")).isEqualTo("5");
  }

  @Test
  void headersTooLarge_431Problem() throws Exception {
    Response response =
        send(
            "GET /auth/x HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                + "a".repeat(9_000)
                + "\r\nConnection: close\r\n\r\n");

    assertThat(response.status()).isEqualTo(431);
    assertProblem(response, "bad-request");
    assertThat(received).isEmpty();
  }

  @Test
  void requestLineTooLong_414Problem() throws Exception {
    Response response = get("/auth/" + "a".repeat(5_000));

    assertThat(response.status()).isEqualTo(414);
    assertProblem(response, "bad-request");
    assertThat(received).isEmpty();
  }

  @Test
  void unknownTransferCoding_400Problem() throws Exception {
    Response response =
        send(
            "POST /auth/x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n"
                + "Connection: close\r\n\r\n0\r\n\r\n");

    assertThat(response.status()).isEqualTo(400);
    assertProblem(response, "bad-request");
    assertThat(received).isEmpty();
  }

  private Received onlyRequest() throws InterruptedException {
    Received request = received.poll(10, TimeUnit.SECONDS);
    assertThat(request).as("request reached the service").isNotNull();
    assertThat(received).isEmpty();
    return request;
  }

  private static void assertProblem(Response response, String slug) {
    assertThat(response.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.body())
        .contains("\"type\":\"https://whispyrkeep.io/problems/" + slug + "\"")
        .contains("\"status\":" + response.status());
    assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(response.header("X-Frame-Options")).isEqualTo("DENY");
    assertThat(response.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
    assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
    assertThat(response.header("Cache-Control")).isEqualTo("no-store");
    assertThat(response.header("Strict-Transport-Security")).startsWith("max-age=");
  }

  private Response get(String path) throws IOException {
    return send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  }

  private Response send(String raw) throws IOException {
    return RawHttp.send(frontDoor.port(), raw);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
