package io.whispyrkeep.auth.login;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** OAuth-style token response (RFC 6749 section 5.1), plus the device token after a login. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenResponse(
    @JsonProperty("access_token") String accessToken,
    @JsonProperty("token_type") String tokenType,
    @JsonProperty("expires_in") long expiresIn,
    @JsonProperty("refresh_token") String refreshToken,
    @JsonProperty("device_token") String deviceToken) {

  public TokenResponse(String accessToken, String tokenType, long expiresIn, String refreshToken) {
    this(accessToken, tokenType, expiresIn, refreshToken, null);
  }

  /**
   * The same response carrying a device token (after a password sign-in only): API clients keep it
   * and send it back as {@code device_token} on their next login; browsers get it as a cookie.
   */
  public TokenResponse withDeviceToken(String token) {
    return new TokenResponse(accessToken, tokenType, expiresIn, refreshToken, token);
  }

  @Override
  public String toString() {
    return "TokenResponse[token_type=" + tokenType + ", expires_in=" + expiresIn + "]";
  }
}
