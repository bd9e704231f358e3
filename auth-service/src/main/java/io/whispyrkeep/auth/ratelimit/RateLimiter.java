package io.whispyrkeep.auth.ratelimit;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * Fixed one-minute windows counted in PostgreSQL with one atomic upsert per request, so every
 * replica sees the same count (a per-JVM bucket would let N replicas allow N times the limit). One
 * round trip per limited request is cheap next to the argon2id hash that follows it.
 */
@ApplicationScoped
public class RateLimiter {

  private static final String HIT =
      """
      INSERT INTO rate_limit_window (bucket, window_start, hits) VALUES ($1, $2, 1)
      ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_window.hits + 1
      RETURNING hits
      """;

  private final Pool pool;
  private final Clock clock;

  RateLimiter(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** The decision for one request: allowed, or how long to wait. */
  public record Decision(boolean allowed, long retryAfterSeconds) {}

  /** Counts a hit on the bucket and tells whether it is within {@code perMinute}. */
  public Uni<Decision> hit(String bucket, int perMinute) {
    Instant now = clock.instant();
    Instant windowStart = now.truncatedTo(ChronoUnit.MINUTES);
    long retryAfter = Math.max(1, 60 - (now.getEpochSecond() - windowStart.getEpochSecond()));
    return pool.preparedQuery(HIT)
        .execute(Tuple.of(bucket, OffsetDateTime.ofInstant(windowStart, ZoneOffset.UTC)))
        .map(rows -> rows.iterator().next().getInteger("hits"))
        .map(hits -> new Decision(hits <= perMinute, retryAfter));
  }

  @Scheduled(identity = "rate-limit-cleanup", every = "10m", delayed = "1m")
  Uni<Void> deleteOldWindows() {
    return pool.preparedQuery("DELETE FROM rate_limit_window WHERE window_start < $1")
        .execute(
            Tuple.of(OffsetDateTime.ofInstant(clock.instant().minusSeconds(3600), ZoneOffset.UTC)))
        .replaceWithVoid();
  }
}
