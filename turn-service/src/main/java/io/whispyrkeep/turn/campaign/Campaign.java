package io.whispyrkeep.turn.campaign;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * One player's campaign: its state document, the state's version and the in-game clock. Changed
 * only with its row locked ({@link CampaignRepository#lockOwned}), so turns are numbered and
 * applied one after the other.
 */
@Entity
@Table(name = "campaign")
public class Campaign extends PanacheEntityBase {

  @Id public UUID id;

  /** The owner ({@code sub} of their token); nobody else sees the campaign. */
  @Column(name = "owner_id", nullable = false)
  public String ownerId;

  @Column(nullable = false)
  public String name;

  /** The LLM provider whose key (the owner's, in keyvault-service) narrates this campaign. */
  @Column(nullable = false)
  public String provider;

  /** The state document, a JSON object as text. */
  @Column(nullable = false)
  public String state;

  /** 1 at creation; +1 with every applied patch, in the transaction that applies it. */
  @Column(name = "state_version", nullable = false)
  public long stateVersion;

  /** In-game time since the campaign began, in seconds (advanced by {@code advance_time}). */
  @Column(name = "game_time_seconds", nullable = false)
  public long gameTimeSeconds;

  /** Turns stored so far: the next turn's sequence is this plus one. */
  @Column(name = "turn_count", nullable = false)
  public int turnCount;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
