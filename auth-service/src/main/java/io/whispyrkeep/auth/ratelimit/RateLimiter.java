package io.whispyrkeep.auth.ratelimit;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.whispyrkeep.auth.AuthEvents;
import io.whispyrkeep.auth.ClientAddresses;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Fixed one-minute windows counted in PostgreSQL with one atomic upsert per request, so every
 * replica sees the same count (a per-JVM bucket would let N replicas allow N times the limit). One
 * round trip per limited request is cheap next to the argon2id hash that follows it.
 *
 * <p>Refusals are reported once per bucket and window, after the window closes, as one {@code
 * auth.rate_limited} event carrying the number refused: a flood of refused requests writes one
 * event a minute per address, not one per request (which would let an attacker fill the outbox,
 * Kafka and the audit trail at the rate limit's own expense).
 */
@ApplicationScoped
public class RateLimiter {

  private static final String HIT =
      """
      INSERT INTO rate_limit_window (bucket, window_start, hits, limit_per_window)
      VALUES ($1, $2, 1, $3)
      ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_window.hits + 1
      RETURNING hits
      """;

  /** Most windows reported in one transaction; the rest follow at the next run. */
  static final int REPORT_BATCH = 500;

  /**
   * Claims up to {@link #REPORT_BATCH} closed windows with refusals not yet reported; each row is
   * claimed by exactly one replica (locked, others skip it), and the claim commits with the events
   * it produced.
   */
  private static final String CLAIM_REFUSALS =
      """
      UPDATE rate_limit_window w SET reported = true
      FROM (SELECT bucket, window_start FROM rate_limit_window
            WHERE window_start < :current AND NOT reported AND hits > limit_per_window
            ORDER BY window_start LIMIT :batch FOR UPDATE SKIP LOCKED) due
      WHERE w.bucket = due.bucket AND w.window_start = due.window_start
      RETURNING w.bucket, w.window_start, w.hits - w.limit_per_window, w.limit_per_window
      """;

  private final Pool pool;
  private final Clock clock;
  private final AuthEvents events;

  RateLimiter(Pool pool, Clock clock, AuthEvents events) {
    this.pool = pool;
    this.clock = clock;
    this.events = events;
  }

  /** The decision for one request: allowed, or how long to wait. */
  public record Decision(boolean allowed, long retryAfterSeconds) {}

  /**
   * Counts a hit on the bucket of the action and address key ({@link ClientAddresses#key}) and
   * tells whether it is within {@code perMinute}.
   */
  public Uni<Decision> hit(String action, String address, int perMinute) {
    Instant now = clock.instant();
    Instant windowStart = now.truncatedTo(ChronoUnit.MINUTES);
    long retryAfter = Math.max(1, 60 - (now.getEpochSecond() - windowStart.getEpochSecond()));
    return pool.preparedQuery(HIT)
        .execute(
            Tuple.of(
                action + ":" + address,
                OffsetDateTime.ofInstant(windowStart, ZoneOffset.UTC),
                perMinute))
        .map(rows -> rows.iterator().next().getInteger("hits"))
        .map(hits -> new Decision(hits <= perMinute, retryAfter));
  }

  /**
   * Records one {@code auth.rate_limited} event per bucket and closed window with refusals, with
   * the number refused ({@code refused}) and the limit. Runs every {@code
   * whispyrkeep.auth.rate-limit.report-every} (default 30 s), so an event follows its window by at
   * most about a minute and a half.
   */
  @Scheduled(
      identity = "rate-limit-report",
      every = "${whispyrkeep.auth.rate-limit.report-every:30s}",
      delayed = "${whispyrkeep.auth.rate-limit.report-every:30s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  public Uni<Void> reportRefusals() {
    Instant currentWindow = clock.instant().truncatedTo(ChronoUnit.MINUTES);
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    session ->
                        session
                            .createNativeQuery(CLAIM_REFUSALS, Object[].class)
                            .setParameter("current", currentWindow)
                            .setParameter("batch", REPORT_BATCH)
                            .getResultList())
                .chain(this::recordAll));
  }

  private Uni<Void> recordAll(List<Object[]> windows) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (Object[] window : windows) {
      String bucket = (String) window[0];
      int colon = bucket.indexOf(':');
      String action = colon < 0 ? bucket : bucket.substring(0, colon);
      String address = colon < 0 ? ClientAddresses.UNKNOWN : bucket.substring(colon + 1);
      String clientIp =
          ClientAddresses.UNKNOWN.equals(address) ? null : ClientAddresses.networkAddress(address);
      Map<String, String> details =
          Map.of(
              "action", action,
              "address", address,
              "windowStart", String.valueOf(window[1]),
              "refused", String.valueOf(window[2]),
              "limitPerMinute", String.valueOf(window[3]));
      chain =
          chain.chain(
              () ->
                  events.record(
                      AuthEvents.RATE_LIMITED,
                      Severity.WARNING,
                      null,
                      null,
                      details,
                      new RequestMetadata(null, clientIp, null)));
    }
    return chain;
  }

  @Scheduled(identity = "rate-limit-cleanup", every = "10m", delayed = "1m")
  Uni<Void> deleteOldWindows() {
    // Only reported windows (or ones without refusals) go, so no refusal is dropped unreported.
    return pool.preparedQuery(
            "DELETE FROM rate_limit_window WHERE window_start < $1"
                + " AND (reported OR hits <= limit_per_window)")
        .execute(
            Tuple.of(OffsetDateTime.ofInstant(clock.instant().minusSeconds(3600), ZoneOffset.UTC)))
        .replaceWithVoid();
  }
}
