package io.whispyrkeep.keyvault.custody;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;

/** The embedded engine's transit keys ({@code local_transit_key}). */
@ApplicationScoped
class LocalTransitKeyRepository implements PanacheRepositoryBase<LocalTransitKey, String> {

  /**
   * Creates the key at version 1 unless it exists; true if this call created it. Concurrent callers
   * (replicas starting together) wait on the primary key and all but one find it there.
   */
  Uni<Boolean> insertIfAbsent(String name, Instant now) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "INSERT INTO local_transit_key"
                            + " (name, latest_version, min_decryption_version, created_at,"
                            + " updated_at) VALUES (:name, 1, 1, :now, :now)"
                            + " ON CONFLICT (name) DO NOTHING")
                    .setParameter("name", name)
                    .setParameter("now", now)
                    .executeUpdate())
        .map(inserted -> inserted == 1);
  }

  /** The key, row-locked until the transaction ends (rotation, minimum version). */
  Uni<LocalTransitKey> findForUpdate(String name) {
    return findById(name, LockModeType.PESSIMISTIC_WRITE);
  }

  /** Names of every key. */
  Uni<List<String>> names() {
    return find("select name from LocalTransitKey order by name").project(String.class).list();
  }
}
