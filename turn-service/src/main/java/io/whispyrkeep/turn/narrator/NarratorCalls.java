package io.whispyrkeep.turn.narrator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.turn.config.TurnConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

/**
 * The two remote calls of a turn, each under its own timeout, retry and circuit breaker ({@code
 * narrator-exchange}, {@code narrator-broker}). Retries follow only failures where nothing was done
 * ({@link NarratorUnavailableException.Transient}: connection refused, keyvault's custody
 * unavailable): a broker call that timed out may have reached the provider, and is not sent again.
 * Answers about one player's request ({@link NarratorUnavailableException.Refused}: no key, unknown
 * provider, request bounds, the player's concurrent-call bound, the provider's error for their key,
 * their token refused) do not count against the breakers: they are shared by every player, and one
 * player must not be able to open them for all. Tunable per method through {@code
 * quarkus.fault-tolerance."io.whispyrkeep.turn.narrator.NarratorCalls/<method>".*}. Use {@link
 * NarratorClient}.
 */
@ApplicationScoped
class NarratorCalls implements NarratorEndpoints {

  /** RFC 8693 section 2.1. */
  static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

  /** RFC 8693 section 3. */
  static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

  static final String AUDIENCE = "keyvault-service";
  static final String SCOPE = "llm:invoke";

  /** keyvault-service's problem type (last segment) for a failed provider call. */
  static final String UPSTREAM_ERROR = "upstream-error";

  private final AuthTokenApi auth;
  private final BrokerApi broker;
  private final ObjectMapper json;
  private final TurnConfig.Narrator config;

