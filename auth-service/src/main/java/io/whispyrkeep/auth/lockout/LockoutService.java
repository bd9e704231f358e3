package io.whispyrkeep.auth.lockout;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.auth.AuthEvents;
import io.whispyrkeep.auth.account.Account;
import io.whispyrkeep.auth.config.AuthConfig;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Brute-force protection in the spirit of OWASP ASVS 5.0 V6.3.1, with the state in PostgreSQL so it
 * holds across replicas. An account is locked first only for the address the failures come from (1
 * minute, doubling to 15), so an attacker on one address cannot lock the owner out of theirs; 20
 * failures within 12 hours from anywhere lock it everywhere for a while. Every counter is one
 * atomic SQL increment: 50 parallel failures count exactly 50 (Keycloak had this race). All methods
 * run inside the caller's transaction, with the events they raise.
 */
@ApplicationScoped
public class LockoutService {

  private static final String COUNT_ADDRESS_FAILURE =
      """
      INSERT INTO login_lock (account_id, client_ip, consecutive_failures, locked_until)
      VALUES (:account, :ip, 1, NULL)
      ON CONFLICT (account_id, client_ip)
      DO UPDATE SET consecutive_failures = login_lock.consecutive_failures + 1
      RETURNING consecutive_failures
      """;

  private final AuthConfig.Lockout config;
  private final AuthEvents events;
  private final Clock clock;

  LockoutService(AuthConfig config, AuthEvents events, Clock clock) {
    this.config = config.lockout();
    this.events = events;
    this.clock = clock;
  }

