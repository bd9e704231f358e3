package io.whispyrkeep.turn.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.whispyrkeep.turn.patch.PatchRejection.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a narrator's {@code {"patches": [...]}} object before anything is applied: the seed's JSON
 * Schema (the {@link #SCHEMA_LOCATION} resource, through networknt's validator), then the limits of
 * {@link PatchLimits}, each with its own reason. One violation refuses the whole patch. Never
 * throws for any JSON tree; thread-safe.
 *
 * <p>In this order, so the cheapest checks come first and the most telling reason wins: operation
 * count ({@code too-many-ops}); schema ({@code schema}: unknown or missing keys, an op other than
 * add, replace, remove and advance_time, a path outside {@code ^/[a-z_/]+$}); then per operation,
 * blocked path ({@code blocked-path}), path depth ({@code too-deep-path}), empty segments ({@code
 * schema}), value depth ({@code value-too-deep}), a string with U+0000 or a lone surrogate, which
 * the state's store cannot hold ({@code schema}), value size or a non-finite number ({@code
 * value-too-large}) and the time to advance ({@code bad-time}).
 *
 * <p>{@code advance_time} moves the campaign's in-game clock, which lives outside the state
 * document: its value is {@code {"days": d, "hours": h, "minutes": m, "seconds": s}} (any of them,
 * non-negative integers) or an ISO-8601 duration such as {@code "PT2H"}; the total must be positive
 * and at most {@code max-time-advance}, and the patch's total at most {@code
 * max-time-advance-per-patch}. Its path is not used (by convention {@code /time}) but must still be
 * valid and not blocked.
 */
public final class PatchValidator {

  /** Classpath location of the schema. */
  public static final String SCHEMA_LOCATION = "schemas/state-patch-v1.json";

  /** Longest ISO-8601 duration text read. */
  static final int MAX_DURATION_CHARS = 64;

  private static final Set<String> TIME_UNITS = Set.of("days", "hours", "minutes", "seconds");

  private final PatchLimits limits;
  private final JsonSchema schema;

  public PatchValidator(PatchLimits limits) {
    this.limits = limits;
    this.schema = loadSchema();
  }

  /** With {@link PatchLimits#defaults()}. */
  public static PatchValidator withDefaults() {
    return new PatchValidator(PatchLimits.defaults());
  }

  public PatchLimits limits() {
    return limits;
  }

