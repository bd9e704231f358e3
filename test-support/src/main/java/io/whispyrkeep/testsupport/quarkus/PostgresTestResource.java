package io.whispyrkeep.testsupport.quarkus;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.whispyrkeep.devinfra.postgres.PostgresServer;
import io.whispyrkeep.testsupport.SharedInfrastructure;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gives the application under test its own fresh database on the shared PostgreSQL server, which
 * Flyway then migrates at start. With {@code scope = MATCHING_RESOURCES} on this and the class's
 * other resources, the test classes declaring the same set share one application and one database,
 * started once: their tests must use data of their own (random subjects, e-mails, addresses) and
 * put back what they change. A class that changes shared state (the application's clock, its
 * configuration) uses {@code RESTRICTED_TO_CLASS} and gets an application and database of its own.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  @Override
  public Map<String, String> start() {
    PostgresServer server = SharedInfrastructure.postgres();
    String database =
        "wk_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    server.createDatabase(database);
    return Map.of(
        "quarkus.datasource.jdbc.url", server.jdbcUrl(database),
        "quarkus.datasource.reactive.url", server.reactiveUrl(database),
        "quarkus.datasource.username", server.username(),
        "quarkus.datasource.password", server.password());
  }

  @Override
  public void stop() {
    // The server is shared by the JVM; the per-class database is left for post-mortems.
  }
}
