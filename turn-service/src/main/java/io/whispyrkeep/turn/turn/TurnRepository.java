package io.whispyrkeep.turn.turn;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/** Turns of a campaign (the caller has already proved it owns the campaign). */
@ApplicationScoped
public class TurnRepository implements PanacheRepositoryBase<Turn, UUID> {

  public Uni<Turn> findByKey(UUID campaignId, String playerId, String idempotencyKey) {
    return find(
            "campaignId = ?1 and playerId = ?2 and idempotencyKey = ?3",
            campaignId,
            playerId,
            idempotencyKey)
        .firstResult();
  }

  /** Up to {@code limit} turns, newest first, before sequence {@code before} when given. */
  public Uni<List<Turn>> page(UUID campaignId, Integer before, int limit) {
    var query =
        before == null
            ? find("campaignId = ?1", Sort.descending("sequence"), campaignId)
            : find(
                "campaignId = ?1 and sequence < ?2",
                Sort.descending("sequence"),
                campaignId,
                before);
    return query.page(0, limit).list();
  }

  /** The last {@code limit} completed turns before {@code sequence}, oldest first. */
  public Uni<List<Turn>> history(UUID campaignId, int sequence, int limit) {
    if (limit <= 0) {
      return Uni.createFrom().item(List.of());
    }
    return find(
            "campaignId = ?1 and sequence < ?2 and status = ?3",
            Sort.descending("sequence"),
            campaignId,
            sequence,
            Turn.COMPLETED)
        .page(0, limit)
        .list()
        .map(
            rows -> {
              List<Turn> oldestFirst = new ArrayList<>(rows);
              Collections.reverse(oldestFirst);
              return oldestFirst;
            });
  }
}
