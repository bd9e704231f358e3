package io.whispyrkeep.auth.login;

/** {@code POST /auth/login}. */
public record LoginRequest(String email, String password) {
  @Override
  public String toString() {
    return "LoginRequest[email=" + email + "]";
  }
}
