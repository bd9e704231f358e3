package io.whispyrkeep.auth.account;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.UUID;

/** Accounts by id and by normalised email. */
@ApplicationScoped
public class AccountRepository implements PanacheRepositoryBase<Account, UUID> {

  public Uni<Account> findByEmail(String normalisedEmail) {
    return find("email", normalisedEmail).firstResult();
  }

  /** The account, row-locked until the transaction ends (for role and lock changes). */
  public Uni<Account> findForUpdate(UUID id) {
    return findById(id, LockModeType.PESSIMISTIC_WRITE);
  }
}