  /** Whether the account may not sign in from this address right now (global or per-address). */
  public Uni<Boolean> isLocked(Account account, String clientIp) {
    Instant now = clock.instant();
    if (account.lockedPermanently
        || (account.lockedUntil != null && account.lockedUntil.isAfter(now))) {
      return Uni.createFrom().item(true);
    }
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "SELECT locked_until FROM login_lock WHERE account_id = :account AND client_ip = :ip",
                        java.time.OffsetDateTime.class)
                    .setParameter("account", account.id)
                    .setParameter("ip", address(clientIp))
                    .getResultList())
        .map(
            (List<java.time.OffsetDateTime> until) ->
                !until.isEmpty() && until.get(0) != null && until.get(0).toInstant().isAfter(now));
  }

  /** Counts one failed password for the account from this address; locks and alerts as due. */
  public Uni<Void> recordFailure(Account account, RequestMetadata meta) {
    Instant now = clock.instant();
    String ip = address(meta.clientIp());
    String accountId = account.id.toString();
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(COUNT_ADDRESS_FAILURE, Integer.class)
                    .setParameter("account", account.id)
                    .setParameter("ip", ip)
                    .getSingleResult()
                    .chain(failures -> lockAddressIfDue(session, account, ip, failures, now, meta))
                    .chain(
                        () ->
                            session
                                .createNativeQuery(
                                    "UPDATE account SET consecutive_failures = consecutive_failures + 1"
                                        + " WHERE id = :account RETURNING consecutive_failures",
                                    Integer.class)
                                .setParameter("account", account.id)
                                .getSingleResult())
                    .chain(
                        consecutive ->
                            consecutive == config.alertThreshold()
                                ? events.record(
                                    AuthEvents.ALERT_FAILED_LOGINS,
                                    Severity.WARNING,
                                    null,
                                    accountId,
                                    Map.of("consecutiveFailures", consecutive.toString()),
                                    meta)
                                : Uni.createFrom().voidItem())
                    .chain(
                        () ->
                            session
                                .createNativeQuery(
                                    "INSERT INTO login_failure (account_id, client_ip, failed_at)"
                                        + " VALUES (:account, :ip, :at)")
                                .setParameter("account", account.id)
                                .setParameter("ip", ip)
                                .setParameter("at", now)
                                .executeUpdate())
                    .chain(
                        () ->
                            session
                                .createNativeQuery(
                                    "SELECT count(*) FROM login_failure"
                                        + " WHERE account_id = :account AND failed_at > :since",
                                    Long.class)
                                .setParameter("account", account.id)
                                .setParameter("since", now.minus(config.accountWindow()))
                                .getSingleResult())
                    .chain(
                        inWindow ->
                            inWindow >= config.accountThreshold()
                                ? lockAccount(session, account, inWindow, now, meta)
                                : Uni.createFrom().voidItem()));
  }

  /** A successful sign-in resets every counter of the account. */
  public Uni<Void> recordSuccess(Account account) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery("DELETE FROM login_lock WHERE account_id = :account")
                    .setParameter("account", account.id)
                    .executeUpdate()
                    .chain(
                        () ->
                            session
                                .createNativeQuery(
                                    "DELETE FROM login_failure WHERE account_id = :account")
                                .setParameter("account", account.id)
                                .executeUpdate())
                    .chain(
                        () ->
                            session
                                .createNativeQuery(
                                    "UPDATE account SET consecutive_failures = 0 WHERE id = :account")
                                .setParameter("account", account.id)
                                .executeUpdate()))
        .replaceWithVoid();
  }

  /** An admin's unlock: clears every lock and counter, and records who did it. */
  public Uni<Void> unlock(UUID accountId, String adminId, RequestMetadata meta) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "UPDATE account SET locked_until = NULL, locked_permanently = false,"
                            + " consecutive_failures = 0 WHERE id = :account")
                    .setParameter("account", accountId)
                    .executeUpdate()
                    .chain(
                        () ->
                            session
                                .createNativeQuery(
                                    "DELETE FROM login_lock WHERE account_id = :account")
                                .setParameter("account", accountId)
                                .executeUpdate())
                    .chain(
                        () ->
                            session
                                .createNativeQuery(
                                    "DELETE FROM login_failure WHERE account_id = :account")
                                .setParameter("account", accountId)
                                .executeUpdate()))
        .chain(
            () ->
                events.record(
                    AuthEvents.UNLOCK,
                    Severity.NOTICE,
                    adminId,
                    accountId.toString(),
                    Map.of(),
                    meta));
  }

  /** Lock for one address: 1 minute at the threshold, doubling per further failure, capped. */
  Duration addressLock(int consecutiveFailures) {
    int doublings = Math.min(consecutiveFailures - config.addressThreshold(), 20);
    Duration lock = config.addressInitialLock().multipliedBy(1L << Math.max(0, doublings));
    return lock.compareTo(config.addressMaxLock()) > 0 ? config.addressMaxLock() : lock;
  }

  private Uni<Void> lockAddressIfDue(
      org.hibernate.reactive.mutiny.Mutiny.Session session,
      Account account,
      String ip,
      int failures,
      Instant now,
      RequestMetadata meta) {
    if (failures < config.addressThreshold()) {
      return Uni.createFrom().voidItem();
    }
    Duration lock = addressLock(failures);
    return session
        .createNativeQuery(
            "UPDATE login_lock SET locked_until = :until WHERE account_id = :account AND client_ip = :ip")
        .setParameter("until", now.plus(lock))
        .setParameter("account", account.id)
        .setParameter("ip", ip)
        .executeUpdate()
        .chain(
            () ->
                events.record(
                    AuthEvents.LOCKOUT,
                    Severity.WARNING,
                    null,
                    account.id.toString(),
                    Map.of(
                        "scope",
                        "address",
                        "lockedAddress",
                        ip,
                        "lockSeconds",
                        Long.toString(lock.toSeconds()),
                        "consecutiveFailures",
                        Integer.toString(failures)),
                    meta));
  }

  private Uni<Void> lockAccount(
      org.hibernate.reactive.mutiny.Mutiny.Session session,
      Account account,
      long failuresInWindow,
      Instant now,
      RequestMetadata meta) {
    // Only the transaction that actually sets the lock raises the event: parallel failures past
    // the threshold find the account already locked and update nothing.
    return session
        .createNativeQuery(
            "UPDATE account SET locked_until = :until, locked_permanently = :permanent"
                + " WHERE id = :account AND NOT locked_permanently"
                + " AND (locked_until IS NULL OR locked_until <= :now)")
        .setParameter("until", now.plus(config.accountLock()))
        .setParameter("permanent", config.permanent())
        .setParameter("account", account.id)
        .setParameter("now", now)
        .executeUpdate()
        .chain(
            updated ->
                updated == 0
                    ? Uni.createFrom().voidItem()
                    : events.record(
                        AuthEvents.LOCKOUT,
                        Severity.CRITICAL,
                        null,
                        account.id.toString(),
                        Map.of(
                            "scope", "account",
                            "permanent", Boolean.toString(config.permanent()),
                            "lockSeconds", Long.toString(config.accountLock().toSeconds()),
                            "failuresInWindow", Long.toString(failuresInWindow)),
                        meta));
  }

  private static String address(String clientIp) {
    return clientIp == null ? "unknown" : clientIp;
  }
}
