package io.whispyrkeep.launcher;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.ProxyRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The local stand-in for the Kubernetes ingress: one port that routes by path prefix to the
 * services, like the ingress rules in the Helm chart, on Vert.x's maintained HTTP proxy request and
 * response classes. Three duties, each because a service behind it relies on them:
 *
 * <ul>
 *   <li>Forwarding headers: every client-sent {@code Forwarded}, {@code X-Forwarded-*} and similar
 *       client-address header is removed from every request, and {@code X-Forwarded-For} (the real
 *       peer) and {@code X-Forwarded-Proto} are set, so the services, which trust this proxy's
 *       address, learn the real client. Upgrades are never tunnelled: a WebSocket handshake is
 *       proxied as a plain request, through the same header rules.
 *   <li>Paths: the path is percent-decoded once and refused (400) unless it is plain: ASCII
 *       letters, digits and {@code -._~!$&'()*+,=:@/}, no dot segments, no empty segments, no
 *       encoded slash, backslash, percent sign or control character. The decoded path is what
 *       routing sees and what is forwarded, so the service cannot normalise it to another prefix's
 *       path or to its own {@code /q/*} endpoints, which the front door never exposes (probes and
 *       metrics use the services' own ports, as in Kubernetes).
 *   <li>Errors: no route (404), a refused path or malformed request (400, 414, 431) and an
 *       unreachable service (503) are RFC 9457 problem+json with the platform's security headers.
 * </ul>
 */
public final class FrontDoor implements AutoCloseable {

  /** Problem type prefix shared with the platform's {@code ProblemType}. */
  static final String PROBLEMS = "https://whispyrkeep.io/problems/";

  /** Seconds a client should wait before retrying when a service is unreachable. */
  static final int RETRY_AFTER_SECONDS = 5;

  /** Client-supplied headers that name a client address or the original request; always removed. */
  private static final List<String> CLIENT_ADDRESS_HEADERS =
      List.of(
          "forwarded", "x-real-ip", "x-client-ip", "true-client-ip", "x-original-forwarded-for");

  private final Vertx vertx;
  private final HttpServer server;

  private FrontDoor(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /** Routes, in match order: path prefix to service port. */
  public static Map<String, Integer> routes(Map<String, Integer> servicePorts) {
    Map<String, Integer> routes = new LinkedHashMap<>();
    routes.put("/auth", servicePorts.get("auth-service"));
    routes.put("/.well-known", servicePorts.get("auth-service"));
    routes.put("/keys", servicePorts.get("keyvault-service"));
    // Admin operations on the transit key (role admin); /internal/* is never routed.
    routes.put("/admin/keys", servicePorts.get("keyvault-service"));
    routes.put("/campaigns", servicePorts.get("turn-service"));
    routes.put("/audit", servicePorts.get("audit-service"));
    return routes;
  }

  /**
   * Starts the front door on {@code host:port}.
   *
   * @param sourceAddress the local address the front door connects to the services from; the
   *     services trust {@code X-Forwarded-For} from this address only
   */
  public static FrontDoor start(
      String host, int port, Map<String, Integer> routes, String sourceAddress) throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClient client =
        vertx.createHttpClient(
            new HttpClientOptions().setLocalAddress(sourceAddress).setConnectTimeout(5_000));
    HttpServer server =
        vertx
            .createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
            .invalidRequestHandler(FrontDoor::invalidRequest)
            .requestHandler(request -> handle(client, routes, request));
    server.listen(port, host).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return new FrontDoor(vertx, server);
  }

  /** The port the front door listens on (useful when started on port 0). */
  public int port() {
    return server.actualPort();
  }

  private static void handle(
      HttpClient client, Map<String, Integer> routes, HttpServerRequest request) {
    String path = normalisedPath(request.path());
    if (path == null) {
      problem(
          request.response(),
          400,
          "bad-request",
          "Bad request",
          "The request path is not allowed: only plain paths without dot segments or encoded"
              + " separators are routed.");
      return;
    }
    Integer port = route(routes, path);
    if (port == null) {
      problem(
          request.response(),
          404,
          "not-found",
          "Resource not found",
          "No service is routed at this path.");
      return;
    }
    if (!isPlainTransferEncoding(request)) {
      problem(
          request.response(),
          400,
          "bad-request",
          "Bad request",
          "Only the chunked transfer coding is accepted.");
      return;
    }
    ProxyRequest proxyRequest = ProxyRequest.reverseProxy(request);
    proxyRequest.setURI(request.query() == null ? path : path + "?" + request.query());
    replaceForwardingHeaders(proxyRequest, request.remoteAddress());
    client
        .request(new RequestOptions().setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1")))
        .compose(proxyRequest::send)
        .onComplete(
            result -> {
              if (result.succeeded()) {
                result.result().send();
              } else {
                proxyRequest.release();
                HttpServerResponse response = request.response();
                if (!response.headWritten()) {
                  response.putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
                  problem(
                      response,
                      503,
                      "service-unavailable",
                      "Service temporarily unavailable",
                      "The service behind this path did not answer; retry later.");
                } else {
                  response.reset();
                }
              }
            });
  }

  /**
   * The path decoded once and checked as described on the class, or null when it is refused. The
   * result needs no encoding: every character it may hold is legal in a path as it stands.
   */
  static String normalisedPath(String raw) {
    if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') {
      return null;
    }
    StringBuilder decoded = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          return null;
        }
        int high = Character.digit(raw.charAt(i + 1), 16);
        int low = Character.digit(raw.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return null;
        }
        c = (char) (high * 16 + low);
        if (c == '/') {
          return null; // an encoded slash would split differently in the service
        }
        i += 2;
      }
      if (!isPlainPathCharacter(c)) {
        return null;
      }
      decoded.append(c);
    }
    String path = decoded.toString();
    int segmentStart = 1;
    for (int i = 1; i <= path.length(); i++) {
      if (i == path.length() || path.charAt(i) == '/') {
        String segment = path.substring(segmentStart, i);
        boolean last = i == path.length();
        if (segment.equals(".") || segment.equals("..") || (segment.isEmpty() && !last)) {
          return null;
        }
        segmentStart = i + 1;
      }
    }
    return path;
  }

  /** RFC 3986 unreserved characters, the sub-delimiters but {@code ;}, {@code :}, {@code @}, /. */
  private static boolean isPlainPathCharacter(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "-._~!$&'()*+,=:@/".indexOf(c) >= 0;
  }

  private static Integer route(Map<String, Integer> routes, String path) {
    for (Map.Entry<String, Integer> route : routes.entrySet()) {
      String prefix = route.getKey();
      if (path.equals(prefix) || path.startsWith(prefix + "/")) {
        return route.getValue();
      }
    }
    return null;
  }

  /** No transfer coding, or only {@code chunked}: anything else could be framed differently. */
  private static boolean isPlainTransferEncoding(HttpServerRequest request) {
    for (String value : request.headers().getAll("Transfer-Encoding")) {
      for (String coding : value.split(",", -1)) {
        if (!coding.strip().equalsIgnoreCase("chunked")) {
          return false;
        }
      }
    }
    return true;
  }

  /** Replaces every client-sent forwarding header with what this proxy actually saw. */
  static void replaceForwardingHeaders(ProxyRequest request, SocketAddress peer) {
    var headers = request.headers();
    List<String> names = new ArrayList<>(headers.names());
    for (String name : names) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.startsWith("x-forwarded-") || CLIENT_ADDRESS_HEADERS.contains(lower)) {
        headers.remove(name);
      }
    }
    headers.set("X-Forwarded-For", peer == null ? "unknown" : peer.hostAddress());
    headers.set("X-Forwarded-Proto", "http");
  }

  /** Requests the HTTP codec could not parse (line or headers too long, malformed). */
  private static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = 400;
    String detail = "The request could not be parsed.";
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      detail = "The request line is too long.";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      detail = "The request headers are too large.";
    }
    HttpServerResponse response = request.response().putHeader("Connection", "close");
    problem(response, status, "bad-request", "Bad request", detail);
    response.close();
  }

  /** Writes a problem+json answer with the platform's security headers. */
  static void problem(
      HttpServerResponse response, int status, String slug, String title, String detail) {
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/problem+json")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        .putHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cache-Control", "no-store")
        .end(
            "{\"type\":\""
                + PROBLEMS
                + slug
                + "\",\"title\":\""
                + title
                + "\",\"status\":"
                + status
                + ",\"detail\":\""
                + detail
                + "\"}");
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
