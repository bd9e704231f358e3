package io.whispyrkeep.audit.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CSV cells and lines as a spreadsheet receives them (RFC 4180, OWASP CSV injection). */
class CsvLinesTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void cell_leadingFormulaCharacter_prefixedWithApostropheSoItStaysText() {
    for (String formula :
        List.of("=HYPERLINK(\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd")) {
      assertThat(CsvLines.cell(formula)).as(formula).startsWith("\"'");
    }
    assertThat(CsvLines.cell("@cmd")).isEqualTo("\"'@cmd\"");
  }

  @Test
  void cell_formulaCharacterNotLeading_unchanged() {
    assertThat(CsvLines.cell("a=b+c-d@e")).isEqualTo("\"a=b+c-d@e\"");
  }

  @Test
  void cell_embeddedQuotes_doubledInsideTheQuotes() {
    assertThat(CsvLines.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
  }

  @Test
  void cell_formulaHiddenBehindAQuote_quoteDoubledAndNoFormulaStarts() {
    assertThat(CsvLines.cell("\"=cmd")).isEqualTo("\"\"\"=cmd\"");
  }

  @Test
  void cell_lineBreaksInside_keptInsideOneQuotedCell() {
    assertThat(CsvLines.cell("one\r\ntwo\nthree")).isEqualTo("\"one\r\ntwo\nthree\"");
  }

  @Test
  void cell_empty_emptyQuotedCell() {
    assertThat(CsvLines.cell("")).isEqualTo("\"\"");
  }

  @Test
  void line_eventWithMissingAndNullFields_oneCellPerHeaderColumnInOrder() {
    ObjectNode event = MAPPER.createObjectNode();
    event.put("id", "0190");
    event.put("type", "auth.logout");
    event.putNull("actor");
    event.put("subject", "=evil()");
    event.put("requestId", "req-1");

    String line = CsvLines.line(event);

    assertThat(line)
        .isEqualTo(
            "\"0190\",\"\",\"auth.logout\",\"\",\"\",\"\",\"'=evil()\",\"\",\"\",\"req-1\"\r\n");
    assertThat(line.split(",", -1)).hasSameSizeAs(CsvLines.HEADER.split(",", -1));
  }

  @Test
  void line_fieldsThatAreNotColumns_leftOut() {
    ObjectNode event = MAPPER.createObjectNode();
    event.put("id", "0190");
    event.putObject("details").put("reason", "secret-ish");

    assertThat(CsvLines.line(event)).doesNotContain("secret-ish").startsWith("\"0190\",");
  }

  @Test
  void header_endsWithCrLf_namesTheColumns() {
    assertThat(CsvLines.HEADER).startsWith("id,occurredAt,type,severity").endsWith("\r\n");
  }
}
