package io.whispyrkeep.devinfra.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Finds or starts a real PostgreSQL: the server named by {@code WK_TEST_POSTGRES_URL} (host:port,
 * with {@code WK_TEST_POSTGRES_USER} and {@code WK_TEST_POSTGRES_PASSWORD}), else PostgreSQL 17
 * from the embedded binaries on Maven Central. Used by the local launcher, the benchmarks and
 * (through test-support, which adds a Testcontainers option) the tests, so all run the very same
 * database.
 */
public final class PostgresStarter {

  /** Environment variable naming an already running server as {@code host:port}. */
  public static final String ENV_URL = "WK_TEST_POSTGRES_URL";

  public static final String ENV_USER = "WK_TEST_POSTGRES_USER";
  public static final String ENV_PASSWORD = "WK_TEST_POSTGRES_PASSWORD";

  private static final Logger LOG = Logger.getLogger(PostgresStarter.class);

  private PostgresStarter() {}

  /**
   * A throw-away server: the one in {@code WK_TEST_POSTGRES_URL} if set, else an embedded one on
   * any free port with a temporary data directory.
   *
   * @return the running server; closing it stops what this call started
   */
  public static PostgresServer startThrowaway() {
    return fromEnvironment().orElseGet(() -> startEmbedded(0, null));
  }

  /**
   * Starts the embedded server on a fixed port with data kept in {@code dataDirectory}, its
   * superuser {@code postgres} protected by {@code superuserPassword} and every connection
   * authenticated with SCRAM-SHA-256, as a production server is. The password is set (and {@code
   * pg_hba.conf} rewritten) on every start, so a data directory initialised without one is secured
   * too; the embedded binaries' own {@code initdb} trusts local connections until then.
   */
  public static PostgresServer startEmbedded(
      int port, Path dataDirectory, String superuserPassword) {
    PostgresServer.requireSafePassword(superuserPassword);
    PostgresServer server =
        startEmbedded(port, dataDirectory, Map.of("password", superuserPassword));
    server.requirePasswords(dataDirectory, superuserPassword);
    return server;
  }

  /** Starts the embedded server on a fixed port with data kept in {@code dataDirectory}. */
  public static PostgresServer startEmbedded(int port, Path dataDirectory) {
    return startEmbedded(port, dataDirectory, Map.of());
  }

  private static PostgresServer startEmbedded(
      int port, Path dataDirectory, Map<String, String> connectConfig) {
    try {
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setPGStartupWait(Duration.ofSeconds(60))
              .setServerConfig("max_connections", "300")
              .setServerConfig("fsync", dataDirectory == null ? "off" : "on");
      // The password for the start-up probe: ignored while the server still trusts local clients.
      connectConfig.forEach(builder::setConnectConfig);
      if (port > 0) {
        builder.setPort(port);
      }
      if (dataDirectory != null) {
        builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
      }
      EmbeddedPostgres postgres = builder.start();
      LOG.infof("embedded PostgreSQL started on 127.0.0.1:%d", postgres.getPort());
      return new PostgresServer(
          "embedded",
          "127.0.0.1",
          postgres.getPort(),
          "postgres",
          connectConfig.getOrDefault("password", ""),
          postgres::close);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded PostgreSQL", e);
    }
  }

  /** The server named by {@code WK_TEST_POSTGRES_URL}, if that is set. */
  public static Optional<PostgresServer> fromEnvironment() {
    String url = System.getenv(ENV_URL);
    if (url == null || url.isBlank()) {
      return Optional.empty();
    }
    int colon = url.lastIndexOf(':');
    String host = colon > 0 ? url.substring(0, colon) : url;
    int port = colon > 0 ? Integer.parseInt(url.substring(colon + 1)) : 5432;
    String user = System.getenv().getOrDefault(ENV_USER, "postgres");
    String password = System.getenv().getOrDefault(ENV_PASSWORD, "");
    LOG.infof("using PostgreSQL from %s at %s:%d", ENV_URL, host, port);
    return Optional.of(new PostgresServer("env", host, port, user, password, () -> {}));
  }
}
