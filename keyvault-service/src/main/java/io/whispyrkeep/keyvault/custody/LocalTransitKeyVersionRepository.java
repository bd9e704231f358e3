package io.whispyrkeep.keyvault.custody;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;

/** The wrapped versions of the embedded engine's keys ({@code local_transit_key_version}). */
@ApplicationScoped
class LocalTransitKeyVersionRepository
    implements PanacheRepositoryBase<LocalTransitKeyVersion, LocalTransitKeyVersion.Key> {

  /** Every version of a key, oldest first. */
  Uni<List<LocalTransitKeyVersion>> versions(String keyName) {
    return list("keyName", Sort.by("version"), keyName);
  }

  /** A key's versions wrapped under another master key than {@code kekId}, row-locked. */
  Uni<List<LocalTransitKeyVersion>> wrappedUnderOtherThanForUpdate(String keyName, String kekId) {
    return find("keyName = ?1 and kekId <> ?2 order by version", keyName, kekId)
        .withLock(LockModeType.PESSIMISTIC_WRITE)
        .list();
  }
}
