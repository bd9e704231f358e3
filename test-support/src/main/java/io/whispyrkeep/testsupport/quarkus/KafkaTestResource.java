package io.whispyrkeep.testsupport.quarkus;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.whispyrkeep.testsupport.SharedInfrastructure;
import java.util.Map;

/** Points the application under test at the shared Kafka broker, with the suite's topics. */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    return Map.of("kafka.bootstrap.servers", SharedInfrastructure.kafka().bootstrapServers());
  }

  @Override
  public void stop() {
    // Shared by the JVM; stopped by SharedInfrastructure's shutdown hook.
  }
}
