package io.whispyrkeep.platform.event;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A security event, version {@value #VERSION} of the contract every service publishes on {@link
 * SecurityEventTopics#SECURITY_EVENTS} and the audit-service stores. The JSON form is described by
 * {@code schemas/security-event-v1.json}; {@link SecurityEventSchema} validates against it.
 *
 * <p>{@code details} is a flat map of non-secret values: {@link SecurityEventFactory} enforces the
 * limits and masks anything that looks like a credential before an event is recorded.
 *
 * @param id time-ordered UUID (version 7), the consumer's de-duplication key
 * @param type dotted lower-case name such as {@code auth.login_failure}
 * @param actor user or service id that caused the event; null when unknown (anonymous)
 */
public record SecurityEvent(
    int version,
    UUID id,
    String type,
    Instant occurredAt,
    String source,
    String actor,
    String subject,
    String clientIp,
    String userAgent,
    String requestId,
    Severity severity,
    Map<String, String> details) {

  /** The contract version this record implements. */
  public static final int VERSION = 1;

  public SecurityEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(severity, "severity");
    details = details == null ? Map.of() : Map.copyOf(details);
  }

  /**
   * The Kafka record key: the actor, so one actor's events stay in order on one partition;
   * anonymous events are keyed by client IP (or spread when that is unknown too).
   */
  public String partitionKey() {
    if (actor != null) {
      return actor;
    }
    return clientIp;
  }
}
