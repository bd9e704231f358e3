package io.whispyrkeep.auth;

import io.smallrye.mutiny.Uni;
import io.whispyrkeep.platform.event.SecurityEventFactory;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.RequestMetadata;
import io.whispyrkeep.platform.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * auth-service's security events, recorded through the outbox in the caller's transaction. The type
 * names are the contract the audit-service's rules match on.
 */
@ApplicationScoped
public class AuthEvents {

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

  private final Outbox outbox;
  private final SecurityEventFactory events;

  AuthEvents(Outbox outbox, SecurityEventFactory events) {
    this.outbox = outbox;
    this.events = events;
  }

  /** Records the event in the current transaction. */
  public Uni<Void> record(
      String type,
      Severity severity,
      String actor,
      String subject,
      Map<String, String> details,
      RequestMetadata request) {
    return outbox.record(events.create(type, severity, actor, subject, details, request));
  }
}
