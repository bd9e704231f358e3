package io.whispyrkeep.turn.injection;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whispyrkeep.turn.SharedCorpora;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Detection rate and false positives of the heuristics on public labelled prompt-injection sets
 * ({@code ../shared/corpora/prompt-injection/}, see its SOURCE.txt) and on this project's own game
 * turns. The floors sit just under what the patterns reach today, so a regression fails; the
 * figures are printed for the README. The patterns were written with these sets in view: the
 * figures are in-sample, not a held-out estimate.
 */
class InjectionCorpusTest {

  private static final InjectionDetector DETECTOR = InjectionDetector.withDefaults();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Detected and total, per label. */
  record Rates(int flaggedInjections, int injections, int flaggedBenign, int benign) {

    double recall() {
      return injections == 0 ? Double.NaN : (double) flaggedInjections / injections;
    }

    double falsePositiveRate() {
      return benign == 0 ? Double.NaN : (double) flaggedBenign / benign;
    }

    String describe(String set) {
      return String.format(
          "%-34s recall %3d/%3d = %5.1f %%   false positives %3d/%3d = %4.1f %%",
          set,
          flaggedInjections,
          injections,
          100 * recall(),
          flaggedBenign,
          benign,
          benign == 0 ? 0.0 : 100 * falsePositiveRate());
    }
  }

  private static Path corpora() {
    return SharedCorpora.dir("prompt-injection");
  }

  private static Rates measure(String file) throws IOException {
    int injections = 0;
    int flaggedInjections = 0;
    int benign = 0;
    int flaggedBenign = 0;
    for (String line : Files.readAllLines(corpora().resolve(file), StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode row = JSON.readTree(line);
      boolean flagged = DETECTOR.scan(row.get("text").asText()).isSuspected();
      if (row.get("label").asInt() == 1) {
        injections++;
        flaggedInjections += flagged ? 1 : 0;
      } else {
        benign++;
        flaggedBenign += flagged ? 1 : 0;
      }
    }
    Rates rates = new Rates(flaggedInjections, injections, flaggedBenign, benign);
    System.out.println(rates.describe(file));
    return rates;
  }

  private static List<String> resourceLines(String name) throws IOException {
    try (InputStream in = InjectionCorpusTest.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      List<String> lines = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          lines.add(line.replace("\\n", "\n"));
        }
      }
      return lines;
    }
  }

  @Test
  void deepset_recallAndFalsePositives_atLeastTheFloors() throws IOException {
    Rates rates = measure("deepset-prompt-injections.jsonl");

    assertThat(rates.injections()).isEqualTo(263);
    assertThat(rates.recall()).isGreaterThanOrEqualTo(0.44);
    assertThat(rates.falsePositiveRate()).isLessThanOrEqualTo(0.01);
  }

  @Test
  void cyberSecEvalInjections_recall_atLeastTheFloor() throws IOException {
    Rates rates = measure("cyberseceval-prompt-injection.jsonl");

    assertThat(rates.injections()).isEqualTo(251);
    assertThat(rates.recall()).isGreaterThanOrEqualTo(0.34);
  }

  @Test
  void llmGuard_recallAndFalsePositives_atLeastTheFloors() throws IOException {
    Rates rates = measure("llm-guard-tests.jsonl");

    assertThat(rates.injections()).isEqualTo(49);
    assertThat(rates.recall()).isGreaterThanOrEqualTo(0.79);
    assertThat(rates.flaggedBenign()).isZero();
  }

  @Test
  void cyberSecEvalHardNegatives_falsePositives_atMostTheCeiling() throws IOException {
    Rates rates = measure("cyberseceval-mitre-frr-benign.jsonl");

    assertThat(rates.benign()).isEqualTo(750);
    assertThat(rates.falsePositiveRate()).isLessThanOrEqualTo(0.005);
  }

  @Test
  void benignGameTurns_falsePositives_atMostTwoPercent() throws IOException {
    List<String> turns = resourceLines("benign-game-turns.txt");
    List<String> flagged = new ArrayList<>();
    for (String turn : turns) {
      InjectionReport report = DETECTOR.scan(turn);
      if (report.isSuspected()) {
        flagged.add(report.patterns() + " " + turn);
      }
    }
    System.out.println(
        new Rates(0, 0, flagged.size(), turns.size()).describe("benign-game-turns.txt (own)"));
    flagged.forEach(line -> System.out.println("  flagged: " + line));

    assertThat(turns).hasSizeGreaterThanOrEqualTo(100);
    assertThat((double) flagged.size() / turns.size()).isLessThanOrEqualTo(0.02);
  }

  @Test
  void hostileGameTurns_allFlagged() throws IOException {
    List<String> turns = resourceLines("hostile-turns.txt");
    List<String> missed =
        turns.stream().filter(turn -> !DETECTOR.scan(turn).isSuspected()).toList();
    System.out.println(
        new Rates(turns.size() - missed.size(), turns.size(), 0, 0)
            .describe("hostile-turns.txt (own)"));

    assertThat(turns).hasSizeGreaterThanOrEqualTo(50);
    assertThat(missed).isEmpty();
  }
}
