package io.whispyrkeep.launcher;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The local stand-in for the Kubernetes ingress: one port that routes by path prefix to the
 * services, like the ingress rules in the Helm chart, on Vert.x's maintained HTTP reverse proxy. It
 * sets {@code X-Forwarded-For} and {@code X-Forwarded-Proto} from the real peer (a client's own
 * values are replaced, as a trusted ingress must), and answers unknown prefixes with problem+json.
 */
public final class FrontDoor implements AutoCloseable {

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
    routes.put("/campaigns", servicePorts.get("turn-service"));
    routes.put("/audit", servicePorts.get("audit-service"));
    return routes;
  }

  public static FrontDoor start(String host, int port, Map<String, Integer> routes)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClient client = vertx.createHttpClient();
    HttpProxy proxy = HttpProxy.reverseProxy(client);
    proxy.originSelector(request -> Future.succeededFuture(origin(routes, request)));
    proxy.addInterceptor(new ForwardedHeaders());
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  if (origin(routes, request) == null) {
                    notRouted(request);
                  } else {
                    proxy.handle(request);
                  }
                });
    server.listen(port, host).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return new FrontDoor(vertx, server);
  }

  private static SocketAddress origin(Map<String, Integer> routes, HttpServerRequest request) {
    String path = request.path();
    for (Map.Entry<String, Integer> route : routes.entrySet()) {
      String prefix = route.getKey();
      if (path.equals(prefix) || path.startsWith(prefix + "/")) {
        return SocketAddress.inetSocketAddress(route.getValue(), "127.0.0.1");
      }
    }
    return null;
  }

  private static void notRouted(HttpServerRequest request) {
    request
        .response()
        .setStatusCode(404)
        .putHeader("Content-Type", "application/problem+json")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cache-Control", "no-store")
        .end(
            "{\"type\":\"https://whispyrkeep.io/problems/not-found\",\"title\":\"Resource not found\","
                + "\"status\":404,\"detail\":\"No service is routed at this path.\"}");
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Replaces client-sent forwarding headers with what this proxy actually saw. */
  static final class ForwardedHeaders implements ProxyInterceptor {
    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
      var request = context.request();
      var headers = request.headers();
      SocketAddress peer = request.proxiedRequest().remoteAddress();
      headers.remove("Forwarded");
      headers.set("X-Forwarded-For", peer == null ? "unknown" : peer.hostAddress());
      headers.set("X-Forwarded-Proto", "http");
      headers.remove("X-Forwarded-Host");
      return context.sendRequest();
    }
  }
}
