package io.whispyrkeep.keyvault.broker;

import io.whispyrkeep.keyvault.config.KeyvaultConfig;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Arrays;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is asking the broker, read from a delegated token (RFC 8693): the player ({@code sub}) and
 * the service acting for them ({@code act.sub}). Only a token with the broker's scope and an
 * allowed actor is a delegation; a player's own token, a service's own token, a token without
 * {@code act} or with a nested {@code act} chain are refused, each with a stable reason.
 */
record Delegation(String player, String caller) {

  /** Why a token is not an acceptable delegation; safe to put in an event. */
  enum Refusal {
    NO_ACT,
    ACTOR_NOT_ALLOWED,
    NESTED_DELEGATION,
    SCOPE_MISSING,
    SERVICE_SUBJECT,
    NO_SUBJECT
  }

  /** Thrown with the refusal; the broker reports it and answers 403. */
  static final class RefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final Refusal refusal;
    final String caller;

    RefusedException(Refusal refusal, String caller) {
      super(refusal.name(), null, false, false);
      this.refusal = refusal;
      this.caller = caller;
    }
  }

  static Delegation of(JsonWebToken jwt, KeyvaultConfig.Broker config) {
    String subject = jwt.getSubject();
    Object act = jwt.getClaim("act");
    if (!(act instanceof JsonObject actor)) {
      throw new RefusedException(Refusal.NO_ACT, null);
    }
    String caller =
        actor.get("sub") instanceof JsonString name && !name.getString().isBlank()
            ? name.getString()
            : null;
    if (caller == null) {
      throw new RefusedException(Refusal.NO_ACT, null);
    }
    if (actor.containsKey("act") && actor.get("act") != JsonValue.NULL) {
      throw new RefusedException(Refusal.NESTED_DELEGATION, caller);
    }
    if (!config.allowedCallers().contains(caller)) {
      throw new RefusedException(Refusal.ACTOR_NOT_ALLOWED, caller);
    }
    if (!scopes(jwt).contains(config.requiredScope())) {
      throw new RefusedException(Refusal.SCOPE_MISSING, caller);
    }
    if (subject == null || subject.isBlank() || subject.length() > 64) {
      throw new RefusedException(Refusal.NO_SUBJECT, caller);
    }
    if (jwt.getGroups().contains("service") || subject.equals(caller)) {
      throw new RefusedException(Refusal.SERVICE_SUBJECT, caller);
    }
    return new Delegation(subject, caller);
  }

  /** The space-separated {@code scope} claim (RFC 8693 section 4.2) as a set. */
  private static Set<String> scopes(JsonWebToken jwt) {
    Object scope = jwt.getClaim("scope");
    String value =
        scope instanceof JsonString string
            ? string.getString()
            : scope instanceof String string ? string : "";
    return Set.copyOf(Arrays.asList(value.trim().split(" +")));
  }
}
