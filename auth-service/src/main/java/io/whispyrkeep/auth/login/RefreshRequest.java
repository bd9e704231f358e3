package io.whispyrkeep.auth.login;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Size;

/** {@code POST /auth/refresh} and {@code POST /auth/logout}. */
public record RefreshRequest(
    // Not @NotBlank: an empty token is refused like any unknown one (401), not as bad input.
    @JsonProperty("refresh_token") @Size(max = 512) String refreshToken) {
  @Override
  public String toString() {
    return "RefreshRequest[refresh_token=<redacted>]";
  }
}
