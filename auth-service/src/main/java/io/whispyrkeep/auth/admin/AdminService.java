package io.whispyrkeep.auth.admin;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.auth.AuthEvents;
import io.whispyrkeep.auth.AuthProblems;
import io.whispyrkeep.auth.account.Account;
import io.whispyrkeep.auth.account.AccountRepository;
import io.whispyrkeep.auth.account.Role;
import io.whispyrkeep.auth.lockout.LockoutService;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.RequestMetadata;
import io.whispyrkeep.platform.problem.Problem;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/** Unlock and role changes, each with its security event in the same transaction. */
@ApplicationScoped
public class AdminService {

  /** Roles an admin may grant or revoke; {@code player} belongs to every account. */
  static final Set<Role> GRANTABLE = Set.of(Role.SECURITY, Role.ADMIN);

  private final AccountRepository accounts;
  private final LockoutService lockout;
  private final SecurityEvents events;

  AdminService(AccountRepository accounts, LockoutService lockout, SecurityEvents events) {
    this.accounts = accounts;
    this.lockout = lockout;
    this.events = events;
  }

  public Uni<Void> unlock(UUID accountId, String adminId, RequestMetadata meta) {
    return Panache.withTransaction(
        () -> existing(accountId).chain(account -> lockout.unlock(account.id, adminId, meta)));
  }

  public Uni<Void> grant(UUID accountId, String roleId, String adminId, RequestMetadata meta) {
    return changeRole(accountId, grantable(roleId), true, adminId, meta);
  }

  public Uni<Void> revoke(UUID accountId, String roleId, String adminId, RequestMetadata meta) {
    return changeRole(accountId, grantable(roleId), false, adminId, meta);
  }

  /**
   * Adds or removes the role under a row lock; records the event only when something changed.
   * Separation of duties: nobody changes the roles of their own account (an admin could otherwise
   * grant themselves security and read the trail of their own actions, or a compromised admin token
   * could entrench itself), and the last admin keeps the role, so the service is never left without
   * one. Revoking admin first locks every admin row in id order, so two admins revoking each other
   * at once are serialised and the second sees that only one is left.
   */
  private Uni<Void> changeRole(
      UUID accountId, Role role, boolean grant, String adminId, RequestMetadata meta) {
    if (accountId.toString().equals(adminId)) {
      return Uni.createFrom().failure(AuthProblems.ownRoles());
    }
    boolean revokingAdmin = !grant && role == Role.ADMIN;
    return Panache.withTransaction(
        () ->
            (revokingAdmin ? accounts.lockAdmins() : Uni.createFrom().item(List.<UUID>of()))
                .chain(
                    admins ->
                        existing(accountId)
                            .chain(
                                account -> {
                                  Set<String> roles = new TreeSet<>(account.roleSet());
                                  boolean changed =
                                      grant ? roles.add(role.id()) : roles.remove(role.id());
                                  if (!changed) {
                                    return Uni.createFrom().voidItem();
                                  }
                                  if (revokingAdmin && admins.size() <= 1) {
                                    return Uni.createFrom().failure(AuthProblems.lastAdmin());
                                  }
                                  account.setRoles(roles);
                                  return events.record(
                                      grant ? AuthEvents.ROLE_GRANTED : AuthEvents.ROLE_REVOKED,
                                      Severity.WARNING,
                                      adminId,
                                      account.id.toString(),
                                      Map.of("role", role.id()),
                                      meta);
                                })));
  }

  private Uni<Account> existing(UUID accountId) {
    return accounts.findForUpdate(accountId).onItem().ifNull().failWith(AuthProblems::userNotFound);
  }

  private static Role grantable(String roleId) {
    return Role.of(roleId)
        .filter(GRANTABLE::contains)
        .orElseThrow(
            () ->
                new ProblemException(
                    ProblemType.VALIDATION_FAILED.uri(),
                    ProblemType.VALIDATION_FAILED.title(),
                    400,
                    "The role is not one an admin can grant.",
                    List.of(new Problem.FieldError("role", "must be one of: security, admin")),
                    Map.of()));
  }
}
