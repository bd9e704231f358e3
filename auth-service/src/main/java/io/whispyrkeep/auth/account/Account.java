package io.whispyrkeep.auth.account;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

/** A player's or staff member's account. The password is only ever held as an argon2id hash. */
@Entity
@Table(name = "account")
public class Account extends PanacheEntityBase {

  @Id public UUID id;

  /** As typed (domain lower-cased); unique case-insensitively through an index on lower(email). */
  @Column(nullable = false)
  public String email;

  @Column(name = "display_name", nullable = false)
  public String displayName;

  @Column(name = "password_hash", nullable = false)
  public String passwordHash;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "consecutive_failures", nullable = false)
  public int consecutiveFailures;

  /** Until then the account is under attack: only its known devices may sign in. */
  @Column(name = "locked_until")
  public Instant lockedUntil;

  /** When the account-wide protection last started; failures are counted from then. */
  @Column(name = "locked_at")
  public Instant lockedAt;

  @Column(name = "locked_permanently", nullable = false)
  public boolean lockedPermanently;

  @Column(nullable = false)
  public String roles;

  public Set<String> roleSet() {
    if (roles == null || roles.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(roles.split(",")).collect(Collectors.toCollection(TreeSet::new));
  }

  public void setRoles(Set<String> roleSet) {
    roles = String.join(",", new TreeSet<>(roleSet));
  }
}
