package io.whispyrkeep.auth.account;

import java.util.Set;
import java.util.UUID;

/** An account as its owner and admins see it: never the hash, never lock internals. */
public record AccountResponse(UUID id, String email, String displayName, Set<String> roles) {

  public static AccountResponse of(Account account) {
    return new AccountResponse(account.id, account.email, account.displayName, account.roleSet());
  }
}
