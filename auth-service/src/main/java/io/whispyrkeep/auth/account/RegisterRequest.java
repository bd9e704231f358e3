package io.whispyrkeep.auth.account;

/** {@code POST /auth/register}; validated by {@link AccountService}, which lists every problem. */
public record RegisterRequest(String email, String password, String displayName) {

  @Override
  public String toString() {
    return "RegisterRequest[email=" + email + ", displayName=" + displayName + "]";
  }
}
