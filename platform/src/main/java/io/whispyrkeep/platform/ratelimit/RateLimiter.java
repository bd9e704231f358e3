package io.whispyrkeep.platform.ratelimit;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.ClientAddresses;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fixed windows of any length (a minute for logins and turns, an hour for key changes) counted in
 * PostgreSQL with one atomic upsert per request, so every replica sees the same count (a per-JVM
 * bucket would let N replicas allow N times the limit). Windows are aligned to the epoch, so all
 * replicas agree on where one starts.
 *
 * <p>Refusals are reported once per bucket and window, after the window closes, as one event of
 * type {@code whispyrkeep.rate-limit.event-type} carrying the number refused: a flood of refused
 * requests writes one event per window, not one per request (which would let an attacker fill the
 * outbox, Kafka and the audit trail at the rate limit's own expense).
 *
 * <p>A service enables it with {@code whispyrkeep.rate-limit.enabled=true} (build time) and creates
 * the table in its own migrations:
 *
 * <pre>
 * CREATE TABLE rate_limit_window (
 *     bucket varchar(200) NOT NULL, window_start timestamptz NOT NULL, hits integer NOT NULL,
 *     limit_per_window integer NOT NULL, window_seconds integer NOT NULL,
 *     reported boolean NOT NULL DEFAULT false, PRIMARY KEY (bucket, window_start));
 * CREATE INDEX rate_limit_window_unreported_idx ON rate_limit_window (window_start)
 *     WHERE NOT reported AND hits &gt; limit_per_window;
 * </pre>
 */
@ApplicationScoped
@IfBuildProperty(name = "whispyrkeep.rate-limit.enabled", stringValue = "true")
public class RateLimiter {

  /** A limit: at most {@code permits} hits per {@code window}. */
  public record Limit(int permits, Duration window) {

    public Limit {
      if (permits < 1 || window.toSeconds() < 1) {
        throw new IllegalArgumentException("a limit needs at least 1 permit per second or more");
      }
    }

    public static Limit perMinute(int permits) {
      return new Limit(permits, Duration.ofMinutes(1));
    }

    public static Limit perHour(int permits) {
      return new Limit(permits, Duration.ofHours(1));
    }
  }

  /**
   * The decision for one request: allowed, or how long to wait. {@code firstRefusal} marks the one
   * request of a bucket and window that first went over the limit, for a service that reports it at
   * once (the count of all refusals still comes with the window's report).
   */
  public record Decision(boolean allowed, long retryAfterSeconds, boolean firstRefusal) {}

  private static final String HIT =
      """
      INSERT INTO rate_limit_window (bucket, window_start, hits, limit_per_window, window_seconds)
      VALUES ($1, $2, 1, $3, $4)
      ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_window.hits + 1
      RETURNING hits
      """;

  /** Most windows reported in one transaction; the rest follow at the next run. */
  static final int REPORT_BATCH = 500;

  /**
   * Claims up to {@link #REPORT_BATCH} closed windows with refusals not yet reported; each row is
   * claimed by exactly one replica (locked, others skip it), and the claim commits with the events
   * it produced. A window is closed once its end (start plus its length) has passed.
   */
  private static final String CLAIM_REFUSALS =
      """
      UPDATE rate_limit_window w SET reported = true
      FROM (SELECT bucket, window_start FROM rate_limit_window
            WHERE NOT reported AND hits > limit_per_window
              AND window_start + window_seconds * interval '1 second' <= $1
            ORDER BY window_start LIMIT $2 FOR UPDATE SKIP LOCKED) due
      WHERE w.bucket = due.bucket AND w.window_start = due.window_start
      RETURNING w.bucket, w.window_start, w.hits - w.limit_per_window AS refused,
                w.limit_per_window, w.window_seconds
      """;

  private final Pool pool;
  private final Clock clock;
  private final SecurityEvents events;
  private final RateLimitConfig config;

  RateLimiter(Pool pool, Clock clock, SecurityEvents events, RateLimitConfig config) {
    this.pool = pool;
    this.clock = clock;
    this.events = events;
    this.config = config;
  }

  /**
   * Counts a hit on {@code action} by the request's client address (IPv6 grouped by /64, {@link
   * ClientAddresses#key}): for anonymous endpoints such as sign-in.
   */
  public Uni<Decision> hitByAddress(String action, RequestMetadata request, Limit limit) {
    return hit(action, ADDRESS + ClientAddresses.key(request), limit);
  }

  /** Counts a hit on {@code action} by an authenticated user: for a player's own actions. */
  public Uni<Decision> hitByUser(String action, String userId, Limit limit) {
    return hit(action, USER + userId, limit);
  }

  /** Key prefixes: whom a bucket counts, so its report names them the right way. */
  private static final String ADDRESS = "address:";

  private static final String USER = "user:";

  /**
   * Counts a hit on the bucket of {@code action} and {@code key} in the current window of {@code
   * limit}, and tells whether it is within the limit and, if not, how long until the window ends.
   */
  private Uni<Decision> hit(String action, String key, Limit limit) {
    if (action.indexOf('|') >= 0) {
      throw new IllegalArgumentException("an action name cannot contain '|'");
    }
    if (limit.window().compareTo(config.keepWindows()) >= 0) {
      // A window kept for less than its length would be deleted, and its count reset, early.
      throw new IllegalArgumentException(
          "a rate-limit window must be shorter than whispyrkeep.rate-limit.keep-windows");
    }
    Instant now = clock.instant();
    long windowSeconds = limit.window().toSeconds();
    long start = Math.floorDiv(now.getEpochSecond(), windowSeconds) * windowSeconds;
    long retryAfter = Math.max(1, start + windowSeconds - now.getEpochSecond());
    return pool.preparedQuery(HIT)
        .execute(
            Tuple.of(
                bucket(action, windowSeconds, key),
                OffsetDateTime.ofInstant(Instant.ofEpochSecond(start), ZoneOffset.UTC),
                limit.permits(),
                (int) windowSeconds))
        .map(rows -> rows.iterator().next().getInteger("hits"))
        .map(
            hits -> new Decision(hits <= limit.permits(), retryAfter, hits == limit.permits() + 1));
  }

  /** {@code action|windowSeconds|key}: one bucket per action, window length and key. */
  static String bucket(String action, long windowSeconds, String key) {
    return action + "|" + windowSeconds + "|" + key;
  }

  /**
   * Records one event per bucket and closed window with refusals, with the number refused, the
   * limit and the window. Runs every {@code whispyrkeep.rate-limit.report-every} (default 30 s).
   */
  @Scheduled(
      identity = "rate-limit-report",
      every = "${whispyrkeep.rate-limit.report-every:30s}",
      delayed = "${whispyrkeep.rate-limit.report-every:30s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  public Uni<Void> reportRefusals() {
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    return pool.withTransaction(
        transaction ->
            transaction
                .preparedQuery(CLAIM_REFUSALS)
                .execute(Tuple.of(now, REPORT_BATCH))
                .chain(
                    windows -> {
                      Uni<Void> chain = Uni.createFrom().voidItem();
                      for (Row window : windows) {
                        chain = chain.chain(() -> report(transaction, window));
                      }
                      return chain;
                    }));
  }

  private Uni<Void> report(SqlConnection transaction, Row window) {
    String[] parts = window.getString("bucket").split("\\|", 3);
    String key = parts.length == 3 ? parts[2] : "";
    Map<String, String> details = new LinkedHashMap<>();
    details.put("action", parts[0]);
    details.put("windowStart", window.getOffsetDateTime("window_start").toInstant().toString());
    details.put("windowSeconds", Integer.toString(window.getInteger("window_seconds")));
    details.put("refused", Integer.toString(window.getInteger("refused")));
    details.put("limit", Integer.toString(window.getInteger("limit_per_window")));
    String subject = null;
    String clientIp = null;
    if (key.startsWith(USER)) {
      subject = key.substring(USER.length());
    } else if (key.startsWith(ADDRESS)) {
      String address = key.substring(ADDRESS.length());
      details.put("address", address);
      clientIp =
          ClientAddresses.UNKNOWN.equals(address) ? null : ClientAddresses.networkAddress(address);
    }
    return events
        .record(
            transaction,
            config.eventType(),
            Severity.WARNING,
            null,
            subject,
            details,
            new RequestMetadata(null, clientIp, null))
        .replaceWithVoid();
  }

  @Scheduled(identity = "rate-limit-cleanup", every = "10m", delayed = "1m")
  Uni<Void> deleteOldWindows() {
    // Only reported windows (or ones without refusals) go, so no refusal is dropped unreported.
    return pool.preparedQuery(
            "DELETE FROM rate_limit_window"
                + " WHERE window_start + window_seconds * interval '1 second' < $1"
                + " AND (reported OR hits <= limit_per_window)")
        .execute(
            Tuple.of(
                OffsetDateTime.ofInstant(
                    clock.instant().minus(config.keepWindows()), ZoneOffset.UTC)))
        .replaceWithVoid();
  }
}