  private static JsonSchema loadSchema() {
    try (InputStream in =
        PatchValidator.class.getClassLoader().getResourceAsStream(SCHEMA_LOCATION)) {
      if (in == null) {
        throw new IllegalStateException(SCHEMA_LOCATION + " is not on the classpath");
      }
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
          .getSchema(in, SchemaValidatorsConfig.builder().build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The patch, ready for {@link StatePatcher}, or the reason it is refused. */
  public PatchValidation validate(JsonNode document) {
    if (document == null || !document.isObject()) {
      return invalid(Reason.SCHEMA, -1, "the patch is not a JSON object");
    }
    JsonNode patches = document.get("patches");
    if (patches != null && patches.isArray() && patches.size() > limits.maxOperations()) {
      return invalid(
          Reason.TOO_MANY_OPS, -1, "more than " + limits.maxOperations() + " operations");
    }
    Set<ValidationMessage> violations = schema.validate(document);
    if (!violations.isEmpty()) {
      int operation = violations.stream().mapToInt(PatchValidator::operationIndex).min().orElse(-1);
      return invalid(Reason.SCHEMA, operation, "does not match the state patch schema");
    }
    List<PatchOperation> operations = new ArrayList<>(patches.size());
    Duration total = Duration.ZERO;
    for (int i = 0; i < patches.size(); i++) {
      JsonNode entry = patches.get(i);
      PatchOperation.Op op = PatchOperation.Op.fromJson(entry.get("op").asText());
      String path = entry.get("path").asText();
      if (op == null || !isPathSyntax(path)) {
        return invalid(Reason.SCHEMA, i, "path or op outside the schema");
      }
      List<String> segments = BlockedPaths.segments(path);
      if (limits.blockedPaths().isBlocked(segments)) {
        return invalid(Reason.BLOCKED_PATH, i, "the path is blocked");
      }
      long slashes = path.chars().filter(c -> c == '/').count();
      if (slashes > limits.maxPathSegments()) {
        return invalid(
            Reason.TOO_DEEP_PATH, i, "more than " + limits.maxPathSegments() + " path segments");
      }
      if (segments.size() != slashes) {
        return invalid(Reason.SCHEMA, i, "the path has an empty segment");
      }
      JsonNode value = entry.get("value");
      if (value != null) {
        if (JsonSize.isDeeperThan(value, limits.maxValueDepth())) {
          return invalid(
              Reason.VALUE_TOO_DEEP, i, "the value nests deeper than " + limits.maxValueDepth());
        }
        if (JsonSize.hasUnstorableText(value)) {
          return invalid(Reason.SCHEMA, i, "a string holds U+0000 or a lone surrogate");
        }
        if (JsonSize.hasNonFiniteNumber(value)) {
          return invalid(Reason.VALUE_TOO_LARGE, i, "the value holds a number beyond a double");
        }
        if (JsonSize.isLargerThan(value, limits.maxValueBytes())) {
          return invalid(
              Reason.VALUE_TOO_LARGE,
              i,
              "the value is larger than " + limits.maxValueBytes() + " bytes");
        }
      }
      Duration advance = Duration.ZERO;
      if (op == PatchOperation.Op.ADVANCE_TIME) {
        advance = duration(value);
        if (advance == null
            || advance.isNegative()
            || advance.isZero()
            || advance.compareTo(limits.maxTimeAdvance()) > 0) {
          return invalid(
              Reason.BAD_TIME,
              i,
              "advance_time needs a positive duration of at most " + limits.maxTimeAdvance());
        }
        total = total.plus(advance);
        if (total.compareTo(limits.maxTimeAdvancePerPatch()) > 0) {
          return invalid(
              Reason.BAD_TIME,
              i,
              "the patch advances time by more than " + limits.maxTimeAdvancePerPatch());
        }
      }
      operations.add(
          new PatchOperation(
              op, path, segments, op == PatchOperation.Op.REMOVE ? null : value, advance));
    }
    return new PatchValidation.Valid(new ValidatedPatch(operations, total));
  }

  /** {@code ^/[a-z_/]+$} checked here too, in plain code: no regex dialect can differ from it. */
  static boolean isPathSyntax(String path) {
    if (path.length() < 2 || path.charAt(0) != '/') {
      return false;
    }
    for (int i = 1; i < path.length(); i++) {
      char c = path.charAt(i);
      if (!(BlockedPaths.isPathChar(c) || c == '/')) {
        return false;
      }
    }
    return true;
  }

  /** The duration an advance_time value stands for, or null if it is not a valid one. */
  static Duration duration(JsonNode value) {
    if (value == null) {
      return null;
    }
    if (value.isTextual()) {
      String text = value.textValue();
      if (text.length() > MAX_DURATION_CHARS) {
        return null;
      }
      try {
        return Duration.parse(text);
      } catch (DateTimeParseException | ArithmeticException e) {
        return null; // not an ISO-8601 duration (or beyond Duration): refused as bad-time
      }
    }
    if (!value.isObject() || value.isEmpty()) {
      return null;
    }
    Duration total = Duration.ZERO;
    for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode amount = field.getValue();
      if (!TIME_UNITS.contains(field.getKey())
          || !amount.isIntegralNumber()
          || !amount.canConvertToLong()
          || amount.longValue() < 0
          || amount.longValue() > 10_000_000L) {
        return null;
      }
      long n = amount.longValue();
      total =
          total.plus(
              switch (field.getKey()) {
                case "days" -> Duration.ofDays(n);
                case "hours" -> Duration.ofHours(n);
                case "minutes" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
              });
    }
    return total;
  }

  /** The operation a schema violation is about ({@code /patches/3/op} gives 3), else -1. */
  private static int operationIndex(ValidationMessage message) {
    String location = String.valueOf(message.getInstanceLocation());
    int open = location.indexOf("patches");
    if (open < 0) {
      return -1;
    }
    int start = open + "patches".length() + 1; // past "/" (JSON Pointer) or "[" (legacy paths)
    int end = start;
    while (end < location.length() && end - start < 6 && Character.isDigit(location.charAt(end))) {
      end++;
    }
    return end > start ? Integer.parseInt(location.substring(start, end)) : -1;
  }

  private static PatchValidation invalid(Reason reason, int operation, String detail) {
    return new PatchValidation.Invalid(PatchRejection.of(reason, operation, detail));
  }
}
