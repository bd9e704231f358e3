package io.whispyrkeep.testsupport.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Direct JDBC access to the database of the service under test (its {@code
 * quarkus.datasource.jdbc.url}), for what a caller cannot see over HTTP: outbox rows, stored rows,
 * and state a test tampers with. One connection per call; for Quarkus tests only.
 */
public final class ServiceDatabase {

  private ServiceDatabase() {}

  /** Payloads of outbox events of a type whose payload contains {@code fragment}, oldest first. */
  public static List<String> eventPayloads(String type, String fragment) {
    return strings(
        "SELECT payload FROM outbox WHERE payload LIKE ? AND payload LIKE ? ORDER BY created_at",
        "%\"type\":\"" + type + "\"%",
        "%" + fragment + "%");
  }

  /** The first column of every row {@code sql} returns, as text. */
  public static List<String> strings(String sql, Object... parameters) {
    try (Connection connection = connect();
        PreparedStatement statement = prepare(connection, sql, parameters)) {
      List<String> values = new ArrayList<>();
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          values.add(result.getString(1));
        }
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs an INSERT, UPDATE or DELETE; returns the number of rows it changed. */
  public static int update(String sql, Object... parameters) {
    try (Connection connection = connect();
        PreparedStatement statement = prepare(connection, sql, parameters)) {
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new connection to the service's database; the caller closes it. */
  public static Connection connect() throws SQLException {
    var config = ConfigProvider.getConfig();
    return DriverManager.getConnection(
        config.getValue("quarkus.datasource.jdbc.url", String.class),
        config.getValue("quarkus.datasource.username", String.class),
        config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
  }

  private static PreparedStatement prepare(Connection connection, String sql, Object... parameters)
      throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    try {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      return statement;
    } catch (SQLException e) {
      statement.close();
      throw e;
    }
  }
}
