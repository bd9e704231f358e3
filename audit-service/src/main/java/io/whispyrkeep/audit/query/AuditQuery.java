package io.whispyrkeep.audit.query;

import java.time.Instant;

/** Filters of {@code GET /audit/events}; null means "any". */
public record AuditQuery(
    String typePrefix,
    String actor,
    String subject,
    String clientIp,
    String severity,
    Instant from,
    Instant to,
    String text,
    int limit,
    String cursor) {

  /** Largest page. */
  public static final int MAX_LIMIT = 500;

  /** Page size when none is asked for. */
  public static final int DEFAULT_LIMIT = 50;
}
