package io.whispyrkeep.auth.token;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One refresh token of a login's family; only its SHA-256 is stored. */
@Entity
@Table(name = "refresh_token")
public class RefreshToken extends PanacheEntityBase {

  @Id public UUID id;

  @Column(name = "family_id", nullable = false)
  public UUID familyId;

  @Column(name = "account_id", nullable = false)
  public UUID accountId;

  @Column(name = "token_hash", nullable = false, unique = true)
  public byte[] tokenHash;

  @Column(name = "issued_at", nullable = false)
  public Instant issuedAt;

  @Column(name = "expires_at", nullable = false)
  public Instant expiresAt;

  @Column(name = "family_expires_at", nullable = false)
  public Instant familyExpiresAt;

  @Column(name = "used_at")
  public Instant usedAt;

  @Column(name = "revoked_at")
  public Instant revokedAt;
}
