package io.whispyrkeep.auth.exchange;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The token-exchange response (RFC 8693 section 2.2.1). {@link #toString()} omits the token. */
public record TokenExchangeResponse(
    @JsonProperty("access_token") String accessToken,
    @JsonProperty("issued_token_type") String issuedTokenType,
    @JsonProperty("token_type") String tokenType,
    @JsonProperty("expires_in") long expiresIn,
    @JsonProperty("scope") String scope) {

  @Override
  public String toString() {
    return "TokenExchangeResponse[issued_token_type="
        + issuedTokenType
        + ", token_type="
        + tokenType
        + ", expires_in="
        + expiresIn
        + ", scope="
        + scope
        + "]";
  }
}
