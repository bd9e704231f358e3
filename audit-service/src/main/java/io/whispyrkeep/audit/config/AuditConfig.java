package io.whispyrkeep.audit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.whispyrkeep.platform.event.Severity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** audit-service settings. */
@ConfigMapping(prefix = "whispyrkeep.audit")
public interface AuditConfig {

  /** How long events are kept, and how often expired months are removed. */
  Retention retention();

  /** Signed checkpoints of the chain heads. */
  Checkpoint checkpoint();

  /** What ingestion accepts from security.events, and when it calls itself stalled. */
  Ingest ingest();

  /**
   * Bounds on the time an event claims, so that a producer's wrong or hostile clock can neither put
   * events outside every query window nor silence alert windows; and the stall alarm.
   */
  interface Ingest {
    /**
     * How far ahead of the ingest clock {@code occurredAt} may be (clock skew between hosts).
     * Default 5m; later events are dead-lettered.
     */
    @WithDefault("5m")
    Duration maxFutureSkew();

    /**
     * How far behind the ingest clock {@code occurredAt} may be. Default 7d (Kafka's default
     * retention: an event older than that could not be replayed either); older events are
     * dead-lettered. An outage of audit-service longer than this dead-letters the backlog (kept on
     * the dead-letter topic, with alerts), so keep it above the longest outage to ride out.
     */
    @WithDefault("7d")
    Duration maxPastSkew();

    /**
     * How long one batch may stay unstored (retried or hanging) before ingestion counts as stalled:
     * an {@code ingestion-stalled} alert is raised and readiness reports it. Default 2m.
     */
    @WithDefault("2m")
    Duration stallAlertAfter();

    /**
     * How often the stall is checked (a duration such as {@code 10s}). Default 10s. Read by the
     * scheduler as {@code ${whispyrkeep.audit.ingest.stall-check-every:10s}}, which repeats the
     * default: set it by that exact key and change both defaults together.
     */
    @WithDefault("10s")
    String stallCheckEvery();
  }

  /**
   * Retention removes whole months of the trail (partitions by storage time), oldest first, once
   * every event in the month is older than {@link #keep()}. Each removal is recorded in the
   * database and published as an {@code audit.partition_dropped} event.
   */
  interface Retention {
    /**
     * Age after which events may be removed; at least 30 days. Unset (the default): kept forever.
     */
    Optional<Duration> keep();

    /**
     * How often partitions are created ahead of need and expired ones removed (a duration such as
     * {@code 1h}, or {@code off}). Default 1h. Read by the scheduler as {@code
     * ${whispyrkeep.audit.retention.every:1h}}, which repeats the default: set it by that exact key
     * and change both defaults together.
     */
    @WithDefault("1h")
    String every();
  }

  /**
   * Every {@link #every()}, each chain head that moved is signed (SHA256withRSA) with a key the
   * database never holds, so rewriting a chain and recomputing its hashes is still detected by
   * {@code GET /audit/verify}. Production keeps the key in a Kubernetes Secret.
   */
  interface Checkpoint {
    /** PKCS#8 PEM RSA private key (≥ 2048 bits). Unset: checkpoints are off, with a warning. */
    Optional<Path> signingKeyFile();

    /**
     * Public keys (PEM, SubjectPublicKeyInfo) of earlier signing keys, still trusted to verify the
     * checkpoints they signed after a key rotation.
     */
    Optional<List<Path>> previousPublicKeyFiles();

    /**
     * Signing interval (a duration such as {@code 5m}, or {@code off}). Default 5m. Also read by
     * the scheduler as {@code ${whispyrkeep.audit.checkpoint.every:5m}}, which repeats the default:
     * change both together.
     */
    @WithDefault("5m")
    String every();

    /**
     * The age after which {@code GET /audit/verify} reports the newest checkpoint as stale, or rows
     * not covered by any checkpoint as missing one. Default: the interval plus 2 minutes of slack;
     * with {@code every=off} and no value, freshness is not checked. When no chain moved for half
     * of this, a run signs a head again (a heartbeat), so a quiet trail never looks stale.
     */
    Optional<Duration> maxAge();
  }

  /** Exports of the trail ({@code GET /audit/events/export}). */
  Export export();

  /** Verification of the trail ({@code GET /audit/verify}). */
  Verify verify();

  /**
   * Verification walks every row in one long transaction on the shared pool, with a signature check
   * per row: capped so that repeated calls cannot starve ingestion and queries.
   */
  interface Verify {
    /** Verifications running at once; more get 503 with Retry-After. Default 1. */
    @WithDefault("1")
    int maxConcurrent();
  }

  /**
   * An export streams for as long as its reader takes, holding a database connection all along: at
   * most {@link #maxConcurrent()} run at once, so slow or stalled readers can never take the
   * connections that ingestion and queries need. Over the cap, an export is refused with 503 and
   * {@code Retry-After}.
   */
  interface Export {
    /** Exports running at once; at least 1, and well below the pool size. Default 2. */
    @WithDefault("2")
    int maxConcurrent();
  }

  /**
   * Public keys trusted to sign events, by the {@code source} they may sign for (see {@code
   * EventAuthenticator}). An event is stored only when signed by a key of its own source.
   */
  Map<String, EventKeys> eventKeys();

  /** The event signing keys of one source. */
  interface EventKeys {
    /**
     * PEM (SubjectPublicKeyInfo) Ed25519 public keys, comma-separated: the current key and, during
     * a rotation, the previous one. Unset: the source's events are dead-lettered.
     */
    Optional<List<Path>> publicKeyFiles();

    /**
     * Prefixes of the event types this source may publish (e.g. {@code auth.} for auth-service),
     * comma-separated: a correctly signed event of another type is dead-lettered, so one service's
     * key cannot raise, or feed, the alerts on another's events. Unset: any type.
     */
    Optional<List<String>> typePrefixes();
  }

  /** Alert rules by name; evaluated on every stored event. */
  Map<String, AlertRule> alerts();

  /**
   * One rule: events whose type starts with {@link #typePrefix()}, grouped by {@link #groupBy()},
   * raise an alert when {@link #threshold()} of them fall within {@link #window()}; or, with {@link
   * #firstSeenField()}, when a group sees a value of that field for the first time.
   */
  interface AlertRule {
    String typePrefix();

    /**
     * Field that groups events: {@code actor}, {@code subject}, {@code clientIp} or {@code
     * details.<key>}. Default: one group for all.
     */
    Optional<String> groupBy();

    /** Events within the window that raise the alert. Default 1 (every event). */
    @WithDefault("1")
    int threshold();

    /** Sliding window; also the quiet period before the same group alerts again. Default 10m. */
    @WithDefault("10m")
    Duration window();

    /** Severity of the alert. Default WARNING. */
    @WithDefault("WARNING")
    Severity severity();

    /** Alert on the first appearance of this field's value within a group instead of counting. */
    Optional<String> firstSeenField();
  }
}
