package io.whispyrkeep.auth.account;

import jakarta.validation.constraints.Size;

/**
 * {@code POST /auth/register}: sizes are bounded here, at the boundary; the rules that need the
 * whole request (password policy against the email, email normalisation) are {@link
 * AccountService}'s, which lists every problem at once.
 */
public record RegisterRequest(
    @Size(max = 320) String email,
    @Size(max = 1024) String password,
    @Size(max = 1024) String displayName) {

  @Override
  public String toString() {
    return "RegisterRequest[email=" + email + ", displayName=" + displayName + "]";
  }
}
