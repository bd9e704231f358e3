package io.whispyrkeep.keyvault.custody;

import io.quarkus.vault.client.VaultClient;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransit;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitCreateKeyParams;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitDecryptBatchItem;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitDecryptBatchParams;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitDecryptParams;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitEncryptBatchItem;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitEncryptBatchParams;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitEncryptParams;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitEncryptResultData;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitKeyInfo;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitKeyType;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitRewrapBatchItem;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitRewrapBatchParams;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitRewrapParams;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitRewrapResultData;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitRotateKeyParams;
import io.quarkus.vault.client.api.secrets.transit.VaultSecretsTransitUpdateKeyParams;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

/**
 * Vault's transit API through quarkus-vault's client ({@link VaultClient}, on the configured
 * mount), with the fault-tolerance bounds of every call and Vault's answers mapped to custody's
 * failures ({@link VaultErrors}). Every call has a timeout (3 s) and its own circuit breaker (opens
 * when half of the last 10 calls failed, tries again after 5 s); refused ciphertexts and bad
 * arguments are answers, not failures, and never open it. Calls that change nothing (encrypt,
 * decrypt, rewrap, read) are retried twice, 100 ms apart, and only for {@link
 * VaultErrors.TransientVaultFailure} (no answer, 429, 5xx other than 503); rotation and
 * configuration are never retried, so a timeout cannot rotate twice. The bounds are SmallRye Fault
 * Tolerance settings, per method ({@code quarkus.fault-tolerance."<this class>/<method>".*}) or for
 * every guarded call ({@code quarkus.fault-tolerance.global.*}).
 *
 * <p>Batches ask Vault to answer 200 when some items fail ({@code partial_failure_response_code}),
 * so results come back per item and a batch body holding plaintexts never travels in an error.
 * Created only when the Vault engine is selected: with the local engine, Vault is never contacted.
 */
@ApplicationScoped
class VaultTransitClient {

  /** One item's answer in a batch: a value, or Vault's error text for that item. */
  record ItemResult<T>(T value, String error) {}

  /** What custody needs to know of the key. */
  record KeyState(
      int latestVersion, int minDecryptionVersion, boolean derived, boolean convergent) {}

  private final VaultSecretsTransit transit;

  VaultTransitClient(VaultClient vault, CustodyConfig config) {
    this.transit = vault.secrets().transit(config.vault().mount());
  }

  @Timeout(3000)
  @Retry(
      maxRetries = 2,
      delay = 100,
      jitter = 50,
      retryOn = VaultErrors.TransientVaultFailure.class)
  @CircuitBreaker(
      requestVolumeThreshold = 10,
      failureRatio = 0.5,
      delay = 5000,
      successThreshold = 2,
      skipOn = {CiphertextRefusedException.class, IllegalArgumentException.class})
  @CircuitBreakerName("vault-transit-encrypt")
  Uni<String> encrypt(String keyName, byte[] context, byte[] plaintext) {
    return call(
        () ->
            transit.encrypt(
                keyName,
                new VaultSecretsTransitEncryptParams().setPlaintext(plaintext).setContext(context)),
        VaultSecretsTransitEncryptResultData::getCiphertext);
  }

  @Timeout(3000)
  @Retry(
      maxRetries = 2,
      delay = 100,
      jitter = 50,
      retryOn = VaultErrors.TransientVaultFailure.class)
  @CircuitBreaker(
      requestVolumeThreshold = 10,
      failureRatio = 0.5,
      delay = 5000,
      successThreshold = 2,
      skipOn = {CiphertextRefusedException.class, IllegalArgumentException.class})
  @CircuitBreakerName("vault-transit-decrypt")
  Uni<byte[]> decrypt(String keyName, byte[] context, String ciphertext) {
    return call(
        () ->
            transit.decrypt(
                keyName,
                new VaultSecretsTransitDecryptParams()
                    .setCiphertext(ciphertext)
                    .setContext(context)),
        Function.identity());
  }

