package io.whispyrkeep.auth;

/**
 * auth-service's security event types: the contract the audit-service's rules match on. Events are
 * recorded with the platform's {@code SecurityEvents.record}, in the caller's transaction.
 */
public final class AuthEvents {

  public static final String REGISTER = "auth.register";
  public static final String LOGIN_SUCCESS = "auth.login_success";
  public static final String LOGIN_FAILURE = "auth.login_failure";
  public static final String LOCKOUT = "auth.lockout";
  public static final String UNLOCK = "auth.unlock";
  public static final String ALERT_FAILED_LOGINS = "auth.alert.failed_logins";
  public static final String REFRESH_REUSE_DETECTED = "auth.refresh_reuse_detected";
  public static final String LOGOUT = "auth.logout";
  public static final String ROLE_GRANTED = "auth.role_granted";
  public static final String ROLE_REVOKED = "auth.role_revoked";
  public static final String RATE_LIMITED = "auth.rate_limited";
  public static final String CLIENT_TOKEN_ISSUED = "auth.client_token_issued";
  public static final String CLIENT_AUTH_FAILURE = "auth.client_auth_failure";

  /** A service exchanged a player's token for a delegated one (RFC 8693). */
  public static final String TOKEN_EXCHANGED = "auth.token_exchanged";

  /** An authenticated service's token exchange was refused; details name the error and why. */
  public static final String TOKEN_EXCHANGE_REFUSED = "auth.token_exchange_refused";

  private AuthEvents() {}
}
