package io.whispyrkeep.keyvault.custody;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vault.client.VaultClientException;
import io.quarkus.vault.client.VaultException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Maps what Vault answers to custody's two failures. Vault's transit API reports why a ciphertext
 * is refused only as text (HTTP 400 with {@code {"errors":[...]}}, or an {@code error} per batch
 * item), so the reasons are recognised by Vault's fixed messages from its transit key policy code:
 *
 * <ul>
 *   <li>{@code cipher: message authentication failed}: altered, or another context;
 *   <li>{@code ciphertext or signature version is disallowed by policy (too old)}: below the
 *       minimum decryption version;
 *   <li>{@code invalid ciphertext: version is too new}: a version the key does not have;
 *   <li>{@code invalid ciphertext...}, {@code could not decode base64}, {@code missing ciphertext}:
 *       malformed.
 * </ul>
 *
 * Any other 400 (a missing key, a missing context) is not the ciphertext's fault and becomes {@link
 * CustodyUnavailableException}: a caller is never told that a good ciphertext is bad. Sealed (503),
 * denied (403), missing (404) and failing (5xx) Vaults, and Vaults that do not answer, are {@link
 * CustodyUnavailableException}; those worth an immediate retry are {@link TransientVaultFailure}.
 * Messages are fixed text and a status; a 400's body (which for a batch may hold other items'
 * results) is never put into an exception.
 */
final class VaultErrors {

  private static final ObjectMapper JSON = new ObjectMapper();

  private VaultErrors() {}

  /** A Vault failure that an immediate retry may cure: no answer, 429, 500, 502, 504. */
  static final class TransientVaultFailure extends CustodyUnavailableException {
    private static final long serialVersionUID = 1L;

    TransientVaultFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The exception to raise for a failed Vault call. */
  static RuntimeException map(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof CiphertextRefusedException
        || cause instanceof CustodyUnavailableException
        || cause instanceof IllegalArgumentException) {
      return (RuntimeException) cause;
    }
    if (cause instanceof VaultClientException vault) {
      return map(vault);
    }
    if (cause instanceof VaultException vault) {
      return new CustodyUnavailableException("Vault client failed", vault);
    }
    return new TransientVaultFailure("Vault did not answer", cause);
  }

  private static RuntimeException map(VaultClientException e) {
    Integer status = e.getStatus();
    if (status == null) {
      return new TransientVaultFailure("Vault did not answer", e);
    }
    return switch (status) {
      case 400 -> {
        Optional<CiphertextRefusedException.Reason> reason = firstReason(e.getErrors());
        yield reason
            .<RuntimeException>map(CiphertextRefusedException::new)
            .orElseGet(() -> new CustodyUnavailableException("Vault refused the request (400)"));
      }
      case 403 ->
          new CustodyUnavailableException(
              "Vault denied this service the transit key (403: check its policy)", e);
      case 404 ->
          new CustodyUnavailableException("transit key or mount not found in Vault (404)", e);
      case 503 -> new CustodyUnavailableException("Vault is sealed or unavailable (503)", e);
      case 429, 500, 502, 504 -> new TransientVaultFailure("Vault failed (" + status + ")", e);
      default -> new CustodyUnavailableException("Vault answered " + status, e);
    };
  }

  /**
   * Per item errors of a batch that Vault refused as a whole with 400 (every item failed): the
   * {@code error} of each {@code data.batch_results} entry, in order; empty when the body is not
   * that.
   */
  static Optional<List<String>> batchErrors(Throwable failure) {
    if (!(unwrap(failure) instanceof VaultClientException e)
        || e.getStatus() == null
        || e.getStatus() != 400
        || e.getBody() == null) {
      return Optional.empty();
    }
    try {
      JsonNode results = JSON.readTree(e.getBody()).path("data").path("batch_results");
      if (!results.isArray()) {
        return Optional.empty();
      }
      List<String> errors = new ArrayList<>();
      for (JsonNode item : results) {
        JsonNode error = item.get("error");
        errors.add(error == null || error.isNull() ? null : error.asText());
      }
      return Optional.of(errors);
    } catch (java.io.IOException parse) {
      return Optional.empty();
    }
  }

  /** Why Vault refused a ciphertext, from its error text; empty if it is not about one. */
  static Optional<CiphertextRefusedException.Reason> ciphertextReason(String error) {
    if (error == null) {
      return Optional.empty();
    }
    String text = error.toLowerCase(Locale.ROOT);
    if (text.contains("message authentication failed")) {
      return Optional.of(CiphertextRefusedException.Reason.AUTHENTICATION_FAILED);
    }
    if (text.contains("disallowed by policy (too old)")) {
      return Optional.of(CiphertextRefusedException.Reason.BELOW_MIN_DECRYPTION_VERSION);
    }
    if (text.contains("version is too new")) {
      return Optional.of(CiphertextRefusedException.Reason.UNKNOWN_VERSION);
    }
    if (text.contains("invalid ciphertext")
        || text.contains("could not decode base64")
        || text.contains("missing ciphertext")) {
      return Optional.of(CiphertextRefusedException.Reason.MALFORMED);
    }
    return Optional.empty();
  }

  private static Optional<CiphertextRefusedException.Reason> firstReason(List<String> errors) {
    if (errors == null) {
      return Optional.empty();
    }
    for (String error : errors) {
      Optional<CiphertextRefusedException.Reason> reason = ciphertextReason(error);
      if (reason.isPresent()) {
        return reason;
      }
    }
    return Optional.empty();
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
