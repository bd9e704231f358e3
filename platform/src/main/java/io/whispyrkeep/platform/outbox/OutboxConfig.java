package io.whispyrkeep.platform.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The transactional outbox relay: how often it polls, how it backs off, how long rows stay. */
@ConfigMapping(prefix = "whispyrkeep.outbox")
public interface OutboxConfig {

  /**
   * How often the relay looks for pending events. Default 1s. Read by the scheduler as {@code
   * ${whispyrkeep.outbox.poll-interval:1s}}, which repeats the default: set it by that exact key
   * and change both defaults together.
   */
  @WithDefault("1s")
  Duration pollInterval();

  /** Most events one relay claims per poll. Default 200. */
  @WithDefault("200")
  int batchSize();

  /**
   * How long a claim keeps other replicas off the claimed rows. A relay that dies mid-batch
   * releases them when this expires; the rows are then sent again (consumers drop duplicates by
   * id). Default 60s; must exceed {@link #deliveryTimeout()}, so a batch still being delivered is
   * never claimed twice.
   */
  @WithDefault("60s")
  Duration claimLease();

  /** First wait after a failed send; doubles on each further failure. Default 1s. */
  @WithDefault("1s")
  Duration initialBackoff();

  /** Longest wait between attempts while Kafka is down. Default 30s. */
  @WithDefault("30s")
  Duration maxBackoff();

  /** Producer {@code delivery.timeout.ms}: how long one send may take in all. Default 20s. */
  @WithDefault("20s")
  Duration deliveryTimeout();

  /** Producer {@code max.block.ms}: how long a send waits for broker metadata. Default 5s. */
  @WithDefault("5s")
  Duration maxBlock();

  /** How long sent rows are kept before the purge deletes them. Default 7 days. */
  @WithDefault("P7D")
  Duration retention();
}
