package io.whispyrkeep.testsupport.quarkus;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.devinfra.keys.TestTokens;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Serves a JWK Set over HTTP, as auth-service does, from a file tests can rewrite to rotate keys
 * ({@link #SERVED_JWKS}); counts fetches in {@link #FETCH_COUNT}. Files, not fields, because
 * Quarkus loads test resources and tests in different class loaders.
 */
public class JwksServerTestResource implements QuarkusTestResourceLifecycleManager {

  /** The JWK Set served, read on every request. */
  public static final Path SERVED_JWKS = Path.of("target", "test-jwt", "served-jwks.json");

  /** How many times the JWK Set was fetched. */
  public static final Path FETCH_COUNT = Path.of("target", "test-jwt", "served-jwks.count");

  private HttpServer server;

  @Override
  public Map<String, String> start() {
    try {
      Files.createDirectories(SERVED_JWKS.getParent());
      Files.writeString(
          SERVED_JWKS, TestJwtKeys.jwks(Map.of(TestJwtKeys.KEY_ID, TestJwtKeys.publicKey())));
      Files.writeString(FETCH_COUNT, "0");
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext(
          "/jwks",
          exchange -> {
            byte[] body = Files.readAllBytes(SERVED_JWKS);
            synchronized (JwksServerTestResource.class) {
              int count = Integer.parseInt(Files.readString(FETCH_COUNT).trim());
              Files.writeString(FETCH_COUNT, Integer.toString(count + 1));
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of(
        "whispyrkeep.jwt.jwks-url",
        "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks",
        "whispyrkeep.jwt.issuer",
        TestTokens.ISSUER);
  }

  /** Number of fetches so far. */
  public static int fetchCount() {
    try {
      return Integer.parseInt(Files.readString(FETCH_COUNT, StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }
}
