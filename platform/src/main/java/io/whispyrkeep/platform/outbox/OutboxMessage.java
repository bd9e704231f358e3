package io.whispyrkeep.platform.outbox;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * One pending Kafka message in the {@code outbox} table, written in the same transaction as the
 * change it describes. Only {@link Outbox} creates rows; only {@link OutboxRelay} updates them.
 */
@Entity
@Table(name = "outbox")
public class OutboxMessage {

  @Id public UUID id;

  @Column(nullable = false)
  public String topic;

  @Column(name = "message_key")
  public String messageKey;

  @Column(nullable = false, columnDefinition = "text")
  public String payload;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(nullable = false)
  public int attempts;

  @Column(name = "next_attempt_at", nullable = false)
  public Instant nextAttemptAt;

  @Column(name = "claimed_until")
  public Instant claimedUntil;

  @Column(name = "sent_at")
  public Instant sentAt;

  @Column(name = "last_error")
  public String lastError;

  /**
   * The W3C {@code traceparent} of the transaction that wrote the row; null when tracing is off.
   */
  @Column(name = "trace_parent")
  public String traceParent;
}
