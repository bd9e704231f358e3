package io.whispyrkeep.auth.login;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** OAuth-style token response (RFC 6749 section 5.1). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenResponse(
    @JsonProperty("access_token") String accessToken,
    @JsonProperty("token_type") String tokenType,
    @JsonProperty("expires_in") long expiresIn,
    @JsonProperty("refresh_token") String refreshToken) {

  @Override
  public String toString() {
    return "TokenResponse[token_type=" + tokenType + ", expires_in=" + expiresIn + "]";
  }
}
