package io.whispyrkeep.platform.ratelimit;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * A per-user limit enforced the same way in every service: the request counts against the user's
 * window (shared by replicas through {@link RateLimiter}); over the limit the caller fails with the
 * service's 429 problem, and the first refusal of a window is recorded at once as a security event.
 * Later refusals of that window add no event of their own (the window's report counts them), so a
 * client cannot flood the audit trail by hammering a limit.
 */
@ApplicationScoped
@IfBuildProperty(name = "whispyrkeep.rate-limit.enabled", stringValue = "true")
public class UserRateLimits {

  /**
   * What a refusal looks like in one service.
   *
   * @param eventType the event recorded at the first refusal of a window
   * @param details the event's details; {@code limit} and {@code windowSeconds} are added
   * @param problem the failure for a refused request, given the seconds until the window ends
   */
  public record Refusal(
      String eventType, Map<String, String> details, LongFunction<? extends Throwable> problem) {}

  private final RateLimiter limiter;
  private final SecurityEvents events;

  UserRateLimits(RateLimiter limiter, SecurityEvents events) {
    this.limiter = limiter;
    this.events = events;
  }

  /**
   * Counts one request of {@code userId} under {@code action}; completes when it is allowed, fails
   * with {@code refusal}'s problem when it is not (recording the event first, when it is the
   * window's first refusal).
   */
  public Uni<Void> enforce(
      String action,
      String userId,
      RateLimiter.Limit limit,
      Refusal refusal,
      RequestMetadata meta) {
    return limiter
        .hitByUser(action, userId, limit)
        .chain(
            decision -> {
              if (decision.allowed()) {
                return Uni.createFrom().voidItem();
              }
              Uni<Void> report =
                  decision.firstRefusal()
                      ? Panache.withTransaction(
                          () ->
                              events.record(
                                  refusal.eventType(),
                                  Severity.WARNING,
                                  userId,
                                  userId,
                                  details(refusal.details(), limit),
                                  meta))
                      : Uni.createFrom().voidItem();
              return report.chain(
                  () ->
                      Uni.createFrom()
                          .failure(refusal.problem().apply(decision.retryAfterSeconds())));
            });
  }

  private static Map<String, String> details(Map<String, String> given, RateLimiter.Limit limit) {
    Map<String, String> details = new LinkedHashMap<>(given);
    details.put("limit", Integer.toString(limit.permits()));
    details.put("windowSeconds", Long.toString(limit.window().toSeconds()));
    return details;
  }
}
