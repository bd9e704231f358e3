package io.whispyrkeep.audit.query;

import com.fasterxml.jackson.databind.JsonNode;

/** CSV form of audit events (RFC 4180 quoting), safe to open in a spreadsheet. */
final class CsvLines {

  static final String HEADER =
      "id,occurredAt,type,severity,source,actor,subject,clientIp,userAgent,requestId\r\n";

  private static final String[] FIELDS = {
    "id",
    "occurredAt",
    "type",
    "severity",
    "source",
    "actor",
    "subject",
    "clientIp",
    "userAgent",
    "requestId"
  };

  private CsvLines() {}

  static String line(JsonNode event) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < FIELDS.length; i++) {
      if (i > 0) {
        line.append(',');
      }
      JsonNode value = event.get(FIELDS[i]);
      line.append(cell(value == null || value.isNull() ? "" : value.asText()));
    }
    return line.append("\r\n").toString();
  }

  /** Quotes every cell; neutralises leading formula characters (OWASP CSV injection). */
  static String cell(String value) {
    String safe = value;
    if (!safe.isEmpty() && "=+-@\t\r".indexOf(safe.charAt(0)) >= 0) {
      safe = "'" + safe;
    }
    return "\"" + safe.replace("\"", "\"\"") + "\"";
  }
}
