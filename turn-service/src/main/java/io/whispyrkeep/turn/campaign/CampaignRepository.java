package io.whispyrkeep.turn.campaign;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.UUID;

/** Campaigns: always looked up by owner, so one player's request can never reach another's. */
@ApplicationScoped
public class CampaignRepository implements PanacheRepositoryBase<Campaign, UUID> {

  public Uni<Campaign> findOwned(UUID id, String ownerId) {
    return find("id = ?1 and ownerId = ?2", id, ownerId).firstResult();
  }

  /**
   * The owner's campaign with its row locked until the transaction ends ({@code SELECT ... FOR
   * UPDATE}): every turn of the campaign is numbered and applied under this lock.
   */
  public Uni<Campaign> lockOwned(UUID id, String ownerId) {
    return find("id = ?1 and ownerId = ?2", id, ownerId)
        .withLock(LockModeType.PESSIMISTIC_WRITE)
        .firstResult();
  }

  /** Up to {@code limit} of the owner's campaigns, newest first, older than {@code before}. */
  public Uni<List<Campaign>> page(String ownerId, UUID before, int limit) {
    var query =
        before == null
            ? find("ownerId = ?1", Sort.descending("id"), ownerId)
            : find("ownerId = ?1 and id < ?2", Sort.descending("id"), ownerId, before);
    return query.page(0, limit).list();
  }
}
