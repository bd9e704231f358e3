package io.whispyrkeep.platform.jwt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The cache of verified bearer tokens ({@link VerifiedTokenCache}), shared by every service that
 * verifies JWTs. A token is served from it only until its own expiry; turning it off restores a
 * full RS256 verification on every request.
 */
@ConfigMapping(prefix = "whispyrkeep.jwt.cache")
public interface JwtCacheConfig {

  /** Whether verified tokens are cached. Default true. */
  @WithDefault("true")
  boolean enabled();

  /**
   * Most tokens kept at once; beyond it the least useful are evicted (Caffeine's W-TinyLFU), so a
   * flood of distinct valid tokens cannot grow memory. About 4 KiB each (the parsed claims and the
   * raw token). Default 10000 (about 40 MiB at worst).
   */
  @WithDefault("10000")
  long maxSize();
}
