package io.whispyrkeep.turn.narrator;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.turn.config.TurnConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * The narrator round trip of one turn: the player's access token is exchanged at auth-service for a
 * delegated token (RFC 8693: audience keyvault-service, scope llm:invoke, this service as actor),
 * cached per player and token for its lifetime minus {@code
 * whispyrkeep.turn.narrator.token-refresh-margin}, then keyvault-service's broker is called for the
 * campaign's provider with the player's own key. Every failure is a {@link
 * NarratorUnavailableException} with a stable reason; no token is ever logged or put in a reason.
 */
@ApplicationScoped
public class NarratorClient {

  /** Most cached delegated tokens (one per player session); the oldest go first. */
  static final int MAX_CACHED_TOKENS = 10_000;

  private final NarratorEndpoints calls;
  private final Clock clock;
  private final Duration margin;

  /** Delegated tokens by a digest of the player's token (so the cache holds no player token). */
  private final Cache<String, Cached> tokens =
      Caffeine.newBuilder()
          .maximumSize(MAX_CACHED_TOKENS)
          .expireAfterWrite(Duration.ofMinutes(5))
          .build();

  private record Cached(String token, Instant useUntil) {
    @Override
    public String toString() {
      return "Cached[useUntil=" + useUntil + "]";
    }
  }

  @Inject
  NarratorClient(NarratorEndpoints calls, TurnConfig config, Clock clock) {
    this(calls, config.narrator().tokenRefreshMargin(), clock);
  }

  NarratorClient(NarratorEndpoints calls, Duration margin, Clock clock) {
    this.calls = calls;
    this.clock = clock;
    this.margin = margin;
  }

  /**
   * The model's raw answer (untrusted text) to {@code request}, for the player; {@code requestId}
   * (the turn request's id, may be null) goes with both calls, so auth-service's and
   * keyvault-service's events of this turn carry the same request id as turn-service's.
   */
  public Uni<String> narrate(
      String playerToken, String provider, JsonNode request, String requestId) {
    return delegatedToken(playerToken, requestId)
        .chain(token -> calls.chat(token, provider, request, requestId))
        // keyvault refused the delegated token (e.g. auth-service rotated its signing key): the
        // next turn exchanges a new one instead of reusing it until it expires.
        .onFailure(NarratorClient::delegatedTokenRefused)
        .invoke(() -> tokens.invalidate(digest(playerToken)))
        .onFailure(failure -> !(failure instanceof NarratorUnavailableException))
        .transform(NarratorClient::mapped);
  }

  private Uni<String> delegatedToken(String playerToken, String requestId) {
    String key = digest(playerToken);
    Cached cached = tokens.getIfPresent(key);
    Instant now = clock.instant();
    if (cached != null && now.isBefore(cached.useUntil())) {
      return Uni.createFrom().item(cached.token());
    }
    return calls
        .exchange(playerToken, requestId)
        .map(
            delegated -> {
              Instant useUntil = clock.instant().plusSeconds(delegated.expiresIn()).minus(margin);
              if (useUntil.isAfter(clock.instant())) {
                tokens.put(key, new Cached(delegated.token(), useUntil));
              }
              return delegated.token();
            });
  }

  /** Forgets every cached delegated token (tests, and after a key rotation at auth-service). */
  public void forgetTokens() {
    tokens.invalidateAll();
  }

  private static boolean delegatedTokenRefused(Throwable failure) {
    return failure instanceof NarratorUnavailableException unavailable
        && (unavailable.reason().startsWith("keyvault-401")
            || unavailable.reason().startsWith("keyvault-403"));
  }

  private static NarratorUnavailableException mapped(Throwable failure) {
    if (failure instanceof CircuitBreakerOpenException) {
      return new NarratorUnavailableException(
          NarratorUnavailableException.Kind.UNAVAILABLE, "circuit-open");
    }
    if (failure instanceof TimeoutException) {
      return new NarratorUnavailableException(
          NarratorUnavailableException.Kind.UNAVAILABLE, "timeout");
    }
    return new NarratorUnavailableException(
        NarratorUnavailableException.Kind.UNAVAILABLE, "unreachable");
  }

  private static String digest(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
