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
     * {@code 1h}, or {@code off}). Default 1h.
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

    /** Signing interval (a duration such as {@code 5m}, or {@code off}). Default 5m. */
    @WithDefault("5m")
    String every();
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
