package io.whispyrkeep.devinfra.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

  public PostgresServer(
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

  /** Generated passwords only: they are written into SQL (ALTER ROLE takes no bind parameters). */
  private static final Pattern SAFE_PASSWORD = Pattern.compile("[A-Za-z0-9_-]{16,128}");

  static void requireSafePassword(String password) {
    if (password == null || !SAFE_PASSWORD.matcher(password).matches()) {
      throw new IllegalArgumentException(
          "database passwords must be 16 to 128 characters of [A-Za-z0-9_-]");
    }
  }

  /**
   * Gives the superuser its password and makes the server ask every client for one (SCRAM-SHA-256
   * over TCP and the Unix socket alike), then reloads its configuration.
   */
  void requirePasswords(Path dataDirectory, String superuserPassword) {
    try (Connection connection = superuser("postgres");
        Statement statement = connection.createStatement()) {
      statement.execute("SET password_encryption = 'scram-sha-256'");
      statement.execute("ALTER ROLE " + username + " PASSWORD '" + superuserPassword + "'");
      Files.writeString(
          dataDirectory.resolve("pg_hba.conf"),
          """
          # Written by WhispyrKeep's PostgresStarter on every start: every client gives a password.
          local   all   all                 scram-sha-256
          host    all   all   127.0.0.1/32  scram-sha-256
          host    all   all   ::1/128       scram-sha-256
          """);
      statement.execute("SELECT pg_reload_conf()");
    } catch (SQLException e) {
      throw new IllegalStateException(
          "could not secure PostgreSQL's superuser (SQLSTATE "
              + e.getSQLState()
              + "): if its password in .local/secrets/postgres.env was lost, start over with"
              + " --reset",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write pg_hba.conf", e);
    }
  }

  /**
   * Creates or updates a login role with this password; the role gets no other privilege than
   * logging in (no superuser, no role or database creation).
   */
  public void ensureLoginRole(String role, String password) {
    requireName(role);
    requireSafePassword(password);
    try (Connection connection = superuser("postgres");
        PreparedStatement exists =
            connection.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?");
        Statement statement = connection.createStatement()) {
      exists.setString(1, role);
      boolean found;
      try (ResultSet result = exists.executeQuery()) {
        found = result.next();
      }
      statement.execute("SET password_encryption = 'scram-sha-256'");
      statement.execute(
          (found ? "ALTER ROLE " : "CREATE ROLE ")
              + role
              + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '"
              + password
              + "'");
    } catch (SQLException e) {
      throw new IllegalStateException("could not create role " + role, e);
    }
  }

  /**
   * Creates a database owned by {@code owner} (an existing role), reachable only by the roles
   * named: PUBLIC loses its default right to connect, so one service's role cannot open another
   * service's database. A database left by an earlier run and owned by someone else is refused
   * rather than silently taken over.
   */
  public void createDatabase(String database, String owner, String... connectors) {
    requireName(database);
    requireName(owner);
    try (Connection connection = superuser("postgres");
        PreparedStatement ownerOf =
            connection.prepareStatement(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ?");
        Statement statement = connection.createStatement()) {
      ownerOf.setString(1, database);
      String current = null;
      try (ResultSet found = ownerOf.executeQuery()) {
        if (found.next()) {
          current = found.getString(1);
        }
      }
      if (current == null) {
        statement.execute("CREATE DATABASE " + database + " OWNER " + owner);
      } else if (!current.equals(owner)) {
        throw new IllegalStateException(
            "database "
                + database
                + " belongs to "
                + current
                + ", not "
                + owner
                + " (made by an earlier version): start over with --reset");
      }
      statement.execute("REVOKE ALL ON DATABASE " + database + " FROM PUBLIC");
      for (String role : connectors) {
        requireName(role);
        statement.execute("GRANT CONNECT ON DATABASE " + database + " TO " + role);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + database, e);
    }
  }

  private Connection superuser(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), username, password);
  }

  private static void requireName(String name) {
    if (!DATABASE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid database or role name: " + name);
    }
  }

  @Override
  public void close() throws Exception {
    shutdown.close();
  }
}
