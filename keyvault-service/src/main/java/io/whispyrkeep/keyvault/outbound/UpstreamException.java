package io.whispyrkeep.keyvault.outbound;

import java.util.Objects;

/**
 * A provider call failed. Carries only the {@link Failure} (its {@link #statusClass()} such as
 * {@code 5xx} or {@code timeout}): never the key, never the provider's body, headers or address.
 * The broker maps it to problem+json {@code upstream-error}. A cause is attached only for transport
 * failures, whose messages come from the JDK or Netty; never for a failure about the body.
 */
public class UpstreamException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** What went wrong, as far as the player and the operator need to know. */
  public enum Failure {
    /** Answered 3xx; redirects are never followed. */
    REDIRECT("3xx"),
    /** Answered 4xx other than 429: typically a wrong or revoked key, or an unknown model. */
    CLIENT_ERROR("4xx"),
    /** Answered 429, and retries (honouring {@code Retry-After}) did not help. */
    RATE_LIMITED("429"),
    /** Answered 5xx, and retries did not help. */
    SERVER_ERROR("5xx"),
    /** No answer within the per-attempt timeout. */
    TIMEOUT("timeout"),
    /** Could not connect, or the connection broke. */
    CONNECT("connect"),
    /** TLS failed: untrusted certificate, or one that does not match the host name. */
    TLS("tls"),
    /** The answer was not what the wire format promises (bad JSON, wrong shape, compressed). */
    MALFORMED("malformed"),
    /** The answer was larger than {@code whispyrkeep.keyvault.outbound.max-response-size}. */
    TOO_LARGE("too-large"),
    /** The provider's circuit breaker is open after repeated failures; nothing was sent. */
    CIRCUIT_OPEN("circuit-open"),
    /** Too many calls to this provider in flight; nothing was sent. */
    BUSY("busy");

    private final String statusClass;

    Failure(String statusClass) {
      this.statusClass = statusClass;
    }

    /** Stable label, e.g. {@code 5xx}, {@code timeout}. */
    public String statusClass() {
      return statusClass;
    }
  }

  private final Failure failure;

  public UpstreamException(Failure failure) {
    super("upstream failure: " + Objects.requireNonNull(failure, "failure").statusClass());
    this.failure = failure;
  }

  /** With the transport exception that caused it (JDK/Netty text only, never a body). */
  public UpstreamException(Failure failure, Throwable cause) {
    super("upstream failure: " + Objects.requireNonNull(failure, "failure").statusClass(), cause);
    this.failure = failure;
  }

  public Failure failure() {
    return failure;
  }

  /** The failure's stable label ({@code 4xx}, {@code 5xx}, {@code timeout} ...). */
  public String statusClass() {
    return failure.statusClass();
  }
}
