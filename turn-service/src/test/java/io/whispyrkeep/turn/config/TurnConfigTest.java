package io.whispyrkeep.turn.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.whispyrkeep.turn.injection.InjectionDetector;
import io.whispyrkeep.turn.input.TurnInputCleaner;
import io.whispyrkeep.turn.narrator.NarratorAnswerParser;
import io.whispyrkeep.turn.patch.PatchLimits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TurnConfigTest {

  @Test
  void defaults_matchTheDocumentedConstants() {
    TurnConfig config = TurnConfigs.defaults();

    assertThat(config.input().maxCodePoints()).isEqualTo(TurnInputCleaner.DEFAULT_MAX_CODE_POINTS);
    assertThat(config.injection().previewLength())
        .isEqualTo(InjectionDetector.DEFAULT_PREVIEW_LENGTH);
    assertThat(config.injection().maxDecodeDepth())
        .isEqualTo(InjectionDetector.DEFAULT_MAX_DECODE_DEPTH);
    assertThat(config.narrator().maxAnswerChars())
        .isEqualTo(NarratorAnswerParser.DEFAULT_MAX_ANSWER_CHARS);
    assertThat(config.narrator().maxPatchChars())
        .isEqualTo(NarratorAnswerParser.DEFAULT_MAX_PATCH_CHARS);
    assertThat(config.narrator().maxNestingDepth())
        .isEqualTo(NarratorAnswerParser.DEFAULT_MAX_NESTING_DEPTH);
    assertThat(PatchLimits.of(config.patch())).isEqualTo(PatchLimits.defaults());
    assertThat(config.rateLimit().turnsPerMinute()).isEqualTo(60);
    assertThat(config.campaign().defaultState()).isEqualTo(TurnBeans.DEFAULT_STATE);
    assertThat(config.narrator().authUrl()).isEqualTo("http://127.0.0.1:8081");
    assertThat(config.narrator().keyvaultUrl()).isEqualTo("http://127.0.0.1:8082");
    assertThat(config.narrator().clientSecret()).isEmpty();
    assertThat(config.narrator().tokenRefreshMargin()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.narrator().turnLease()).isGreaterThan(config.narrator().callTimeout());
  }

  @Test
  void blockedPaths_configured_addedToTheBuiltIns() {
    TurnConfig config =
        TurnConfigs.with(
            Map.of(
                "whispyrkeep.turn.patch.blocked-paths", "/settings/llm,/owner",
                "whispyrkeep.turn.patch.max-time-advance", "1h"));

    PatchLimits limits = PatchLimits.of(config.patch());

    assertThat(limits.blockedPaths().prefixes())
        .containsExactly(
            List.of("user"),
            List.of("api_key"),
            List.of("password"),
            List.of("settings", "llm"),
            List.of("owner"));
    assertThat(limits.maxTimeAdvance()).isEqualTo(Duration.ofHours(1));
  }
}
