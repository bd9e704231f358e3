package io.whispyrkeep.audit.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.audit.chain.ChainVerifier;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * The security team's view of the audit trail (role {@code security} only). Every query is itself
 * audited as {@code audit.queried}, with every filter, the cursor and the page size.
 */
@Path("/audit")
@RolesAllowed("security")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

  private final AuditEventRepository events;
  private final ChainVerifier verifier;
  private final QueryAudit audit;
  private final Exports exports;

  AuditResource(
      AuditEventRepository events, ChainVerifier verifier, QueryAudit audit, Exports exports) {
    this.events = events;
    this.verifier = verifier;
    this.audit = audit;
    this.exports = exports;
  }

  /** A page of events, newest first. */
  public record EventsResponse(java.util.List<JsonNode> items, String nextCursor) {}

  @Operation(
      summary =
          "Search the audit trail (security role; cursor-paginated; the query is itself audited)")
  @APIResponse(responseCode = "200", description = "A page of events and the next cursor")
  @GET
  @Path("events")
  public Uni<EventsResponse> events(
      @BeanParam EventFilter filter,
      @QueryParam("limit") Integer limit,
      @QueryParam("cursor") String cursor) {
    int pageSize = limit == null ? AuditQuery.DEFAULT_LIMIT : limit;
    if (pageSize < 1 || pageSize > AuditQuery.MAX_LIMIT) {
      throw new ProblemException(ProblemType.BAD_REQUEST, "limit must be between 1 and 500.");
    }
    AuditQuery query = query(filter, pageSize, blankToNull(cursor));
    return audit
        .record("events", null, filters(query))
        .chain(() -> events.find(query))
        .map(page -> new EventsResponse(page.items(), page.nextCursor()));
  }

  /**
   * Every matching event, streamed as NDJSON or CSV without loading the result in memory: the
   * format comes from {@code format=} or, without it, from the {@code Accept} header. CSV cells
   * that a spreadsheet would run as a formula are prefixed with a quote (OWASP CSV injection).
   */
  @Operation(summary = "Export matching events as NDJSON or CSV (streamed; at most a few at once)")
  @APIResponse(responseCode = "200", description = "The events")
  @APIResponse(responseCode = "406", description = "Neither NDJSON nor CSV acceptable")
  @GET
  @Path("events/export")
  @Produces(MediaType.TEXT_PLAIN) // written as is; negotiated below (see ExportAccept)
  public RestMulti<String> export(
      @QueryParam("format") String format, @BeanParam EventFilter filter, RoutingContext routing) {
    ExportFormat chosen = ExportFormat.negotiate(format, ExportAccept.acceptable(routing));
    AuditQuery query = query(filter, 0, null);
    Map<String, String> filters = filters(query);
    filters.put("format", chosen.formatName());
    return RestMulti.fromMultiData(exports.export(query, chosen, filters))
        .header("Content-Type", chosen.contentType())
        .build();
  }

  private static AuditQuery query(EventFilter filter, int limit, String cursor) {
    return new AuditQuery(
        blankToNull(filter.type),
        blankToNull(filter.actor),
        blankToNull(filter.subject),
        blankToNull(filter.ip),
        severity(filter.severity),
        instant("from", filter.from),
        instant("to", filter.to),
        blankToNull(filter.text),
        limit,
        cursor);
  }

  private static Map<String, String> filters(AuditQuery query) {
    Map<String, String> filters = new LinkedHashMap<>();
    putIfPresent(filters, "type", query.typePrefix());
    putIfPresent(filters, "actor", query.actor());
    putIfPresent(filters, "subject", query.subject());
    putIfPresent(filters, "ip", query.clientIp());
    putIfPresent(filters, "severity", query.severity());
    putIfPresent(filters, "from", query.from() == null ? null : query.from().toString());
    putIfPresent(filters, "to", query.to() == null ? null : query.to().toString());
    putIfPresent(filters, "q", query.text());
    if (query.limit() > 0) {
      filters.put("limit", Integer.toString(query.limit()));
    }
    putIfPresent(filters, "cursor", query.cursor());
    return filters;
  }

  @Operation(summary = "One event by id")
  @APIResponse(responseCode = "200", description = "The event")
  @APIResponse(responseCode = "404", description = "No such event")
  @GET
  @Path("events/{id}")
  public Uni<JsonNode> event(@PathParam("id") UUID id) {
    return audit
        .record("event", null, Map.of("id", id.toString()))
        .chain(() -> events.findById(id))
        .onItem()
        .ifNull()
        .failWith(
            () -> new ProblemException(ProblemType.NOT_FOUND, "No audit event with this id."));
  }

  /**
   * Re-walks the chains (optionally only rows stored within {@code [from, to)}) and checks the
   * signed checkpoints; reports the first broken link.
   */
  @Operation(summary = "Verify the hash chains, signatures, checkpoints and offset ledger")
  @APIResponse(
      responseCode = "200",
      description = "The verification report (intact or the first break)")
  @GET
  @Path("verify")
  public Uni<ChainVerifier.Report> verify(
      @QueryParam("from") String from, @QueryParam("to") String to) {
    ChainVerifier.Range range = new ChainVerifier.Range(instant("from", from), instant("to", to));
    if (range.from() != null && range.to() != null && !range.from().isBefore(range.to())) {
      throw new ProblemException(ProblemType.BAD_REQUEST, "from must be before to.");
    }
    Map<String, String> filters = new LinkedHashMap<>();
    putIfPresent(filters, "from", range.from() == null ? null : range.from().toString());
    putIfPresent(filters, "to", range.to() == null ? null : range.to().toString());
    return audit.record("verify", null, filters).chain(() -> verifier.verify(range));
  }

  private static void putIfPresent(Map<String, String> map, String key, String value) {
    if (value != null) {
      map.put(key, value);
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static String severity(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Severity.valueOf(value.toUpperCase(Locale.ROOT)).name();
    } catch (IllegalArgumentException e) {
      throw new ProblemException(
          ProblemType.BAD_REQUEST, "severity must be INFO, NOTICE, WARNING or CRITICAL.");
    }
  }

  private static Instant instant(String name, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new ProblemException(
          ProblemType.BAD_REQUEST,
          name + " must be an ISO-8601 instant such as 2026-01-01T00:00:00Z.");
    }
  }
}
