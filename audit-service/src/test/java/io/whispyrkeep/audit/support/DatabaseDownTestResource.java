package io.whispyrkeep.audit.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * Points the service at a PostgreSQL address where nothing listens (a port just freed), as when the
 * database is down; migrations and the scheduled upkeep are off since they could not run.
 */
public class DatabaseDownTestResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of(
        "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + port + "/audit",
        "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + port + "/audit",
        "quarkus.datasource.username", "postgres",
        "quarkus.flyway.migrate-at-start", "false",
        // as if the database went down after start-up: nothing to validate against
        "quarkus.hibernate-orm.schema-management.strategy", "none",
        "quarkus.hibernate-orm.database.version-check.enabled", "false",
        "whispyrkeep.audit.retention.every", "off",
        "whispyrkeep.audit.checkpoint.every", "off");
  }

  @Override
  public void stop() {}
}
