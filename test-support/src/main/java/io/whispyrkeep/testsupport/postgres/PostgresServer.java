package io.whispyrkeep.testsupport.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * A running PostgreSQL server, wherever it came from (environment, Testcontainers or the embedded
 * binaries), and the one thing tests and the local launcher need from it: databases.
 */
public final class PostgresServer implements AutoCloseable {

  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  private final String origin;
  private final String host;
  private final int port;
  private final String username;
  private final String password;
  private final AutoCloseable shutdown;

  PostgresServer(
      String origin,
      String host,
      int port,
      String username,
      String password,
      AutoCloseable shutdown) {
    this.origin = origin;
    this.host = host;
    this.port = port;
    this.username = username;
    this.password = password;
    this.shutdown = shutdown;
  }

  /** Where the server came from: {@code env}, {@code testcontainers} or {@code embedded}. */
  public String origin() {
    return origin;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String username() {
    return username;
  }

  public String password() {
    return password;
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** The URL form the Vert.x reactive PostgreSQL client expects. */
  public String reactiveUrl(String database) {
    return "postgresql://" + host + ":" + port + "/" + database;
  }

  /** Creates the database unless it exists; names are restricted so they never need quoting. */
  public void createDatabase(String database) {
    if (!DATABASE_NAME.matcher(database).matches()) {
      throw new IllegalArgumentException("invalid database name: " + database);
    }
    try (Connection connection =
            DriverManager.getConnection(jdbcUrl("postgres"), username, password);
        PreparedStatement exists =
            connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?");
        Statement statement = connection.createStatement()) {
      exists.setString(1, database);
      try (ResultSet found = exists.executeQuery()) {
        if (!found.next()) {
          // CREATE DATABASE takes no bind parameters; the name matched DATABASE_NAME above.
          statement.execute("CREATE DATABASE " + database);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + database, e);
    }
  }

  @Override
  public void close() throws Exception {
    shutdown.close();
  }
}
