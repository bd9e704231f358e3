package io.whispyrkeep.platform.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates the JSON form of a {@link SecurityEvent} against {@code
 * schemas/security-event-v1.json}, the contract that producers and the audit-service share, and
 * reads {@code occurredAt} by the same rule it validates it with ({@link #occurredAt(String)}): an
 * event that passes can always be stored. Thread-safe; load once.
 */
public final class SecurityEventSchema {

  /** Classpath location of the schema. */
  public static final String LOCATION = "schemas/security-event-v1.json";

  /** The schema's {@code occurredAt} pattern, matched whole (no trailing newline slips through). */
  private static final Pattern OCCURRED_AT =
      Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-5][0-9](\\.[0-9]{1,9})?Z");

  private final JsonSchema schema;

  private SecurityEventSchema(JsonSchema schema) {
    this.schema = schema;
  }

  public static SecurityEventSchema load() {
    try (InputStream in =
        SecurityEventSchema.class.getClassLoader().getResourceAsStream(LOCATION)) {
      if (in == null) {
        throw new IllegalStateException(LOCATION + " is not on the classpath");
      }
      SchemaValidatorsConfig config =
          SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
      return new SecurityEventSchema(
          JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in, config));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The violations, as messages safe to log (they name fields, not values); empty if valid. */
  public List<String> validate(JsonNode event) {
    Set<ValidationMessage> messages = schema.validate(event);
    List<String> violations = new ArrayList<>();
    messages.stream().map(ValidationMessage::getMessage).forEach(violations::add);
    JsonNode occurredAt = event == null ? null : event.get("occurredAt");
    if (occurredAt != null && occurredAt.isTextual()) {
      try {
        occurredAt(occurredAt.textValue());
      } catch (DateTimeParseException e) {
        violations.add("$.occurredAt: is not a UTC instant that java.time reads");
      }
    }
    return violations.stream().distinct().sorted().toList();
  }

  /**
   * Reads an event's {@code occurredAt}: the schema's pattern (date, {@code T}, time with seconds
   * 00 to 59, optional fraction, {@code Z}), then {@link OffsetDateTime#parse}, so a valid date
   * such as February 30 or a leap second {@code 23:59:60Z} is refused here rather than by the
   * consumer that stores it. Consumers parse with this, or with {@code OffsetDateTime.parse}, which
   * accepts everything this accepts.
   *
   * @throws DateTimeParseException when the text is not such an instant
   */
  public static Instant occurredAt(String text) {
    if (text == null || !OCCURRED_AT.matcher(text).matches()) {
      throw new DateTimeParseException(
          "not a UTC instant such as 2026-01-01T10:00:00Z", text == null ? "" : text, 0);
    }
    return OffsetDateTime.parse(text).toInstant();
  }
}
