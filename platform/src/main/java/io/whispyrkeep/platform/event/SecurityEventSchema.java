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
import java.util.List;
import java.util.Set;

/**
 * Validates the JSON form of a {@link SecurityEvent} against {@code
 * schemas/security-event-v1.json}, the contract that producers and the audit-service share.
 * Thread-safe; load once.
 */
public final class SecurityEventSchema {

  /** Classpath location of the schema. */
  public static final String LOCATION = "schemas/security-event-v1.json";

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
    return messages.stream().map(ValidationMessage::getMessage).sorted().toList();
  }
}
