package io.whispyrkeep.auth.login;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * {@code POST /auth/login}; {@code device_token} is optional (the one a previous login returned,
 * for clients that cannot keep the cookie).
 */
public record LoginRequest(
    @NotBlank @Size(max = 320) String email,
    @NotNull @Size(max = MAX_PASSWORD) String password,
    // Unbounded here on purpose: any unusable device token counts as none (same 401 as a wrong
    // password); its verifier bounds the work.
    @JsonProperty("device_token") String deviceToken) {

  /**
   * Longest password a login reads: no stored password is longer than the policy's 128 characters,
   * so a longer one can never match, and the hash never runs on megabytes.
   */
  public static final int MAX_PASSWORD = 1024;

  public LoginRequest(String email, String password) {
    this(email, password, null);
  }

  @Override
  public String toString() {
    return "LoginRequest[email=" + email + "]";
  }
}
