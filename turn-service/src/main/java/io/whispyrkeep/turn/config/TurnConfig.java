package io.whispyrkeep.turn.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * turn-service settings for the validation of player turns and narrator answers. Each default
 * repeats a {@code DEFAULT_*} constant of the class that uses it (which cites its source); {@code
 * TurnConfigTest} fails if the two drift apart.
 */
@ConfigMapping(prefix = "whispyrkeep.turn")
public interface TurnConfig {

  Input input();

  Injection injection();

  Narrator narrator();

  Patch patch();

  RateLimit rateLimit();

  /** A player's turn text ({@code TurnInputCleaner}). */
  interface Input {
    /**
     * Most code points a turn may have after cleaning. Default 10000 (the seed serializer's {@code
     * max_length}, which Python counts in code points).
     */
    @WithDefault("10000")
    int maxCodePoints();
  }

  /** Prompt-injection heuristics ({@code InjectionDetector}): they flag a turn, never block it. */
  interface Injection {
    /** Length of the redacted preview of a flagged turn, in code points. Default 100 (the seed). */
    @WithDefault("100")
    int previewLength();

    /**
     * How many times text hidden in base64 or hex inside already decoded text is decoded again.
     * Default 3; each level is at most three quarters of the one before, so the total stays linear.
     */
    @WithDefault("3")
    int maxDecodeDepth();
  }

  /** The narrator model's answer ({@code NarratorAnswerParser}). */
  interface Narrator {
    /** Longest answer read at all, in chars; a longer one is {@code too-large}. Default 262144. */
    @WithDefault("262144")
    int maxAnswerChars();

    /** Longest {@code {"patches": ...}} object, in chars; default 131072 (128 KiB). */
    @WithDefault("131072")
    int maxPatchChars();

    /** Deepest nesting of arrays and objects in the patch object. Default 32. */
    @WithDefault("32")
    int maxNestingDepth();
  }

  /** The state patch ({@code PatchValidator}, {@code StatePatcher}). */
  interface Patch {
    /** Most operations in one patch. Default 50. */
    @WithDefault("50")
    int maxOperations();

    /**
     * Most segments in an operation's path. Default 10 (the seed: {@code path.count('/') > 10}).
     */
    @WithDefault("10")
    int maxPathSegments();

    /** Largest serialised value of one operation, in UTF-8 bytes. Default 65536 (64 KiB). */
    @WithDefault("65536")
    int maxValueBytes();

    /** Deepest nesting of arrays and objects in one operation's value. Default 20. */
    @WithDefault("20")
    int maxValueDepth();

    /** Largest serialised campaign state after the patch, in UTF-8 bytes. Default 1048576. */
    @WithDefault("1048576")
    int maxStateBytes();

    /** Longest in-game time one {@code advance_time} operation may add. Default 7 days. */
    @WithDefault("7d")
    Duration maxTimeAdvance();

    /** Longest in-game time one whole patch may add. Default 7 days. */
    @WithDefault("7d")
    Duration maxTimeAdvancePerPatch();

    /**
     * Paths the narrator may never write, in addition to the built-in {@code /user}, {@code
     * /api_key} and {@code /password}; e.g. {@code /settings/llm}. See {@code BlockedPaths} for the
     * matching rule. Default none.
     */
    Optional<List<String>> blockedPaths();
  }

  /**
   * Turn submissions per player, for the shared {@code RateLimiter} ({@code hitByUser("turn", ...,
   * Limit.perMinute(turnsPerMinute))}).
   */
  interface RateLimit {
    /** Turns one player may submit per minute. Default 60 (the seed's {@code TurnRateThrottle}). */
    @WithDefault("60")
    int turnsPerMinute();
  }
}
