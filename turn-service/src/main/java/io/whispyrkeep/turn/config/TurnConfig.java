package io.whispyrkeep.turn.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * turn-service settings for the validation of player turns and narrator answers. Each default
 * repeats a {@code DEFAULT_*} constant of the class that uses it (which cites its source); {@code
 * TurnConfigTest} fails if the two drift apart.
 */
@ConfigMapping(prefix = "whispyrkeep.turn")
public interface TurnConfig {

  Campaign campaign();

  Input input();

  Injection injection();

  Narrator narrator();

  Patch patch();

  RateLimit rateLimit();

  /** Campaigns ({@code CampaignService}). */
  interface Campaign {
    /**
     * The state document a new campaign starts from: a JSON object that must contain {@code
     * /scene/last_action} (the offline narrator's normal patch replaces it; RFC 6902 {@code
     * replace} needs the member to exist). Checked at start-up. Default a small scene at an inn.
     */
    @WithDefault(TurnBeans.DEFAULT_STATE)
    String defaultState();

    /** Longest campaign name after cleaning, in code points. Default 200. */
    @WithDefault("200")
    int maxNameCodePoints();

    /**
     * Largest page of {@code GET /campaigns} and {@code GET /campaigns/{id}/turns}. Default 100.
     */
    @WithDefault("100")
    int maxPageSize();

    /** Page size when the request gives no {@code limit}. Default 20. */
    @WithDefault("20")
    int defaultPageSize();
  }

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

    /**
     * auth-service's base URL, for the token exchange ({@code POST /auth/token}). Default
     * http://127.0.0.1:8081 (the local launcher).
     */
    @WithDefault("http://127.0.0.1:8081")
    String authUrl();

    /**
     * keyvault-service's base URL, for the broker ({@code POST /internal/llm/{provider}/chat}).
     * Default http://127.0.0.1:8082 (the local launcher).
     */
    @WithDefault("http://127.0.0.1:8082")
    String keyvaultUrl();

    /** This service's OAuth client id at auth-service. Default turn-service. */
    @WithDefault("turn-service")
    String clientId();

    /**
     * This service's client secret at auth-service (HTTP Basic at the token endpoint), from the
     * environment ({@code WK_CLIENT_SECRET}); never in a properties file. Without it no turn can be
     * narrated (503).
     */
    Optional<String> clientSecret();

    /** Connection timeout towards auth-service and keyvault-service. Default 2 s. */
    @WithDefault("2s")
    Duration connectTimeout();

    /** Longest wait for the token exchange's answer. Default 5 s. */
    @WithDefault("5s")
    Duration exchangeTimeout();

    /**
     * Longest wait for the broker's answer: keyvault-service gives a provider 60 s per attempt and
     * retries transient failures, so this is above that. Default 150 s.
     */
    @WithDefault("150s")
    Duration callTimeout();

    /**
     * How long a turn stays "running" for its first request: a retry with the same key gets 409
     * until then, and may take the turn over after (its first request died). Default 4 min: above
     * the longest a live request can take (the exchange timeout, a few quick retries and {@link
     * #callTimeout()}), so a slow but live narrator call is never taken over and billed twice.
     */
    @WithDefault("4m")
    Duration turnLease();

    /**
     * How long before its expiry a cached delegated token is no longer used. Default 60 s, so a
     * 5-minute token (auth-service's maximum) is used for at most 4 minutes.
     */
    @WithDefault("60s")
    Duration tokenRefreshMargin();

    /** How many recent completed turns of the campaign the narrator sees. Default 6. */
    @WithDefault("6")
    int historyTurns();

    /** Model asked of each provider, e.g. {@code models.openai=gpt-4o-mini}. Default none. */
    Map<String, String> models();

    /** Model asked of a provider not in {@link #models()}. Default gpt-4o-mini. */
    @WithDefault("gpt-4o-mini")
    String defaultModel();

    /** Most tokens the narrator may answer with. Default 1024. */
    @WithDefault("1024")
    int maxTokens();
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

    /**
     * Campaigns one player may create per hour. Default 30: each one is a row, a state document and
     * a {@code campaign.created} event, so creation is bounded like every other write.
     */
    @WithDefault("30")
    int campaignsPerHour();
  }
}
