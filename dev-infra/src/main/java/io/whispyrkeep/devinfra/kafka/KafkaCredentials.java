package io.whispyrkeep.devinfra.kafka;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * The SCRAM-SHA-512 passwords of the suite's Kafka principals: {@value #ADMIN}, the broker's own
 * super user (inter-broker traffic, topics and ACLs), and one principal per service, named like the
 * service. Locally they come from {@code .local/secrets/}; in Kubernetes from the KafkaUsers'
 * Secrets. Passwords are restricted to base64url so they can be quoted in a JAAS line and a {@code
 * --add-scram} argument without escaping, and so nothing in a password can add JAAS options.
 */
public record KafkaCredentials(Map<String, String> passwords) {

  /** The broker's super user; never handed to a service. */
  public static final String ADMIN = "broker";

  /** The services' principals, one per service, named like the service. */
  public static final List<String> SERVICES =
      List.of("auth-service", "keyvault-service", "turn-service", "audit-service");

  /** The only mechanism the client listener offers. */
  public static final String MECHANISM = "SCRAM-SHA-512";

  private static final Pattern PASSWORD = Pattern.compile("[A-Za-z0-9_-]{24,200}");
  private static final SecureRandom RANDOM = new SecureRandom();

  public KafkaCredentials {
    for (String principal : principals()) {
      String password = passwords.get(principal);
      if (password == null || !PASSWORD.matcher(password).matches()) {
        throw new IllegalArgumentException(
            "Kafka password of "
                + principal
                + " missing or not 24-200 characters of [A-Za-z0-9_-]");
      }
    }
    passwords = Map.copyOf(passwords);
  }

  /** The broker super user first, then every service. */
  public static List<String> principals() {
    List<String> principals = new ArrayList<>();
    principals.add(ADMIN);
    principals.addAll(SERVICES);
    return principals;
  }

  /** Fresh random passwords (32 random bytes each) for every principal. */
  public static KafkaCredentials generate() {
    Map<String, String> passwords = new LinkedHashMap<>();
    for (String principal : principals()) {
      passwords.put(principal, randomPassword());
    }
    return new KafkaCredentials(passwords);
  }

  /** A password of the allowed alphabet: 32 random bytes, base64url. */
  public static String randomPassword() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public String password(String principal) {
    String password = passwords.get(principal);
    if (password == null) {
      throw new IllegalArgumentException("no Kafka principal named " + principal);
    }
    return password;
  }

  /** The client's JAAS line for SCRAM as {@code principal}. */
  public String jaasConfig(String principal) {
    return scramJaasConfig(principal, password(principal));
  }

  /** Client settings (bootstrap, SASL SCRAM-SHA-512) to connect as {@code principal}. */
  public Properties clientProperties(String bootstrapServers, String principal) {
    Properties properties = new Properties();
    properties.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.setProperty(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
    properties.setProperty(SaslConfigs.SASL_MECHANISM, MECHANISM);
    properties.setProperty(SaslConfigs.SASL_JAAS_CONFIG, jaasConfig(principal));
    return properties;
  }

  /** A SCRAM login line; the caller makes sure neither value needs quoting. */
  public static String scramJaasConfig(String username, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + username
        + "\" password=\""
        + password
        + "\";";
  }
}
