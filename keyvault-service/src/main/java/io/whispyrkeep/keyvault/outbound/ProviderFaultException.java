package io.whispyrkeep.keyvault.outbound;

/**
 * A failure that is the provider's (5xx, broken connection, TLS, malformed or oversized answer, a
 * redirect): it counts towards the provider's circuit breaker. A player's own mistakes (4xx, 429)
 * do not, so one player cannot open the breaker for everyone.
 */
class ProviderFaultException extends UpstreamException {

  private static final long serialVersionUID = 1L;

  ProviderFaultException(Failure failure) {
    super(failure);
  }

  ProviderFaultException(Failure failure, Throwable cause) {
    super(failure, cause);
  }
}
