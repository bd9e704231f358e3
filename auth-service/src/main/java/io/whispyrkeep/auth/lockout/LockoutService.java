package io.whispyrkeep.auth.lockout;

import io.smallrye.mutiny.Uni;
import io.whispyrkeep.auth.AuthEvents;
import io.whispyrkeep.auth.account.Account;
import io.whispyrkeep.auth.config.AuthConfig;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.ClientAddresses;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

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

  private final AuthConfig.Lockout config;
  private final LockoutRepository counters;
  private final SecurityEvents events;
  private final Clock clock;

  LockoutService(
      AuthConfig config, LockoutRepository counters, SecurityEvents events, Clock clock) {
    this.config = config.lockout();
    this.counters = counters;
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
    return counters
        .addressLockedUntil(lockedAccount.id, ClientAddresses.key(meta))
        .map(
            until -> {
              if (until != null && until.toInstant().isAfter(now)) {
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
    return counters
        .countAddressFailure(account.id, ip)
        .chain(failures -> lockAddressIfDue(account, ip, failures, now, meta))
        .chain(() -> counters.countAccountFailure(account.id))
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
        .chain(() -> counters.recordFailure(account.id, ip, now, windowStart, since))
        .chain(
            counted ->
                counted >= config.accountThreshold()
                    ? protectAccount(account, counted, now, meta)
                    : Uni.createFrom().voidItem());
  }

  /**
   * A successful sign-in resets the account's consecutive-failure count (on the entity, which the
   * caller's transaction writes) and this address's counter. It lifts neither another address's
   * lock nor the account-wide protection: the owner signing in says nothing about the attacker.
   */
  public Uni<Void> recordSuccess(Account lockedAccount, RequestMetadata meta) {
    lockedAccount.consecutiveFailures = 0;
    return counters.clearAddress(lockedAccount.id, ClientAddresses.key(meta));
  }

  /** An admin's unlock: clears every lock and counter, and records who did it. */
  public Uni<Void> unlock(UUID accountId, String adminId, RequestMetadata meta) {
    return counters
        .clearAll(accountId)
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
      Account account, String ip, int failures, Instant now, RequestMetadata meta) {
    if (failures < config.addressThreshold()) {
      return Uni.createFrom().voidItem();
    }
    Duration lock = addressLock(failures);
    return counters
        .lockAddress(account.id, ip, now.plus(lock))
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
      Account account, long failuresSinceLastLock, Instant now, RequestMetadata meta) {
    // A running protection is neither extended nor re-announced. The account row is locked by
    // the caller, so exactly one transaction starts each protection.
    return counters
        .startAccountProtection(account.id, now.plus(config.accountLock()), config.permanent(), now)
        .chain(
            started ->
                !started
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
