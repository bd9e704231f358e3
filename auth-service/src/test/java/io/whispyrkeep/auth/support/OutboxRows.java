package io.whispyrkeep.auth.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;

/** Direct reads of the service's database, for what a caller cannot see over HTTP. */
public final class OutboxRows {

  private OutboxRows() {}

  /** Payloads of outbox events of a type whose payload contains {@code fragment}. */
  public static List<String> payloads(String type, String fragment) {
    return strings(
        "SELECT payload FROM outbox WHERE payload LIKE ? AND payload LIKE ? ORDER BY created_at",
        "%\"type\":\"" + type + "\"%",
        "%" + fragment + "%");
  }

  public static List<String> strings(String sql, Object... parameters) {
    try (Connection connection = connect();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
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

  public static Connection connect() throws SQLException {
    var config = ConfigProvider.getConfig();
    return DriverManager.getConnection(
        config.getValue("quarkus.datasource.jdbc.url", String.class),
        config.getValue("quarkus.datasource.username", String.class),
        config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
  }
}
