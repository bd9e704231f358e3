package io.whispyrkeep.auth.lockout;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * The lockout counters in PostgreSQL ({@code login_lock}, {@code login_failure} and the lock
 * columns of {@code account}), each change one atomic statement so replicas never lose a count.
 * Runs in the caller's transaction (the one that records the sign-in's outcome); knows nothing of
 * thresholds, which are {@link LockoutService}'s.
 */
@ApplicationScoped
class LockoutRepository {

  private static final String COUNT_ADDRESS_FAILURE =
      """
      INSERT INTO login_lock (account_id, client_ip, consecutive_failures, locked_until)
      VALUES (:account, :ip, 1, NULL)
      ON CONFLICT (account_id, client_ip)
      DO UPDATE SET consecutive_failures = login_lock.consecutive_failures + 1
      RETURNING consecutive_failures
      """;

  /** Only when not already on: a running protection is neither extended nor restarted. */
  private static final String START_ACCOUNT_PROTECTION =
      """
      UPDATE account SET locked_until = :until, locked_at = :now, locked_permanently = :permanent
      WHERE id = :account AND NOT locked_permanently
        AND (locked_until IS NULL OR locked_until <= :now)
      """;

  /** Until when this address is locked out of the account, if it is (null if never locked). */
  Uni<OffsetDateTime> addressLockedUntil(UUID account, String address) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "SELECT locked_until FROM login_lock"
                            + " WHERE account_id = :account AND client_ip = :ip",
                        OffsetDateTime.class)
                    .setParameter("account", account)
                    .setParameter("ip", address)
                    .getResultList())
        .map((List<OffsetDateTime> until) -> until.isEmpty() ? null : until.get(0));
  }

  /** Counts one failure from this address; returns its consecutive failures. */
  Uni<Integer> countAddressFailure(UUID account, String address) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(COUNT_ADDRESS_FAILURE, Integer.class)
                    .setParameter("account", account)
                    .setParameter("ip", address)
                    .getSingleResult());
  }

  Uni<Void> lockAddress(UUID account, String address, Instant until) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "UPDATE login_lock SET locked_until = :until"
                            + " WHERE account_id = :account AND client_ip = :ip")
                    .setParameter("until", until)
                    .setParameter("account", account)
                    .setParameter("ip", address)
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** Counts one failure on the account; returns its consecutive failures from anywhere. */
  Uni<Integer> countAccountFailure(UUID account) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "UPDATE account SET consecutive_failures = consecutive_failures + 1"
                            + " WHERE id = :account RETURNING consecutive_failures",
                        Integer.class)
                    .setParameter("account", account)
                    .getSingleResult());
  }

  /**
   * Records a failure at {@code at} and forgets the account's failures at or before {@code
   * forgetBefore} (outside the counting window); returns how many remain after {@code since}.
   */
  Uni<Long> recordFailure(
      UUID account, String address, Instant at, Instant forgetBefore, Instant since) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "DELETE FROM login_failure"
                            + " WHERE account_id = :account AND failed_at <= :before")
                    .setParameter("account", account)
                    .setParameter("before", forgetBefore)
                    .executeUpdate()
                    .chain(
                        () ->
                            session
                                .createNativeQuery(
                                    "INSERT INTO login_failure (account_id, client_ip, failed_at)"
                                        + " VALUES (:account, :ip, :at)")
                                .setParameter("account", account)
                                .setParameter("ip", address)
                                .setParameter("at", at)
                                .executeUpdate())
                    .chain(
                        () ->
                            session
                                .createNativeQuery(
                                    "SELECT count(*) FROM login_failure"
                                        + " WHERE account_id = :account AND failed_at > :since",
                                    Long.class)
                                .setParameter("account", account)
                                .setParameter("since", since)
                                .getSingleResult()));
  }

  /**
   * Puts the account under attack until {@code until}, unless it already is; true if this call
   * started the protection (the caller holds the account's row lock, so exactly one does).
   */
  Uni<Boolean> startAccountProtection(UUID account, Instant until, boolean permanent, Instant now) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(START_ACCOUNT_PROTECTION)
                    .setParameter("until", until)
                    .setParameter("permanent", permanent)
                    .setParameter("account", account)
                    .setParameter("now", now)
                    .executeUpdate())
        .map(updated -> updated > 0);
  }

  /** Forgets this address's consecutive failures and lock on the account. */
  Uni<Void> clearAddress(UUID account, String address) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "DELETE FROM login_lock WHERE account_id = :account AND client_ip = :ip")
                    .setParameter("account", account)
                    .setParameter("ip", address)
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** Clears every lock and counter of the account (an admin's unlock). */
  Uni<Void> clearAll(UUID account) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "UPDATE account SET locked_until = NULL, locked_at = NULL,"
                            + " locked_permanently = false, consecutive_failures = 0"
                            + " WHERE id = :account")
                    .setParameter("account", account)
                    .executeUpdate()
                    .chain(
                        () ->
                            session
                                .createNativeQuery(
                                    "DELETE FROM login_lock WHERE account_id = :account")
                                .setParameter("account", account)
                                .executeUpdate())
                    .chain(
                        () ->
                            session
                                .createNativeQuery(
                                    "DELETE FROM login_failure WHERE account_id = :account")
                                .setParameter("account", account)
                                .executeUpdate()))
        .replaceWithVoid();
  }
}
