package io.whispyrkeep.platform.event;

/** Kafka topic names of the suite, in one place for code and tests alike. */
public final class SecurityEventTopics {

  /** Every security event of every service, keyed by actor. */
  public static final String SECURITY_EVENTS = "security.events";

  /** Messages the audit-service could not parse or validate, with the reason in a header. */
  public static final String SECURITY_EVENTS_DLQ = "security.events.dlq";

  /** Alerts raised by the audit-service's rules. */
  public static final String SECURITY_ALERTS = "security.alerts";

  private SecurityEventTopics() {}
}
