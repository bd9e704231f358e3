package io.whispyrkeep.keyvault.outbound;

/**
 * A provider fault that is safe to retry: a 5xx answer, or a connection that failed before the
 * request was sent. Carries the provider's {@code Retry-After} when it gave one.
 */
class TransientProviderFaultException extends ProviderFaultException implements RetryHint {

  private static final long serialVersionUID = 1L;

  private final long retryAfterMillis;

  TransientProviderFaultException(Failure failure, long retryAfterMillis) {
    super(failure);
    this.retryAfterMillis = retryAfterMillis;
  }

  TransientProviderFaultException(Failure failure, Throwable cause) {
    super(failure, cause);
    this.retryAfterMillis = -1;
  }

  @Override
  public long retryAfterMillis() {
    return retryAfterMillis;
  }
}
