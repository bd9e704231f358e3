package io.whispyrkeep.platform.ratelimit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The shared rate limiter ({@link RateLimiter}), for a service that enables it at build time with
 * {@code whispyrkeep.rate-limit.enabled=true} and has the {@code rate_limit_window} table (see
 * {@link RateLimiter}). The limits themselves belong to each service's own configuration.
 */
@ConfigMapping(prefix = "whispyrkeep.rate-limit")
public interface RateLimitConfig {

  /**
   * Whether the service has the shared rate limiter (read at build time by {@code @IfBuildProperty}
   * on {@link RateLimiter}; mapped here so the key is documented and known). Default false.
   */
  @WithDefault("false")
  boolean enabled();

  /**
   * Type of the event that reports a bucket's refusals once per window, e.g. {@code
   * auth.rate_limited}. Default {@code platform.rate_limited}; each service sets its own.
   */
  @WithDefault("platform.rate_limited")
  String eventType();

  /**
   * How often closed windows with refusals are reported ({@link RateLimiter#reportRefusals}), so a
   * report follows its window by at most one window plus this. Default 30 seconds. Read by the
   * scheduler as {@code ${whispyrkeep.rate-limit.report-every:30s}}, which repeats the default:
   * change both together.
   */
  @WithDefault("30s")
  Duration reportEvery();

  /**
   * How long windows are kept after they close once reported (or without refusals), before they are
   * deleted; a limit's window must be shorter (checked on every hit). Default 2 hours.
   */
  @WithDefault("2h")
  Duration keepWindows();
}
