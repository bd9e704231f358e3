package io.whispyrkeep.keyvault.outbound;

import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.faulttolerance.api.CustomBackoff;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

/**
 * The fault-tolerant provider calls: one method per provider, so that each operator provider has
 * its own circuit breaker ({@code llm-openai}, {@code llm-anthropic}, {@code llm-offline}) and
 * every provider its own bulkhead: an Anthropic outage does not stop OpenAI calls, and a slow
 * player server does not take the slots of the operator's providers.
 *
 * <p>Each attempt has a timeout; retries (at most 2, {@link RetryAfterBackoff}) only follow
 * failures that are safe to repeat: a connection that failed before the request was sent, 429 and
 * 5xx, waiting for {@code Retry-After} when given. A timeout is not retried (the provider may still
 * be generating, and billing, the first answer). The breakers count only provider faults (5xx,
 * connection, TLS, malformed answers), never 4xx or 429, which belong to one player's key, nor
 * timeouts: a player asking a slow model for a long answer must not open the breaker for everyone.
 *
 * <p>{@link #custom} has no circuit breaker on purpose: all players' servers would share it, and a
 * player who controls a failing server could open it for everyone else. It re-checks the player's
 * base URL on every attempt and connects to the address just checked.
 *
 * <p>All values can be tuned per method through {@code
 * quarkus.fault-tolerance."io.whispyrkeep.keyvault.outbound.ProviderCalls/<method>".*}. Use {@link
 * ProviderClient}, which maps fault-tolerance exceptions to {@link UpstreamException}.
 */
@ApplicationScoped
class ProviderCalls {

  private final ProviderHttp http;
  private final BaseUrlGuard guard;

  @Inject
  ProviderCalls(Vertx vertx, OutboundConfig config, BaseUrlGuard guard, Clock clock) {
    this.http = new ProviderHttp(vertx, ProviderHttp.Settings.from(config, clock), null);
    this.guard = guard;
  }

  @PreDestroy
  void close() {
    http.close();
  }

  @Timeout(value = 60, unit = ChronoUnit.SECONDS)
  @Retry(
      maxRetries = 2,
      delay = 250,
      jitter = 0,
      maxDuration = 180,
      durationUnit = ChronoUnit.SECONDS,
      retryOn = {TransientProviderFaultException.class, RateLimitedException.class})
  @CustomBackoff(RetryAfterBackoff.class)
  @CircuitBreaker(
      requestVolumeThreshold = 10,
      failureRatio = 0.5,
      delay = 15,
      delayUnit = ChronoUnit.SECONDS,
      successThreshold = 2,
      failOn = ProviderFaultException.class)
  @CircuitBreakerName("llm-openai")
  @Bulkhead(value = 64, waitingTaskQueue = 128)
  Uni<ChatCompletion> openai(URI baseUrl, WireFormat format, byte[] apiKey, ChatRequest request) {
    return http.send(ProviderHttp.Target.trusted(baseUrl), format, apiKey, request);
  }

  @Timeout(value = 60, unit = ChronoUnit.SECONDS)
  @Retry(
      maxRetries = 2,
      delay = 250,
      jitter = 0,
      maxDuration = 180,
      durationUnit = ChronoUnit.SECONDS,
      retryOn = {TransientProviderFaultException.class, RateLimitedException.class})
  @CustomBackoff(RetryAfterBackoff.class)
  @CircuitBreaker(
      requestVolumeThreshold = 10,
      failureRatio = 0.5,
      delay = 15,
      delayUnit = ChronoUnit.SECONDS,
      successThreshold = 2,
      failOn = ProviderFaultException.class)
  @CircuitBreakerName("llm-anthropic")
  @Bulkhead(value = 64, waitingTaskQueue = 128)
  Uni<ChatCompletion> anthropic(
      URI baseUrl, WireFormat format, byte[] apiKey, ChatRequest request) {
    return http.send(ProviderHttp.Target.trusted(baseUrl), format, apiKey, request);
  }

  @Timeout(value = 60, unit = ChronoUnit.SECONDS)
  @Retry(
      maxRetries = 2,
      delay = 250,
      jitter = 0,
      maxDuration = 180,
      durationUnit = ChronoUnit.SECONDS,
      retryOn = {TransientProviderFaultException.class, RateLimitedException.class})
  @CustomBackoff(RetryAfterBackoff.class)
  @CircuitBreaker(
      requestVolumeThreshold = 10,
      failureRatio = 0.5,
      delay = 15,
      delayUnit = ChronoUnit.SECONDS,
      successThreshold = 2,
      failOn = ProviderFaultException.class)
  @CircuitBreakerName("llm-offline")
  @Bulkhead(value = 64, waitingTaskQueue = 128)
  Uni<ChatCompletion> offline(URI baseUrl, WireFormat format, byte[] apiKey, ChatRequest request) {
    return http.send(ProviderHttp.Target.trusted(baseUrl), format, apiKey, request);
  }

  @Timeout(value = 60, unit = ChronoUnit.SECONDS)
  @Retry(
      maxRetries = 2,
      delay = 250,
      jitter = 0,
      maxDuration = 180,
      durationUnit = ChronoUnit.SECONDS,
      retryOn = {TransientProviderFaultException.class, RateLimitedException.class})
  @CustomBackoff(RetryAfterBackoff.class)
  @Bulkhead(value = 16, waitingTaskQueue = 32)
  Uni<ChatCompletion> custom(
      String baseUrl, WireFormat format, byte[] apiKey, ChatRequest request) {
    return guard
        .check(baseUrl)
        .onItem()
        .transformToUni(
            target -> http.send(ProviderHttp.Target.pinned(target), format, apiKey, request));
  }
}
