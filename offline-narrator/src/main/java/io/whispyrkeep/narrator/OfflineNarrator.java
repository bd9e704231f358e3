package io.whispyrkeep.narrator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Offline narrator: an OpenAI-compatible <em>stand-in</em> for LLM providers, so tests, benchmarks
 * and the local launcher exercise the real outbound path without a network or a paid key. It is not
 * a model: it answers {@code POST /v1/chat/completions} in OpenAI's request and response format
 * with a short deterministic story (see {@link NarratorScript}) and plays scripted failures on
 * markers in the last user message ({@code #slow}, {@code #hold} until {@link #releaseHeld()},
 * {@code #429}, {@code #500}, {@code #malformed}, patch attacks ...).
 *
 * <p>It requires {@code Authorization: Bearer <token>} (401 otherwise) and remembers the last value
 * in memory only, so a test in the same JVM can prove the player's own key arrived ({@link
 * #lastAuthorization()}); across processes {@code GET /_narrator/last-authorization-sha256} gives
 * its hex SHA-256, never the value. The header is never logged, and no answer echoes request text.
 * Requests are bounded ({@link Options#maxRequestBytes()}, 413 above) and served by a bounded
 * thread pool. {@code GET /health} answers 200.
 *
 * <p>Plain Java (JDK HTTP server, Jackson), so it runs in-process; {@link #main} runs it alone.
 */
public final class OfflineNarrator implements AutoCloseable {

  /** Default bound on a request body: 1 MiB, the same bound the services put on their own. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

  /**
   * Longest a {@code #hold} request waits for {@link #releaseHeld()} before it is answered anyway.
   */
  public static final Duration HOLD_LIMIT = Duration.ofSeconds(90);

  /** Default pause for {@code #slow}: longer than any timeout the services configure by default. */
  public static final Duration DEFAULT_SLOW_DELAY = Duration.ofSeconds(3);

  /** Worker threads; a stand-in never needs more, and a flood queues instead of spawning. */
  private static final int WORKER_THREADS = 8;

  private static final int WORKER_QUEUE = 256;

  private static final Logger LOG = Logger.getLogger(OfflineNarrator.class.getName());

  private final HttpServer server;
  private final ThreadPoolExecutor workers;
  private final NarratorScript script;
  private final Options options;
  private final String baseUrl;
  private final AtomicLong chatRequests = new AtomicLong();

  /** Released (and replaced) by {@link #releaseHeld()}; {@code #hold} requests wait on it. */
  private final AtomicReference<CountDownLatch> held = new AtomicReference<>(new CountDownLatch(1));

  private volatile String lastAuthorization;

  /**
   * Tunables of the stand-in.
   *
   * @param slowDelay how long {@code #slow} sleeps before answering
   * @param maxRequestBytes largest accepted request body, 413 above
   * @param clock source of the {@code created} field of completions
   * @param holds whether {@code #hold} waits for {@link #releaseHeld()}; off by default, so text a
   *     player types through the local suite can never park the narrator's workers (there it is
   *     answered at once, like any message)
   */
  public record Options(Duration slowDelay, int maxRequestBytes, Clock clock, boolean holds) {
    public Options {
      Objects.requireNonNull(slowDelay, "slowDelay");
      Objects.requireNonNull(clock, "clock");
      if (slowDelay.isNegative()) {
        throw new IllegalArgumentException("slowDelay must not be negative");
      }
      if (maxRequestBytes < 1) {
        throw new IllegalArgumentException("maxRequestBytes must be positive");
      }
    }

    /** 3 s for {@code #slow}, 1 MiB requests, the system clock, no holds. */
    public static Options defaults() {
      return new Options(DEFAULT_SLOW_DELAY, DEFAULT_MAX_REQUEST_BYTES, Clock.systemUTC(), false);
    }

    public Options withSlowDelay(Duration delay) {
      return new Options(delay, maxRequestBytes, clock, holds);
    }

    public Options withMaxRequestBytes(int bytes) {
      return new Options(slowDelay, bytes, clock, holds);
    }

    public Options withClock(Clock source) {
      return new Options(slowDelay, maxRequestBytes, source, holds);
    }

    /** For tests in the narrator's JVM: {@code #hold} waits until they release it. */
    public Options withHolds() {
      return new Options(slowDelay, maxRequestBytes, clock, true);
    }
  }

  private OfflineNarrator(HttpServer server, ThreadPoolExecutor workers, Options options) {
    this.server = server;
    this.workers = workers;
    this.options = options;
    this.script = new NarratorScript(options.clock());
    InetSocketAddress bound = server.getAddress();
    String host = bound.getAddress().getHostAddress();
    if (host.indexOf(':') >= 0) {
      host = "[" + host + "]";
    }
    this.baseUrl = "http://" + host + ":" + bound.getPort() + "/v1";
  }

  /** Starts a narrator with {@link Options#defaults()}; {@code port} 0 picks a free port. */
  public static OfflineNarrator start(String host, int port) throws IOException {
    return start(host, port, Options.defaults());
  }

  /** Starts a narrator on {@code host:port} ({@code port} 0 picks a free port). */
  public static OfflineNarrator start(String host, int port, Options options) throws IOException {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(options, "options");
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
    AtomicInteger threadNumber = new AtomicInteger();
    ThreadPoolExecutor workers =
        new ThreadPoolExecutor(
            WORKER_THREADS,
            WORKER_THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(WORKER_QUEUE),
            runnable -> {
              Thread thread =
                  new Thread(runnable, "offline-narrator-" + threadNumber.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            },
            // A full queue makes the accepting thread serve the request itself: back-pressure on
            // the client instead of a dropped connection.
            new ThreadPoolExecutor.CallerRunsPolicy());
    workers.allowCoreThreadTimeOut(true);
    server.setExecutor(workers);
    OfflineNarrator narrator = new OfflineNarrator(server, workers, options);
    server.createContext("/", narrator::handle);
    server.start();
    LOG.log(Level.INFO, "offline narrator listening on {0}", narrator.baseUrl);
    return narrator;
  }

  /** Base URL of the OpenAI-compatible API, e.g. {@code http://127.0.0.1:41234/v1}. */
  public String baseUrl() {
    return baseUrl;
  }

  /** The port the narrator listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * The {@code Authorization} header value of the last chat request (null before the first one),
   * kept in memory for tests in the same JVM. Never logged.
   */
  public String lastAuthorization() {
    return lastAuthorization;
  }

  /** How many chat-completion requests arrived (whatever their outcome). */
  public long chatRequests() {
    return chatRequests.get();
  }

  /**
   * Answers every {@code #hold} request waiting now; later ones wait for the next call. A test
   * holds calls in flight with {@code #hold} for exactly as long as it needs them there, instead of
   * racing a fixed {@code #slow} delay.
   */
  public void releaseHeld() {
    held.getAndSet(new CountDownLatch(1)).countDown();
  }

  /** Stops listening and interrupts requests still running (e.g. a {@code #slow} sleep). */
  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
    LOG.log(Level.INFO, "offline narrator stopped");
  }

  private void handle(HttpExchange exchange) throws IOException {
    int status = 500;
    try (exchange) {
      status = route(exchange);
    } catch (RuntimeException | IOException e) {
      // The exception class only: a message could quote request text.
      LOG.log(Level.WARNING, "offline narrator request failed: {0}", e.getClass().getName());
      throw e;
    } finally {
      // Method, path without query, status: nothing from headers or the body.
      LOG.log(
          Level.FINE,
          "offline narrator {0} {1} -> {2}",
          new Object[] {exchange.getRequestMethod(), safePath(exchange.getRequestURI()), status});
    }
  }

  private int route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    String method = exchange.getRequestMethod();
    switch (path) {
      case "/v1/chat/completions":
        if (!"POST".equals(method)) {
          return Replies.send(exchange, Replies.methodNotAllowed("POST"));
        }
        return chat(exchange);
      case "/health":
        if (!"GET".equals(method)) {
          return Replies.send(exchange, Replies.methodNotAllowed("GET"));
        }
        return Replies.send(exchange, Replies.json(200, "{\"status\":\"UP\"}"));
      case "/_narrator/last-authorization-sha256":
        if (!"GET".equals(method)) {
          return Replies.send(exchange, Replies.methodNotAllowed("GET"));
        }
        String last = lastAuthorization;
        if (last == null) {
          return Replies.send(
              exchange, Replies.openAiError(404, "No chat request seen yet.", "not_found", null));
        }
        return Replies.send(exchange, Replies.text(200, sha256Hex(last)));
      default:
        return Replies.send(
            exchange, Replies.openAiError(404, "Unknown path.", "invalid_request_error", null));
    }
  }

  private int chat(HttpExchange exchange) throws IOException {
    // The gate is taken before the request is counted: a test that saw the count and then released
    // the held requests has released this one too, however long it takes to get to the wait.
    CountDownLatch gate = held.get();
    chatRequests.incrementAndGet();
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization != null) {
      lastAuthorization = authorization;
    }
    if (!isBearer(authorization)) {
      return Replies.send(
          exchange,
          Replies.openAiError(
              401,
              "You didn't provide an API key. Provide it as a Bearer token in the Authorization"
                  + " header.",
              "invalid_request_error",
              "invalid_api_key"));
    }
    byte[] body = readBounded(exchange);
    if (body == null) {
      return Replies.send(
          exchange,
          Replies.openAiError(
              413, "Request body too large.", "invalid_request_error", "request_too_large"));
    }
    NarratorScript.Outcome outcome = script.answer(body);
    if (outcome.hold() && options.holds()) {
      try {
        if (!gate.await(HOLD_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.log(Level.WARNING, "a #hold request was never released; answering it anyway");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Replies.send(
            exchange, Replies.openAiError(503, "Shutting down.", "server_error", null));
      }
    }
    if (outcome.sleep()) {
      try {
        Thread.sleep(options.slowDelay().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Replies.send(
            exchange, Replies.openAiError(503, "Shutting down.", "server_error", null));
      }
    }
    return Replies.send(exchange, outcome.reply());
  }

  /**
   * The body, or null when it exceeds the bound (declared length or actual bytes, so chunked bodies
   * are bounded too).
   */
  private byte[] readBounded(HttpExchange exchange) throws IOException {
    int max = options.maxRequestBytes();
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > max) {
          return null;
        }
      } catch (NumberFormatException e) {
        return null;
      }
    }
    InputStream in = exchange.getRequestBody();
    byte[] bytes = in.readNBytes(max + 1);
    if (bytes.length > max) {
      return null;
    }
    return bytes;
  }

  /** {@code Bearer <token>} with a non-empty token of visible ASCII characters. */
  static boolean isBearer(String authorization) {
    if (authorization == null || authorization.length() <= 7) {
      return false;
    }
    if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    for (int i = 7; i < authorization.length(); i++) {
      char c = authorization.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  static String sha256Hex(String value) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  private static String safePath(URI uri) {
    String path = uri.getRawPath();
    if (path == null) {
      return "";
    }
    return path.length() > 64 ? path.substring(0, 64) + "..." : path;
  }

  /**
   * Runs the narrator until the JVM stops: {@code OfflineNarrator [host] [port]} (defaults {@code
   * 127.0.0.1} and {@code 8089}). Prints the base URL on standard output.
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    String host = args.length > 0 ? args[0] : "127.0.0.1";
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 8089;
    OfflineNarrator narrator = start(host, port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  narrator.close();
                  stopped.countDown();
                },
                "offline-narrator-shutdown"));
    System.out.println("offline narrator (OpenAI-compatible stand-in) at " + narrator.baseUrl());
    stopped.await();
  }

  /** An HTTP answer, written by {@link Replies#send}. */
  record Reply(int status, String contentType, byte[] body, String retryAfter, String allow) {}

  /** Builders of the answers the narrator gives. */
  static final class Replies {

    private Replies() {}

    static Reply json(int status, String json) {
      return new Reply(
          status, "application/json", json.getBytes(StandardCharsets.UTF_8), null, null);
    }

    static Reply text(int status, String text) {
      return new Reply(
          status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), null, null);
    }

    static Reply methodNotAllowed(String allow) {
      Reply error = openAiError(405, "Method not allowed.", "invalid_request_error", null);
      return new Reply(405, error.contentType(), error.body(), null, allow);
    }

    /** OpenAI's error shape: {@code {"error":{"message","type","param","code"}}}. */
    static Reply openAiError(int status, String message, String type, String code) {
      String json =
          "{\"error\":{\"message\":"
              + NarratorScript.quote(message)
              + ",\"type\":"
              + NarratorScript.quote(type)
              + ",\"param\":null,\"code\":"
              + (code == null ? "null" : NarratorScript.quote(code))
              + "}}";
      return json(status, json);
    }

    static Reply rateLimited() {
      Reply error =
          openAiError(
              429,
              "Rate limit reached (offline narrator script). Please try again in 1s.",
              "requests",
              "rate_limit_exceeded");
      return new Reply(429, error.contentType(), error.body(), "1", null);
    }

    static int send(HttpExchange exchange, Reply reply) throws IOException {
      var headers = exchange.getResponseHeaders();
      headers.set("Content-Type", reply.contentType());
      headers.set("Cache-Control", "no-store");
      if (reply.retryAfter() != null) {
        headers.set("Retry-After", reply.retryAfter());
      }
      if (reply.allow() != null) {
        headers.set("Allow", reply.allow());
      }
      exchange.sendResponseHeaders(reply.status(), reply.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(reply.body());
      }
      return reply.status();
    }
  }
}
