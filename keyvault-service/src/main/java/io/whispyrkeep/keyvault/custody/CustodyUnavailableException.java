package io.whispyrkeep.keyvault.custody;

/**
 * The custody engine cannot answer now (Vault sealed, unreachable, denying this service, slow, or
 * failing): the request gets a 503 and nothing is written. The message never carries key material.
 */
public class CustodyUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CustodyUnavailableException(String message) {
    super(message);
  }

  public CustodyUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