  @Timeout(3000)
  @Retry(
      maxRetries = 2,
      delay = 100,
      jitter = 50,
      retryOn = VaultErrors.TransientVaultFailure.class)
  @CircuitBreaker(
      requestVolumeThreshold = 10,
      failureRatio = 0.5,
      delay = 5000,
      successThreshold = 2,
      skipOn = {CiphertextRefusedException.class, IllegalArgumentException.class})
  @CircuitBreakerName("vault-transit-rewrap")
  Uni<String> rewrap(String keyName, byte[] context, String ciphertext) {
    return call(
        () ->
            transit.rewrap(
                keyName,
                new VaultSecretsTransitRewrapParams()
                    .setCiphertext(ciphertext)
                    .setContext(context)),
        VaultSecretsTransitRewrapResultData::getCiphertext);
  }

  @Timeout(3000)
  @Retry(
      maxRetries = 2,
      delay = 100,
      jitter = 50,
      retryOn = VaultErrors.TransientVaultFailure.class)
  @CircuitBreaker(
      requestVolumeThreshold = 10,
      failureRatio = 0.5,
      delay = 5000,
      successThreshold = 2,
      skipOn = {CiphertextRefusedException.class, IllegalArgumentException.class})
  @CircuitBreakerName("vault-transit-encrypt-batch")
  Uni<List<ItemResult<String>>> encryptBatch(
      String keyName, List<byte[]> contexts, List<byte[]> plaintexts) {
    List<VaultSecretsTransitEncryptBatchItem> input = new ArrayList<>();
    for (int i = 0; i < contexts.size(); i++) {
      input.add(
          new VaultSecretsTransitEncryptBatchItem()
              .setContext(contexts.get(i))
              .setPlaintext(plaintexts.get(i)));
    }
    return batch(
        () ->
            transit.encryptBatch(
                keyName,
                new VaultSecretsTransitEncryptBatchParams()
                    .setBatchInput(input)
                    .allowPartialFailure()),
        item -> new ItemResult<>(item.getCiphertext(), item.getError()),
        contexts.size());
  }

  @Timeout(3000)
  @Retry(
      maxRetries = 2,
      delay = 100,
      jitter = 50,
      retryOn = VaultErrors.TransientVaultFailure.class)
  @CircuitBreaker(
      requestVolumeThreshold = 10,
      failureRatio = 0.5,
      delay = 5000,
      successThreshold = 2,
      skipOn = {CiphertextRefusedException.class, IllegalArgumentException.class})
  @CircuitBreakerName("vault-transit-decrypt-batch")
  Uni<List<ItemResult<byte[]>>> decryptBatch(
      String keyName, List<byte[]> contexts, List<String> ciphertexts) {
    List<VaultSecretsTransitDecryptBatchItem> input = new ArrayList<>();
    for (int i = 0; i < contexts.size(); i++) {
      input.add(
          new VaultSecretsTransitDecryptBatchItem()
              .setContext(contexts.get(i))
              .setCiphertext(ciphertexts.get(i)));
    }
    return batch(
        () ->
            transit.decryptBatch(
                keyName,
                new VaultSecretsTransitDecryptBatchParams()
                    .setBatchInput(input)
                    .allowPartialFailure()),
        item -> new ItemResult<>(item.getPlaintext(), item.getError()),
        contexts.size());
  }

  @Timeout(3000)
  @Retry(
      maxRetries = 2,
      delay = 100,
      jitter = 50,
      retryOn = VaultErrors.TransientVaultFailure.class)
  @CircuitBreaker(
      requestVolumeThreshold = 10,
      failureRatio = 0.5,
      delay = 5000,
      successThreshold = 2,
      skipOn = {CiphertextRefusedException.class, IllegalArgumentException.class})
  @CircuitBreakerName("vault-transit-rewrap-batch")
  Uni<List<ItemResult<String>>> rewrapBatch(
      String keyName, List<byte[]> contexts, List<String> ciphertexts) {
    List<VaultSecretsTransitRewrapBatchItem> input = new ArrayList<>();
    for (int i = 0; i < contexts.size(); i++) {
      input.add(
          new VaultSecretsTransitRewrapBatchItem()
              .setContext(contexts.get(i))
              .setCiphertext(ciphertexts.get(i)));
    }
    return batch(
        () ->
            transit.rewrapBatch(
                keyName,
                new VaultSecretsTransitRewrapBatchParams()
                    .setBatchInput(input)
                    .allowPartialFailure()),
        item -> new ItemResult<>(item.getCiphertext(), item.getError()),
        contexts.size());
  }

