package io.whispyrkeep.bench;

import io.whispyrkeep.devinfra.kafka.KafkaAcls;
import io.whispyrkeep.devinfra.kafka.KafkaServer;
import io.whispyrkeep.devinfra.kafka.KafkaStarter;
import io.whispyrkeep.devinfra.kafka.KafkaTopics;
import io.whispyrkeep.devinfra.postgres.PostgresServer;
import io.whispyrkeep.devinfra.postgres.PostgresStarter;
import java.nio.file.Files;

/**
 * A throw-away PostgreSQL and Kafka broker (with the suite's topics and ACLs) for one benchmark
 * run, started as the launcher and the tests start them; closing stops both.
 */
record BenchInfrastructure(PostgresServer postgres, KafkaServer kafka) implements AutoCloseable {

  static BenchInfrastructure start() throws Exception {
    PostgresServer postgres = PostgresStarter.startThrowaway();
    KafkaServer kafka = KafkaStarter.startThrowaway(Files.createTempDirectory("wk-bench-kafka-"));
    KafkaTopics.createSuiteTopics(kafka);
    KafkaAcls.applySuiteAcls(kafka);
    return new BenchInfrastructure(postgres, kafka);
  }

  @Override
  public void close() throws Exception {
    try {
      kafka.close();
    } finally {
      postgres.close();
    }
  }
}
