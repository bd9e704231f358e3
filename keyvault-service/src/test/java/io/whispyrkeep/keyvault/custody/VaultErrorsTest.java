package io.whispyrkeep.keyvault.custody;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.vault.client.VaultClientException;
import io.whispyrkeep.keyvault.custody.CiphertextRefusedException.Reason;
import java.net.ConnectException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** How Vault's answers become custody's two failures. */
class VaultErrorsTest {

  @Test
  void ciphertextReason_vaultsTransitMessages_mappedToReasons() {
    assertThat(VaultErrors.ciphertextReason("cipher: message authentication failed"))
        .contains(Reason.AUTHENTICATION_FAILED);
    assertThat(
            VaultErrors.ciphertextReason(
                "ciphertext or signature version is disallowed by policy (too old)"))
        .contains(Reason.BELOW_MIN_DECRYPTION_VERSION);
    assertThat(VaultErrors.ciphertextReason("invalid ciphertext: version is too new"))
        .contains(Reason.UNKNOWN_VERSION);
    for (String malformed :
        List.of(
            "invalid ciphertext: no prefix",
            "invalid ciphertext: could not decode base64",
            "invalid ciphertext length",
            "missing ciphertext to decrypt")) {
      assertThat(VaultErrors.ciphertextReason(malformed)).as(malformed).contains(Reason.MALFORMED);
    }
    assertThat(VaultErrors.ciphertextReason("encryption key not found")).isEmpty();
    assertThat(VaultErrors.ciphertextReason(null)).isEmpty();
  }

  @Test
  void map_400AboutTheCiphertext_refused() {
    RuntimeException mapped =
        VaultErrors.map(vault(400, "1 error occurred:\n\t* cipher: message authentication failed"));

    assertThat(mapped).isInstanceOf(CiphertextRefusedException.class);
    assertThat(((CiphertextRefusedException) mapped).reason())
        .isEqualTo(Reason.AUTHENTICATION_FAILED);
  }

  @Test
  void map_400NotAboutTheCiphertext_unavailableNeverRefused() {
    RuntimeException mapped = VaultErrors.map(vault(400, "encryption key not found"));

    assertThat(mapped)
        .isInstanceOf(CustodyUnavailableException.class)
        .isNotInstanceOf(VaultErrors.TransientVaultFailure.class)
        .hasNoCause();
  }

  @Test
  void map_deniedSealedMissing_unavailableNotRetried() {
    for (int status : new int[] {403, 404, 503, 418}) {
      assertThat(VaultErrors.map(vault(status, "x")))
          .as("status " + status)
          .isInstanceOf(CustodyUnavailableException.class)
          .isNotInstanceOf(VaultErrors.TransientVaultFailure.class)
          .hasMessageContaining(Integer.toString(status));
    }
  }

  @Test
  void map_serverErrorsAndNoAnswer_transient() {
    for (int status : new int[] {429, 500, 502, 504}) {
      assertThat(VaultErrors.map(vault(status, "x")))
          .isInstanceOf(VaultErrors.TransientVaultFailure.class);
    }
    assertThat(VaultErrors.map(new VaultClientException("Decrypt", "/v1/t", null, List.of(), null)))
        .isInstanceOf(VaultErrors.TransientVaultFailure.class);
    assertThat(VaultErrors.map(new CompletionException(new ConnectException("refused"))))
        .isInstanceOf(VaultErrors.TransientVaultFailure.class);
  }

  @Test
  void batchErrors_400WithEveryItemFailed_perItemErrorsInOrder() {
    String body =
        "{\"data\":{\"batch_results\":[{\"error\":\"cipher: message authentication failed\"},"
            + "{\"error\":\"invalid ciphertext: no prefix\"}]}}";
    VaultClientException all = new VaultClientException("Decrypt", "/v1/t", 400, body, null);

    assertThat(VaultErrors.batchErrors(all))
        .contains(
            List.of("cipher: message authentication failed", "invalid ciphertext: no prefix"));
    assertThat(VaultErrors.batchErrors(vault(500, "x"))).isEqualTo(Optional.empty());
  }

  private static VaultClientException vault(int status, String... errors) {
    return new VaultClientException(
        "Decrypt", "/v1/transit/decrypt/k", status, Arrays.asList(errors), null);
  }
}
