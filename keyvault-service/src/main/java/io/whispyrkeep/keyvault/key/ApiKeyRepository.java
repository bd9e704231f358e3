package io.whispyrkeep.keyvault.key;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Stored keys: always looked up by owner, so one player's request can never reach another's. */
@ApplicationScoped
public class ApiKeyRepository implements PanacheRepositoryBase<ApiKey, UUID> {

  public Uni<List<ApiKey>> listByOwner(String ownerId) {
    return list("ownerId", Sort.by("provider"), ownerId);
  }

  public Uni<ApiKey> findByOwner(String ownerId, String provider) {
    return find("ownerId = ?1 and provider = ?2", ownerId, provider).firstResult();
  }

  /**
   * Serialises the key changes of one player until the transaction ends (a transaction-scoped
   * advisory lock), so two concurrent first PUTs cannot both insert, nor a PUT race a DELETE.
   */
  public Uni<Void> lockOwner(String ownerId) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(?1, 7411))) l",
                        Integer.class)
                    .setParameter(1, "api_key:" + ownerId)
                    .getSingleResult())
        .replaceWithVoid();
  }

  /** Deletes the player's row for the provider; true if there was one. */
  public Uni<Boolean> deleteByOwner(String ownerId, String provider) {
    return delete("ownerId = ?1 and provider = ?2", ownerId, provider).map(count -> count > 0);
  }

  /** Up to {@code limit} rows below {@code version}, in id order after {@code after}. */
  public Uni<List<ApiKey>> behindVersion(int version, UUID after, int limit) {
    return find("keyVersion < ?1 and id > ?2", Sort.by("id"), version, after).page(0, limit).list();
  }

  public Uni<Long> countBehindVersion(int version) {
    return count("keyVersion < ?1", version);
  }

  /**
   * Replaces a row's ciphertext with its rewrapped form, only if the row still holds the ciphertext
   * that was rewrapped: a key the player replaced meanwhile is never overwritten.
   */
  public Uni<Integer> replaceCiphertext(
      UUID id, String expectedCiphertext, String ciphertext, int version) {
    return update(
        "ciphertext = ?1, keyVersion = ?2 where id = ?3 and ciphertext = ?4",
        ciphertext,
        version,
        id,
        expectedCiphertext);
  }
}
