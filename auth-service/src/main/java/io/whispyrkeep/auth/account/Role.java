package io.whispyrkeep.auth.account;

import java.util.Locale;
import java.util.Optional;

/** The roles auth-service grants; tokens carry them in {@code groups}. */
public enum Role {
  /** Every registered account. */
  PLAYER,
  /** May query the audit trail. */
  SECURITY,
  /** May unlock accounts and grant roles. */
  ADMIN;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> of(String id) {
    for (Role role : values()) {
      if (role.id().equals(id)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
