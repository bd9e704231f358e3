package io.whispyrkeep.auth.account;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Accounts by id and by email (case-insensitively, like the unique index on lower(email)). */
@ApplicationScoped
public class AccountRepository implements PanacheRepositoryBase<Account, UUID> {

  /** The account whose email equals this normalised one in any casing, or null. */
  public Uni<Account> findByEmail(String normalisedEmail) {
    return find("lower(email) = ?1", normalisedEmail.toLowerCase(Locale.ROOT)).firstResult();
  }

  /**
   * Ids of every account holding the admin role, each row locked until the transaction ends (in id
   * order, so concurrent callers cannot deadlock). A concurrent revocation that committed first is
   * seen: PostgreSQL re-checks the condition on the locked row's newest version.
   */
  public Uni<List<UUID>> lockAdmins() {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "SELECT id FROM account WHERE ',' || roles || ',' LIKE '%,admin,%'"
                            + " ORDER BY id FOR UPDATE",
                        UUID.class)
                    .getResultList());
  }

  /** The account, row-locked until the transaction ends (for role and lock changes). */
  public Uni<Account> findForUpdate(UUID id) {
    return findById(id, LockModeType.PESSIMISTIC_WRITE);
  }
}
