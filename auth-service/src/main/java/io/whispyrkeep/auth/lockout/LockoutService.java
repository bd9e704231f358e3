package io.whispyrkeep.auth.lockout;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.auth.AuthEvents;
import io.whispyrkeep.auth.ClientAddresses;
import io.whispyrkeep.auth.account.Account;
import io.whispyrkeep.auth.config.AuthConfig;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Brute-force protection in the spirit of OWASP ASVS 5.0 V6.3.1 and OWASP's "device cookies", with
 * the state in PostgreSQL so it holds across replicas. Two controls, neither of which an attacker
 * can aim at the owner:
 *
 * <ul>
 *   <li>Per address (IPv6 grouped by /64): 5 consecutive failures lock the account for that address
 *       only, 1 minute doubling to 15.
 *   <li>Per account: 20 failures from anywhere within 12 hours, counted since the last time this
 *       protection started, put the account under attack for 15 minutes. While it is, only the
 *       owner's known devices (a valid {@link DeviceTokens device token} for the account) may sign
 *       in; every other client is refused with the same 401 as a wrong password.
 * </ul>
 *
 * <p>Every decision is taken by {@link #refusal} in the transaction that records the outcome, after
 * the password hash and under the account's row lock, so parallel guesses are decided one after
 * another against the newest counters. Every counter is one atomic SQL increment.
 */
@ApplicationScoped
public class LockoutService {

  /** Why a sign-in was refused although the password may have been right. */
  public enum Refusal {
    /** Too many failures from this address (or IPv6 /64). */
    ADDRESS_LOCKED,
    /** The account is under attack and the client has no valid device token for it. */
    UNKNOWN_DEVICE_DURING_ATTACK;

    /** The {@code reason} recorded on {@code auth.login_failure}. */
    public String reason() {
      return this == ADDRESS_LOCKED ? "address_locked" : "unknown_device_during_attack";
    }
  }

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

  /**
   * Whether this sign-in must be refused whatever the password: the address is locked for the
   * account, or the account is under attack and the client is not one of its known devices. Call it
   * inside the transaction that records the outcome, with the account row locked ({@code
   * AccountRepository.findForUpdate}) and freshly read.
   */
  public Uni<Refusal> refusal(Account lockedAccount, RequestMetadata meta, boolean knownDevice) {
    Instant now = clock.instant();
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "SELECT locked_until FROM login_lock WHERE account_id = :account AND client_ip = :ip",
                        OffsetDateTime.class)
                    .setParameter("account", lockedAccount.id)
                    .setParameter("ip", ClientAddresses.key(meta))
                    .getResultList())
        .map(
            (List<OffsetDateTime> until) -> {
              if (!until.isEmpty()
                  && until.get(0) != null
                  && until.get(0).toInstant().isAfter(now)) {
                return Refusal.ADDRESS_LOCKED;
              }
              return isUnderAttack(lockedAccount, now) && !knownDevice
                  ? Refusal.UNKNOWN_DEVICE_DURING_ATTACK
                  : null;
            });
  }

  /** Whether the account-wide protection is on: only known devices may sign in. */
  public boolean isUnderAttack(Account account, Instant now) {
    return account.lockedPermanently
        || (account.lockedUntil != null && account.lockedUntil.isAfter(now));
  }

  /** Counts one wrong password for the account from this address; locks and alerts as due. */
  public Uni<Void> recordFailure(Account account, RequestMetadata meta) {
    Instant now = clock.instant();
    String ip = ClientAddresses.key(meta);
    String accountId = account.id.toString();
    Instant windowStart = now.minus(config.accountWindow());
    Instant since =
        account.lockedAt != null && account.lockedAt.isAfter(windowStart)
            ? account.lockedAt
            : windowStart;
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
                                    "DELETE FROM login_failure"
                                        + " WHERE account_id = :account AND failed_at <= :before")
                                .setParameter("account", account.id)
                                .setParameter("before", windowStart)
                                .executeUpdate())
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
                                .setParameter("since", since)
                                .getSingleResult())
                    .chain(
                        counted ->
                            counted >= config.accountThreshold()
                                ? protectAccount(session, account, counted, now, meta)
                                : Uni.createFrom().voidItem()));
  }

  /**
   * A successful sign-in resets the account's consecutive-failure count (on the entity, which the
   * caller's transaction writes) and this address's counter. It lifts neither another address's
   * lock nor the account-wide protection: the owner signing in says nothing about the attacker.
   */
  public Uni<Void> recordSuccess(Account lockedAccount, RequestMetadata meta) {
    lockedAccount.consecutiveFailures = 0;
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "DELETE FROM login_lock WHERE account_id = :account AND client_ip = :ip")
                    .setParameter("account", lockedAccount.id)
                    .setParameter("ip", ClientAddresses.key(meta))
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** An admin's unlock: clears every lock and counter, and records who did it. */
  public Uni<Void> unlock(UUID accountId, String adminId, RequestMetadata meta) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "UPDATE account SET locked_until = NULL, locked_at = NULL,"
                            + " locked_permanently = false, consecutive_failures = 0"
                            + " WHERE id = :account")
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
      Mutiny.Session session,
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

  private Uni<Void> protectAccount(
      Mutiny.Session session,
      Account account,
      long failuresSinceLastLock,
      Instant now,
      RequestMetadata meta) {
    // Only when not already on: a running protection is neither extended nor re-announced. The
    // account row is locked by the caller, so exactly one transaction starts each protection.
    return session
        .createNativeQuery(
            "UPDATE account SET locked_until = :until, locked_at = :now,"
                + " locked_permanently = :permanent"
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
                            "effect", "unknown devices refused",
                            "permanent", Boolean.toString(config.permanent()),
                            "lockSeconds", Long.toString(config.accountLock().toSeconds()),
                            "failuresSinceLastLock", Long.toString(failuresSinceLastLock)),
                        meta));
  }
}
