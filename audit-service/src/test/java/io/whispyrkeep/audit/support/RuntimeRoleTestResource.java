package io.whispyrkeep.audit.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.whispyrkeep.devinfra.postgres.PostgresServer;
import io.whispyrkeep.testsupport.SharedInfrastructure;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * A fresh database (as {@link PostgresTestResource}) migrated by the owner, with the service
 * connected as a separate runtime role, the way production is meant to run: {@link #ROLE} gets only
 * the privileges the V4 migration grants it.
 *
 * <p>The test classes that declare this resource with {@link KafkaTestResource} and {@link
 * JwtTestResource}, all three with scope {@code MATCHING_RESOURCES}, share one application and one
 * database: Quarkus starts it once for all of them. They stay independent because each test uses
 * subjects, keys and groups of its own and puts back whatever it changes in the database (grants,
 * constraints, rows it tampers with). A test that needs a state of its own (another clock, other
 * configuration, a database down) declares its resources {@code RESTRICTED_TO_CLASS} instead.
 */
public class RuntimeRoleTestResource implements QuarkusTestResourceLifecycleManager {

  /** The runtime role (a cluster-wide name, created once per server). */
  public static final String ROLE = "wk_audit_runtime";

  /** Its password (the embedded server trusts local connections; a real one would check it). */
  public static final String PASSWORD = "runtime-role-test-password";

  private final PostgresTestResource database = new PostgresTestResource();

  @Override
  public Map<String, String> start() {
    PostgresServer server = SharedInfrastructure.postgres();
    Map<String, String> config = new HashMap<>(database.start());
    try (Connection connection =
            DriverManager.getConnection(
                config.get("quarkus.datasource.jdbc.url"), server.username(), server.password());
        Statement sql = connection.createStatement()) {
      sql.execute(
          "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '"
              + ROLE
              + "') THEN CREATE ROLE "
              + ROLE
              + " LOGIN PASSWORD '"
              + PASSWORD
              + "'; END IF; END $$");
    } catch (Exception e) {
      throw new IllegalStateException("cannot create the runtime role", e);
    }
    config.put("quarkus.flyway.jdbc-url", config.get("quarkus.datasource.jdbc.url"));
    config.put("quarkus.flyway.username", server.username());
    // Quarkus wants a value; the embedded server trusts local connections and has none.
    config.put(
        "quarkus.flyway.password", server.password().isEmpty() ? "trust" : server.password());
    config.put("quarkus.flyway.placeholders.runtime_role", ROLE);
    config.put("quarkus.datasource.username", ROLE);
    config.put("quarkus.datasource.password", PASSWORD);
    return config;
  }

  @Override
  public void stop() {
    database.stop();
  }
}
