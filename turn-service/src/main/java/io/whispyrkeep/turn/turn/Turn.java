package io.whispyrkeep.turn.turn;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * One turn of a campaign: stored (running) before the narrator is called, completed with the
 * narrative and the patch outcome in the transaction that applies the patch, or failed with a
 * reason. Unique per (campaign, player, Idempotency-Key) and per (campaign, sequence).
 */
@Entity
@Table(name = "turn")
public class Turn extends PanacheEntityBase {

  public static final String RUNNING = "running";
  public static final String COMPLETED = "completed";
  public static final String FAILED = "failed";

  @Id public UUID id;

  @Column(name = "campaign_id", nullable = false)
  public UUID campaignId;

  @Column(name = "player_id", nullable = false)
  public String playerId;

  /** 1, 2, 3 ... per campaign, in the order turns were stored. */
  @Column(nullable = false)
  public int sequence;

  @Column(name = "idempotency_key", nullable = false)
  public String idempotencyKey;

  /** SHA-256 (hex) of the cleaned input: the same key with another body is a 422. */
  @Column(name = "request_hash", nullable = false)
  public String requestHash;

  /** The cleaned input (never in an event or a log). */
  @Column(name = "user_input", nullable = false)
  public String userInput;

  /** Random token around the player's text in the narrator prompt ({@code NarratorPrompt}). */
  @Column(name = "prompt_boundary", nullable = false)
  public String promptBoundary;

  @Column(nullable = false)
  public String status;

  @Column(nullable = false)
  public int attempts;

  /** Until when a running turn belongs to the request narrating it. */
  @Column(name = "lease_until")
  public Instant leaseUntil;

  /** The narrator's prose, as plain text. */
  @Column public String narrative;

  @Column(name = "patch_applied")
  public Boolean patchApplied;

  /** Why the patch was not applied (a code and our own detail), null when applied. */
  @Column(name = "patch_reason")
  public String patchReason;

  /** The campaign's state version once this turn completed. */
  @Column(name = "state_version")
  public Long stateVersion;

  @Column(name = "failure_reason")
  public String failureReason;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
