package io.whispyrkeep.auth.login;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /auth/refresh} and {@code POST /auth/logout}. */
public record RefreshRequest(@JsonProperty("refresh_token") String refreshToken) {
  @Override
  public String toString() {
    return "RefreshRequest[refresh_token=<redacted>]";
  }
}
