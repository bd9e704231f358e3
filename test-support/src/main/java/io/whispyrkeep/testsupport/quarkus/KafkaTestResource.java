package io.whispyrkeep.testsupport.quarkus;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.whispyrkeep.devinfra.kafka.KafkaCredentials;
import io.whispyrkeep.devinfra.kafka.KafkaServer;
import io.whispyrkeep.devinfra.keys.TestEventKeys;
import io.whispyrkeep.testsupport.SharedInfrastructure;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Points the application under test at the shared Kafka broker, with the suite's topics and ACLs,
 * as its own principal: the one named like the application ({@code quarkus.application.name}), or
 * the {@value #PRINCIPAL} init argument. The service then runs with exactly the rights it has in
 * production. Only the username and password are given; the SASL settings are the platform's. It
 * also gives the outbox an event signing key ({@link TestEventKeys#SERVICE_UNDER_TEST});
 * audit-service trusts each suite service's test key for that service's events.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

  /** Init argument naming the principal, for applications that are not one of the services. */
  public static final String PRINCIPAL = "principal";

  private String principal;

  @Override
  public void init(Map<String, String> initArgs) {
    principal = initArgs.get(PRINCIPAL);
  }

  @Override
  public Map<String, String> start() {
    KafkaServer kafka = SharedInfrastructure.kafka();
    String user =
        principal != null
            ? principal
            : ConfigProvider.getConfig()
                .getOptionalValue("quarkus.application.name", String.class)
                .orElse("");
    if (!KafkaCredentials.SERVICES.contains(user)) {
      throw new IllegalStateException(
          "no Kafka principal for application '"
              + user
              + "': name one of "
              + KafkaCredentials.SERVICES
              + " with the init argument "
              + PRINCIPAL);
    }
    Map<String, String> config = new HashMap<>();
    config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    config.put("WK_KAFKA_USERNAME", user);
    config.put("WK_KAFKA_PASSWORD", kafka.credentials().password(user));
    config.putAll(eventSigning());
    return config;
  }

  /**
   * The service's own signing key, as the local launcher gives each service one, and (read by
   * audit-service only) the public keys it trusts for each source.
   */
  private static Map<String, String> eventSigning() {
    Map<String, String> config = new HashMap<>(TestEventKeys.auditTrustConfig());
    config.put(
        "whispyrkeep.events.signing-key-file",
        TestEventKeys.privateKeyFile(TestEventKeys.SERVICE_UNDER_TEST).toString());
    return config;
  }

  @Override
  public void stop() {
    // Shared by the JVM; stopped by SharedInfrastructure's shutdown hook.
  }
}
