package io.whispyrkeep.audit.query;

import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Locale;

/**
 * The forms an export is written in, chosen by {@code format=} when given, else by the request's
 * {@code Accept} header (most preferred first; {@code *}{@code /*} or none means NDJSON).
 */
enum ExportFormat {
  NDJSON("ndjson", new MediaType("application", "x-ndjson"), "application/x-ndjson"),
  CSV("csv", new MediaType("text", "csv"), "text/csv; charset=utf-8");

  private final String name;
  private final MediaType mediaType;
  private final String contentType;

  ExportFormat(String name, MediaType mediaType, String contentType) {
    this.name = name;
    this.mediaType = mediaType;
    this.contentType = contentType;
  }

  /** The value of {@code format=} and of the audit record. */
  String formatName() {
    return name;
  }

  /** The response's Content-Type. */
  String contentType() {
    return contentType;
  }

  /**
   * The format asked for: {@code format} if given (400 if unknown, 406 if the Accept header rules
   * it out), else the first acceptable media type that is one of ours (406 if none is).
   */
  static ExportFormat negotiate(String format, List<MediaType> acceptable) {
    List<MediaType> accepted = acceptable.stream().filter(ExportFormat::wanted).toList();
    if (format != null && !format.isBlank()) {
      ExportFormat asked = byName(format);
      if (accepted.stream().noneMatch(type -> type.isCompatible(asked.mediaType))) {
        throw notAcceptable();
      }
      return asked;
    }
    for (MediaType type : accepted) {
      for (ExportFormat candidate : values()) {
        if (type.isCompatible(candidate.mediaType)) {
          return candidate;
        }
      }
    }
    throw notAcceptable();
  }

  /** A media type with quality 0 is one the client refuses (RFC 9110, section 12.4.2). */
  private static boolean wanted(MediaType type) {
    String quality = type.getParameters().get("q");
    if (quality == null) {
      return true;
    }
    try {
      return Double.parseDouble(quality) > 0;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private static ExportFormat byName(String format) {
    for (ExportFormat candidate : values()) {
      if (candidate.name.equals(format.toLowerCase(Locale.ROOT))) {
        return candidate;
      }
    }
    throw new ProblemException(ProblemType.BAD_REQUEST, "format must be ndjson or csv.");
  }

  private static ProblemException notAcceptable() {
    return new ProblemException(
        ProblemType.NOT_ACCEPTABLE,
        "The export is available as application/x-ndjson (format=ndjson) or text/csv"
            + " (format=csv).");
  }
}
