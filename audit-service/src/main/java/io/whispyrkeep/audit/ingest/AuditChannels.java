package io.whispyrkeep.audit.ingest;

/** Reactive Messaging channel names of audit-service, used by code, configuration and tests. */
public final class AuditChannels {

  /** Incoming: the security.events topic. */
  public static final String SECURITY_EVENTS = "security-events";

  /** Outgoing: security.events.dlq, for messages that cannot be stored. */
  public static final String DEAD_LETTERS = "security-events-dlq";

  /** Kafka header carrying why a message went to the dead-letter topic. */
  public static final String DLQ_REASON_HEADER = "x-dlq-reason";

  private AuditChannels() {}
}