  NarratorCalls(TurnConfig config, ObjectMapper json) {
    this.config = config.narrator();
    this.json = json;
    this.auth =
        QuarkusRestClientBuilder.newBuilder()
            .baseUri(URI.create(this.config.authUrl()))
            .connectTimeout(this.config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .readTimeout(this.config.exchangeTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .property("microprofile.rest.client.disable.default.mapper", true)
            .build(AuthTokenApi.class);
    this.broker =
        QuarkusRestClientBuilder.newBuilder()
            .baseUri(URI.create(this.config.keyvaultUrl()))
            .connectTimeout(this.config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .readTimeout(this.config.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .property("microprofile.rest.client.disable.default.mapper", true)
            .build(BrokerApi.class);
  }

  /** A delegated token (audience keyvault-service, scope llm:invoke) for the player's token. */
  @Timeout(value = 10, unit = ChronoUnit.SECONDS)
  @Retry(
      maxRetries = 2,
      delay = 200,
      jitter = 100,
      retryOn = NarratorUnavailableException.Transient.class)
  @CircuitBreaker(
      requestVolumeThreshold = 20,
      failureRatio = 0.5,
      delay = 10,
      delayUnit = ChronoUnit.SECONDS,
      skipOn = NarratorUnavailableException.Refused.class)
  @CircuitBreakerName("narrator-exchange")
  @Override
  public Uni<DelegatedToken> exchange(String playerToken, String requestId) {
    String secret =
        config
            .clientSecret()
            .orElseThrow(
                () ->
                    new NarratorUnavailableException(
                        NarratorUnavailableException.Kind.UNAVAILABLE, "no-client-secret"));
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (config.clientId() + ":" + secret).getBytes(StandardCharsets.UTF_8));
    return auth.exchange(
            basic, requestId, TOKEN_EXCHANGE, playerToken, ACCESS_TOKEN_TYPE, AUDIENCE, SCOPE)
        .onFailure(NarratorCalls::notSent)
        .transform(failure -> new NarratorUnavailableException.Transient("auth-unreachable"))
        .map(this::delegatedToken);
  }

  /** The provider's answer text, through keyvault-service's broker. */
  @Timeout(value = 160, unit = ChronoUnit.SECONDS)
  @Retry(
      maxRetries = 3,
      delay = 300,
      jitter = 200,
      retryOn = NarratorUnavailableException.Transient.class)
  @CircuitBreaker(
      requestVolumeThreshold = 20,
      failureRatio = 0.5,
      delay = 10,
      delayUnit = ChronoUnit.SECONDS,
      skipOn = NarratorUnavailableException.Refused.class)
  @CircuitBreakerName("narrator-broker")
  @Override
  public Uni<String> chat(
      String delegatedToken, String provider, JsonNode request, String requestId) {
    return broker
        .chat(provider, "Bearer " + delegatedToken, requestId, request)
        .onFailure(NarratorCalls::notSent)
        .transform(failure -> new NarratorUnavailableException.Transient("keyvault-unreachable"))
        .onFailure(ProcessingException.class)
        .transform(
            failure ->
                new NarratorUnavailableException(
                    NarratorUnavailableException.Kind.UNAVAILABLE, "keyvault-timeout"))
        .map(this::content);
  }

  private DelegatedToken delegatedToken(Response response) {
    try (response) {
      int status = response.getStatus();
      if (status == 200) {
        JsonNode body = body(response);
        String token = body.path("access_token").asText("");
        long expiresIn = body.path("expires_in").asLong(0);
        if (token.isEmpty() || expiresIn <= 0) {
          throw new NarratorUnavailableException(
              NarratorUnavailableException.Kind.UNAVAILABLE, "exchange-bad-answer");
        }
        return new DelegatedToken(token, expiresIn);
      }
      if (status >= 500 || status == 429) {
        throw new NarratorUnavailableException.Transient("auth-" + status);
      }
      if (status == 400) {
        // invalid_grant: this player's token (account deleted, token expiring); not retried, and
        // not counted, or one player could open the breaker every player shares.
        throw new NarratorUnavailableException.Refused(
            NarratorUnavailableException.Kind.UNAVAILABLE, "exchange-refused-" + status);
      }
      // 401 invalid_client (our secret) and the rest: the path's fault, not retried, counted.
      throw new NarratorUnavailableException(
          NarratorUnavailableException.Kind.UNAVAILABLE, "exchange-refused-" + status);
    }
  }

  private String content(Response response) {
    try (response) {
      int status = response.getStatus();
      if (status == 200) {
        JsonNode content = body(response).get("content");
        if (content == null || !content.isTextual()) {
          throw new NarratorUnavailableException(
              NarratorUnavailableException.Kind.UPSTREAM, "broker-bad-answer");
        }
        return content.asText();
      }
      String type = problemSlug(response);
      if (status == 409) {
        throw new NarratorUnavailableException.Refused(
            NarratorUnavailableException.Kind.KEY_NOT_CONFIGURED, type);
      }
      if (status == 503 && "custody-unavailable".equals(type)) {
        // Refused before any provider call because Vault is down: retried, and counted.
        throw new NarratorUnavailableException.Transient("keyvault-" + type);
      }
      if (status == 429) {
        // The player's own concurrent-call bound: neither retried (that would multiply one
        // player's load) nor counted (one player must not open the breaker every player shares).
        throw new NarratorUnavailableException.Refused(
            NarratorUnavailableException.Kind.UNAVAILABLE, "keyvault-" + type);
      }
      if (UPSTREAM_ERROR.equals(type)) {
        // The provider (or the player's key at it) failed: keyvault-service's breaker per
        // provider counts that; counted here too, one player's bad key or one provider's outage
        // would stop every player of every provider.
        throw new NarratorUnavailableException.Refused(
            status == 502
                ? NarratorUnavailableException.Kind.UPSTREAM
                : NarratorUnavailableException.Kind.UNAVAILABLE,
            status == 502 ? type : "keyvault-" + status + "-" + type);
      }
      if (status == 502) {
        throw new NarratorUnavailableException(NarratorUnavailableException.Kind.UPSTREAM, type);
      }
      if (status >= 400 && status < 500 && status != 401 && status != 403) {
        // A definite answer about this player's request (unknown provider, request bounds): not a
        // fault of the path. 401/403 (our delegated token refused) are, and count.
        throw new NarratorUnavailableException.Refused(
            NarratorUnavailableException.Kind.UNAVAILABLE, "keyvault-" + status + "-" + type);
      }
      throw new NarratorUnavailableException(
          NarratorUnavailableException.Kind.UNAVAILABLE, "keyvault-" + status + "-" + type);
    }
  }

  private JsonNode body(Response response) {
    try {
      return json.readTree(response.readEntity(String.class));
    } catch (RuntimeException | java.io.IOException e) {
      throw new NarratorUnavailableException(
          NarratorUnavailableException.Kind.UPSTREAM, "unreadable-answer");
    }
  }

  /** The last segment of a problem's {@code type} URI, bounded to a safe code, or "unknown". */
  private String problemSlug(Response response) {
    try {
      String type = json.readTree(response.readEntity(String.class)).path("type").asText("");
      String slug = type.substring(type.lastIndexOf('/') + 1);
      return slug.matches("[a-z0-9-]{1,40}") ? slug : "unknown";
    } catch (RuntimeException | java.io.IOException e) {
      return "unknown";
    }
  }

  /** Whether the request never reached the peer (connection refused or not established). */
  static boolean notSent(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException
          || cause.getClass().getName().endsWith("ConnectTimeoutException")) {
        return true;
      }
    }
    return false;
  }

  /**
   * A delegated token and its lifetime in seconds; {@link #toString()} omits the token.
   *
   * @param token the JWT, never logged
   * @param expiresIn seconds until it expires, as auth-service said
   */
  record DelegatedToken(String token, long expiresIn) {
    @Override
    public String toString() {
      return "DelegatedToken[expiresIn=" + expiresIn + "]";
    }
  }
}