  @Timeout(3000)
  @Retry(
      maxRetries = 2,
      delay = 100,
      jitter = 50,
      retryOn = VaultErrors.TransientVaultFailure.class)
  @CircuitBreaker(
      requestVolumeThreshold = 10,
      failureRatio = 0.5,
      delay = 5000,
      successThreshold = 2,
      skipOn = IllegalArgumentException.class)
  @CircuitBreakerName("vault-transit-read-key")
  Uni<KeyState> readKey(String keyName) {
    return call(
        () -> transit.readKey(keyName),
        (VaultSecretsTransitKeyInfo info) ->
            new KeyState(
                orZero(info.getLatestVersion()),
                Math.max(1, orZero(info.getMinDecryptionVersion())),
                Boolean.TRUE.equals(info.isDerived()),
                Boolean.TRUE.equals(info.isConvergentEncryption())));
  }

  @Timeout(3000)
  @CircuitBreaker(
      requestVolumeThreshold = 10,
      failureRatio = 0.5,
      delay = 5000,
      successThreshold = 2)
  @CircuitBreakerName("vault-transit-rotate")
  Uni<Void> rotate(String keyName) {
    return call(
        () -> transit.rotateKey(keyName, new VaultSecretsTransitRotateKeyParams()),
        Function.identity());
  }

  @Timeout(3000)
  @CircuitBreaker(
      requestVolumeThreshold = 10,
      failureRatio = 0.5,
      delay = 5000,
      successThreshold = 2,
      skipOn = IllegalArgumentException.class)
  @CircuitBreakerName("vault-transit-config")
  Uni<Void> setMinDecryptionVersion(String keyName, int version) {
    return call(
        () ->
            transit.updateKey(
                keyName, new VaultSecretsTransitUpdateKeyParams().setMinDecryptionVersion(version)),
        Function.identity());
  }

  /**
   * Creates a derived AES-256-GCM key, as the setup command does ({@code vault write
   * transit/keys/<name> derived=true type=aes256-gcm96}); for tests and setup only: the service's
   * own policy does not allow it.
   */
  Uni<Void> createDerivedKey(String keyName) {
    return call(
        () ->
            transit.createKey(
                keyName,
                new VaultSecretsTransitCreateKeyParams()
                    .setDerived(true)
                    .setType(VaultSecretsTransitKeyType.AES256_GCM96)),
        (Optional<VaultSecretsTransitKeyInfo> ignored) -> null);
  }

  private static <R, T> Uni<T> call(Supplier<CompletionStage<R>> request, Function<R, T> result) {
    return Uni.createFrom()
        .completionStage(request)
        .map(result)
        .onFailure()
        .transform(VaultErrors::map);
  }

  /**
   * A batch call: per item results in order; a 400 whose body lists every item's error (all failed)
   * is an answer too, read from that body.
   */
  private static <R, T> Uni<List<ItemResult<T>>> batch(
      Supplier<CompletionStage<List<R>>> request, Function<R, ItemResult<T>> item, int size) {
    return Uni.createFrom()
        .completionStage(request)
        .map(
            results -> {
              if (results == null || results.size() != size) {
                throw new CustodyUnavailableException("Vault answered a batch with a wrong count");
              }
              List<ItemResult<T>> mapped = new ArrayList<>(size);
              for (R result : results) {
                mapped.add(item.apply(result));
              }
              return mapped;
            })
        .onFailure()
        .recoverWithUni(
            failure -> {
              Optional<List<String>> errors = VaultErrors.batchErrors(failure);
              if (errors.isPresent() && errors.get().size() == size) {
                List<ItemResult<T>> failed = new ArrayList<>(size);
                errors.get().forEach(error -> failed.add(new ItemResult<>(null, error)));
                return Uni.createFrom().item(failed);
              }
              return Uni.createFrom().failure(VaultErrors.map(failure));
            });
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
