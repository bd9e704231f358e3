package io.whispyrkeep.audit.ingest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.whispyrkeep.audit.chain.ChainHasher;
import io.whispyrkeep.audit.config.AuditConfig;
import io.whispyrkeep.platform.event.SecurityEventSchema;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decides, for one consumed record, whether it can enter the trail: it must be signed by a key
 * trusted for the {@code source} it names ({@link EventAuthenticator}; checked first, on the raw
 * bytes, before any parsing), it must be a JSON object valid against the event schema, its id and
 * {@code occurredAt} must parse under the same rules the database and the alert rules use, and
 * {@code occurredAt} must lie within the configured skew of the ingest time. Each check that fails
 * gives the reason the record is dead-lettered with. Add new per-record checks here (in {@link
 * #check}), so every path into the trail passes them.
 */
@ApplicationScoped
public class RecordValidator {

  /** Longest reason kept (the dead-letter header and the ledger column). */
  static final int MAX_REASON = 500;

  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

  private final ObjectReader reader;
  private final Map<String, List<String>> typePrefixes;
  private final SecurityEventSchema schema = SecurityEventSchema.load();
  private final Duration maxFuture;
  private final Duration maxPast;
  private final EventAuthenticator authenticator;
  private final Counter unauthenticated;

  RecordValidator(
      ObjectMapper mapper,
      AuditConfig config,
      EventAuthenticator authenticator,
      MeterRegistry registry) {
    this.typePrefixes = new java.util.HashMap<>();
    config
        .eventKeys()
        .forEach(
            (source, keys) ->
                keys.typePrefixes().ifPresent(prefixes -> typePrefixes.put(source, prefixes)));
    // Nothing may follow the JSON object: bytes a signer appended would be stored unchecked.
    this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.authenticator = authenticator;
    this.unauthenticated = registry.counter("whispyrkeep.audit.unauthenticated");
    this.maxFuture = config.ingest().maxFutureSkew();
    this.maxPast = config.ingest().maxPastSkew();
  }

  /** The outcome of {@link #check}: an event ready for its chain, or why the record was refused. */
  public sealed interface Checked permits Accepted, Rejected {
    ConsumerRecord<String, String> record();
  }

  /**
   * A valid, authentic event: its id, its parsed JSON, the canonical text that is hashed and
   * stored, its {@code occurredAt} as stored, its publisher's signature and, when it differs from
   * the canonical text, the exact record value that was signed (else null).
   */
  public record Accepted(
      ConsumerRecord<String, String> record,
      UUID id,
      JsonNode event,
      String canonical,
      OffsetDateTime occurredAt,
      EventAuthenticator.Authentic authentic,
      String signedPayload)
      implements Checked {

    int partition() {
      return record.partition();
    }
  }

  /**
   * A record that can never be stored, and why; {@code event} is its JSON object when it parsed as
   * one (else null). The reason is cut to {@value #MAX_REASON} characters and control characters
   * become {@code ?}, since schema messages may quote property names from the record.
   */
  public record Rejected(ConsumerRecord<String, String> record, String reason, JsonNode event)
      implements Checked {
    public Rejected {
      reason = CONTROL.matcher(reason).replaceAll("?");
      reason = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
    }

    public Rejected(ConsumerRecord<String, String> record, String reason) {
      this(record, reason, null);
    }

    /** The event type the record claims, if it has one. */
    String type() {
      return event == null ? null : event.path("type").asText(null);
    }

    /**
     * Whether this is audit-service's own report of a dead letter. An event is attached only once
     * its signature and source were established, so another publisher cannot claim the type to
     * escape the report (and alert) every dead letter gets.
     */
    boolean isOwnDeadLetterReport() {
      return AuditIngestor.DEAD_LETTER_TYPE.equals(type())
          && EventAuthenticator.OWN_SOURCE.equals(event.path("source").asText(null));
    }
  }

  /** Checks one record against everything the trail requires, at ingest time {@code now}. */
  public Checked check(ConsumerRecord<String, String> record, Instant now) {
    if (record.value() == null) {
      return new Rejected(record, "empty message");
    }
    EventAuthenticator.Verdict verdict =
        authenticator.authenticate(
            record.headers(), record.value().getBytes(StandardCharsets.UTF_8));
    if (verdict instanceof EventAuthenticator.Refused refused) {
      unauthenticated.increment();
      return new Rejected(record, refused.reason());
    }
    EventAuthenticator.Authentic authentic = (EventAuthenticator.Authentic) verdict;
    JsonNode event;
    try {
      event = reader.readTree(record.value());
    } catch (JacksonException e) {
      return new Rejected(record, "malformed JSON");
    }
    if (event == null || !event.isObject()) {
      return new Rejected(record, "not a JSON object");
    }
    String mismatch =
        EventAuthenticator.sourceMismatch(authentic, event.path("source").asText(null));
    if (mismatch != null) {
      unauthenticated.increment();
      // Without its event: a forged record's claimed type (say, a dead-letter report) must never
      // spare it the report every dead letter gets.
      return new Rejected(record, mismatch);
    }
    List<String> allowed = typePrefixes.get(authentic.source());
    String type = event.path("type").asText("");
    if (allowed != null && allowed.stream().noneMatch(type::startsWith)) {
      unauthenticated.increment();
      // Without its event, like a source mismatch: no claimed type may spare it the report.
      return new Rejected(
          record, "type is not one " + authentic.source() + " may publish (" + allowed + ")");
    }
    List<String> violations = schema.validate(event);
    if (!violations.isEmpty()) {
      return new Rejected(record, "schema: " + String.join("; ", violations), event);
    }
    OffsetDateTime occurredAt;
    try {
      occurredAt =
          OffsetDateTime.parse(
              event.get("occurredAt").asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    } catch (DateTimeParseException e) {
      return new Rejected(
          record, "occurredAt is not an ISO-8601 instant such as 2026-01-01T00:00:00Z", event);
    }
    Instant at = occurredAt.toInstant();
    if (at.isAfter(now.plus(maxFuture))) {
      return new Rejected(
          record, "occurredAt is more than " + maxFuture + " ahead of the ingest time", event);
    }
    if (at.isBefore(now.minus(maxPast))) {
      return new Rejected(
          record, "occurredAt is more than " + maxPast + " before the ingest time", event);
    }
    UUID id;
    String canonical;
    try {
      id = UUID.fromString(event.get("id").asText());
      canonical = ChainHasher.canonicalJson(event);
    } catch (IllegalArgumentException e) {
      return new Rejected(record, "event cannot be canonicalised", event);
    }
    return new Accepted(
        record,
        id,
        event,
        canonical,
        occurredAt,
        authentic,
        canonical.equals(record.value()) ? null : record.value());
  }
}
