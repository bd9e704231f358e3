package io.whispyrkeep.auth.login;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code POST /auth/login}; {@code device_token} is optional (the one a previous login returned,
 * for clients that cannot keep the cookie).
 */
public record LoginRequest(
    String email, String password, @JsonProperty("device_token") String deviceToken) {

  public LoginRequest(String email, String password) {
    this(email, password, null);
  }

  @Override
  public String toString() {
    return "LoginRequest[email=" + email + "]";
  }
}
