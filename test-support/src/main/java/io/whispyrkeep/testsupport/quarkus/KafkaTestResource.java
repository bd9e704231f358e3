package io.whispyrkeep.testsupport.quarkus;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.whispyrkeep.testsupport.SharedInfrastructure;
import io.whispyrkeep.testsupport.events.TestEventKeys;
import java.util.HashMap;
import java.util.Map;

/**
 * Points the application under test at the shared Kafka broker, with the suite's topics, and gives
 * its outbox an event signing key ({@link TestEventKeys#SERVICE_UNDER_TEST}).
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>();
    config.put("kafka.bootstrap.servers", SharedInfrastructure.kafka().bootstrapServers());
    config.putAll(eventSigning());
    return config;
  }

  /** The service's own signing key, as the local launcher gives each service one. */
  private static Map<String, String> eventSigning() {
    return Map.of(
        "whispyrkeep.events.signing-key-file",
        TestEventKeys.privateKeyFile(TestEventKeys.SERVICE_UNDER_TEST).toString());
  }

  @Override
  public void stop() {
    // Shared by the JVM; stopped by SharedInfrastructure's shutdown hook.
  }
}
