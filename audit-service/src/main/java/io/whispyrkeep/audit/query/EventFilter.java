package io.whispyrkeep.audit.query;

import jakarta.ws.rs.QueryParam;

/**
 * The filters shared by {@code GET /audit/events} and its export, as sent: validated and parsed by
 * {@link AuditResource} into an {@link AuditQuery}.
 */
public class EventFilter {

  /** Type or type prefix, such as {@code auth.}. */
  @QueryParam("type")
  public String type;

  @QueryParam("actor")
  public String actor;

  @QueryParam("subject")
  public String subject;

  /** Client address. */
  @QueryParam("ip")
  public String ip;

  /** INFO, NOTICE, WARNING or CRITICAL. */
  @QueryParam("severity")
  public String severity;

  /** ISO-8601 instant, inclusive. */
  @QueryParam("from")
  public String from;

  /** ISO-8601 instant, exclusive. */
  @QueryParam("to")
  public String to;

  /** Substring of the event JSON. */
  @QueryParam("q")
  public String text;
}
