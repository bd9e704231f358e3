package io.whispyrkeep.auth.login;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** {@code POST /auth/refresh} and {@code POST /auth/logout}. */
public record RefreshRequest(
    @JsonProperty("refresh_token") @NotBlank @Size(max = 512) String refreshToken) {
  @Override
  public String toString() {
    return "RefreshRequest[refresh_token=<redacted>]";
  }
}
