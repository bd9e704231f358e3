package io.whispyrkeep.audit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.whispyrkeep.platform.event.Severity;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** audit-service settings. */
@ConfigMapping(prefix = "whispyrkeep.audit")
public interface AuditConfig {

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
