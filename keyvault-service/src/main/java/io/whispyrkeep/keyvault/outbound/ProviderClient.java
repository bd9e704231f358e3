package io.whispyrkeep.keyvault.outbound;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import java.net.URI;
import java.util.Objects;
import java.util.Set;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * Sends a chat request to a model provider with the player's own key: the one entry point of
 * outbound LLM traffic. Operator-configured providers ({@link ProviderEndpoints}) are trusted; a
 * player's own base URL ({@link ProviderEndpoint#custom}) is checked by {@link BaseUrlGuard} again
 * on every call and the connection goes to the address just checked (no second DNS lookup), with
 * TLS verified against the original host name. Redirects are never followed. Timeouts, retries,
 * circuit breakers and bulkheads live on {@link ProviderCalls}; this class maps their exceptions.
 *
 * <p>Failures: {@link UpstreamException} (the provider failed; only a status class), {@link
 * BaseUrlRefusedException} (a player's base URL is refused), {@link ConstraintViolationException}
 * (the request breaks {@link ChatRequest}'s bounds), {@link IllegalArgumentException} (the key is
 * not 1 to 1024 visible ASCII characters). None of them carries the key or a provider's body.
 *
 * <p>The key: read on each attempt (so it must stay intact until the returned Uni terminates; the
 * caller clears it afterwards); turned into a header String immediately before the request is
 * written, which is unavoidable with an HTTP client; no reference to it is kept afterwards. Headers
 * are never logged (Netty wire logging is off; the Quarkus REST client is not used).
 */
@ApplicationScoped
public class ProviderClient {

  private final ProviderCalls calls;
  private final Validator validator;

  public ProviderClient(ProviderCalls calls, Validator validator) {
    this.calls = calls;
    this.validator = validator;
  }

  /** Sends {@code request} to {@code endpoint} with {@code apiKey}; see the class comment. */
  public Uni<ChatCompletion> chat(ProviderEndpoint endpoint, byte[] apiKey, ChatRequest request) {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(request, "request");
    try {
      ProviderHttp.checkKey(apiKey);
    } catch (IllegalArgumentException e) {
      return Uni.createFrom().failure(e);
    }
    Set<ConstraintViolation<ChatRequest>> violations = validator.validate(request);
    if (!violations.isEmpty()) {
      return Uni.createFrom().failure(new ConstraintViolationException(violations));
    }
    Uni<ChatCompletion> call;
    switch (endpoint.provider()) {
      case OPENAI:
        call = calls.openai(URI.create(endpoint.baseUrl()), endpoint.format(), apiKey, request);
        break;
      case ANTHROPIC:
        call = calls.anthropic(URI.create(endpoint.baseUrl()), endpoint.format(), apiKey, request);
        break;
      case OFFLINE:
        call = calls.offline(URI.create(endpoint.baseUrl()), endpoint.format(), apiKey, request);
        break;
      default:
        call = calls.custom(endpoint.baseUrl(), endpoint.format(), apiKey, request);
        break;
    }
    return call.onFailure().transform(ProviderClient::ours);
  }

  /** Fault-tolerance exceptions become {@link UpstreamException}; ours pass unchanged. */
  static Throwable ours(Throwable failure) {
    if (failure instanceof TimeoutException) {
      return new UpstreamException(UpstreamException.Failure.TIMEOUT);
    }
    if (failure instanceof CircuitBreakerOpenException) {
      return new UpstreamException(UpstreamException.Failure.CIRCUIT_OPEN);
    }
    if (failure instanceof BulkheadException) {
      return new UpstreamException(UpstreamException.Failure.BUSY);
    }
    return failure;
  }
}
