package io.whispyrkeep.auth.account;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.auth.AuthEvents;
import io.whispyrkeep.auth.AuthProblems;
import io.whispyrkeep.auth.password.HashingExecutor;
import io.whispyrkeep.auth.password.PasswordHasher;
import io.whispyrkeep.auth.password.PasswordPolicy;
import io.whispyrkeep.platform.db.SqlStates;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.RequestMetadata;
import io.whispyrkeep.platform.problem.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Registration and account lookup. */
@ApplicationScoped
public class AccountService {

  /** SQLSTATE of a unique violation (the index on lower(email), migration V2). */

  /** Longest display name. */
  public static final int MAX_DISPLAY_NAME = 100;

  private final AccountRepository accounts;
  private final PasswordPolicy policy;
  private final PasswordHasher hasher;
  private final HashingExecutor hashing;
  private final SecurityEvents events;
  private final Clock clock;

  AccountService(
      AccountRepository accounts,
      PasswordPolicy policy,
      PasswordHasher hasher,
      HashingExecutor hashing,
      SecurityEvents events,
      Clock clock) {
    this.accounts = accounts;
    this.policy = policy;
    this.hasher = hasher;
    this.hashing = hashing;
    this.events = events;
    this.clock = clock;
  }

  /** Validates, hashes off the event loop, and stores the account with its event. */
  public Uni<Account> register(RegisterRequest request, Set<Role> roles, RequestMetadata meta) {
    List<Problem.FieldError> errors = new ArrayList<>();
    String email = EmailAddresses.normalise(request.email()).orElse(null);
    if (email == null) {
      errors.add(new Problem.FieldError("email", "must be a valid email address"));
    }
    String displayName = request.displayName() == null ? "" : request.displayName().strip();
    if (displayName.isEmpty()
        || displayName.length() > MAX_DISPLAY_NAME
        || displayName.chars().anyMatch(Character::isISOControl)) {
      errors.add(
          new Problem.FieldError(
              "displayName", "must be 1 to 100 characters, no control characters"));
    }
    for (PasswordPolicy.Violation violation : policy.check(request.password(), email)) {
      errors.add(
          new Problem.FieldError("password", violation.message() + " (" + violation.code() + ")"));
    }
    if (!errors.isEmpty()) {
      return Uni.createFrom().failure(AuthProblems.invalidRegistration(errors));
    }
    return Panache.withSession(() -> accounts.findByEmail(email))
        .chain(
            existing -> {
              if (existing != null) {
                return Uni.createFrom().failure(AuthProblems.emailTaken());
              }
              return hashing.submit(() -> hasher.hash(request.password().toCharArray()));
            })
        .chain(hash -> Panache.withTransaction(() -> store(email, displayName, hash, roles, meta)))
        .onFailure(SqlStates::isUniqueViolation)
        .transform(e -> AuthProblems.emailTaken());
  }

  private Uni<Account> store(
      String email, String displayName, String hash, Set<Role> roles, RequestMetadata meta) {
    Account account = new Account();
    account.id = UUID.randomUUID();
    account.email = email;
    account.displayName = displayName;
    account.passwordHash = hash;
    account.createdAt = clock.instant();
    account.setRoles(roles.stream().map(Role::id).collect(java.util.stream.Collectors.toSet()));
    return accounts
        .persistAndFlush(account)
        .call(
            () ->
                events.record(
                    AuthEvents.REGISTER,
                    Severity.INFO,
                    account.id.toString(),
                    account.id.toString(),
                    Map.of("roles", account.roles),
                    meta))
        .replaceWith(account);
  }

  public Uni<Account> find(UUID id) {
    return Panache.withSession(() -> accounts.findById(id))
        .onItem()
        .ifNull()
        .failWith(AuthProblems::userNotFound);
  }
}
