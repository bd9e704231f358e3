package io.whispyrkeep.keyvault.custody;

import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.FaultToleranceException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The production {@link TransitEngine}: one derived key of HashiCorp Vault's (or OpenBao's) transit
 * engine, the context being the owner's user id. Before its first use the key is read once and
 * refused unless it is derived and not convergent: a non-derived key would silently ignore the
 * context (any user's ciphertext would decrypt on any row) and a convergent one would make equal
 * plaintexts visible. Ciphertext frames are checked here before Vault sees them, so both engines
 * refuse the same malformed frames (Vault alone would read {@code vault:v0:} as version 1). Batches
 * are all or nothing, as in {@link LocalTransitEngine}.
 *
 * <p>Failures: {@link CiphertextRefusedException} for a ciphertext Vault refuses; {@link
 * CustodyUnavailableException} for everything else, including timeouts and an open circuit.
 */
public final class VaultTransitEngine implements TransitEngine {

  private static final Logger LOG = Logger.getLogger(VaultTransitEngine.class);

  private final String keyName;
  private final VaultTransitClient client;
  private volatile boolean keyVerified;
  private final AtomicReference<Uni<Void>> verification = new AtomicReference<>();

  VaultTransitEngine(String keyName, VaultTransitClient client) {
    this.keyName = Objects.requireNonNull(keyName);
    this.client = client;
  }

  @Override
  public Uni<String> encrypt(String context, byte[] plaintext) {
    return guarded(
        () -> {
          LocalTransitEngine.checkArguments(context, plaintext);
          byte[] contextBytes = DerivationContext.encode(context);
          return verifiedKey().chain(() -> client.encrypt(keyName, contextBytes, plaintext));
        });
  }

  @Override
  public Uni<byte[]> decrypt(String context, String ciphertext) {
    return guarded(
        () -> {
          CiphertextFormat.body(ciphertext);
          byte[] contextBytes = DerivationContext.encode(context);
          return verifiedKey().chain(() -> client.decrypt(keyName, contextBytes, ciphertext));
        });
  }

  @Override
  public Uni<String> rewrap(String context, String ciphertext) {
    return guarded(
        () -> {
          CiphertextFormat.body(ciphertext);
          byte[] contextBytes = DerivationContext.encode(context);
          return verifiedKey().chain(() -> client.rewrap(keyName, contextBytes, ciphertext));
        });
  }

  @Override
  public Uni<List<String>> encryptBatch(List<Plaintext> items) {
    return guarded(
        () -> {
          LocalTransitEngine.checkBatch(items);
          List<byte[]> contexts = new ArrayList<>(items.size());
          List<byte[]> plaintexts = new ArrayList<>(items.size());
          for (Plaintext item : items) {
            LocalTransitEngine.checkArguments(item.context(), item.bytes());
            contexts.add(DerivationContext.encode(item.context()));
            plaintexts.add(item.bytes());
          }
          if (items.isEmpty()) {
            return Uni.createFrom().item(List.<String>of());
          }
          return verifiedKey()
              .chain(() -> client.encryptBatch(keyName, contexts, plaintexts))
              .map(results -> values(results, new boolean[items.size()]));
        });
  }

  @Override
  public Uni<List<byte[]>> decryptBatch(List<Sealed> items) {
    return guarded(
        () -> {
          Framed framed = frame(items);
          if (items.isEmpty()) {
            return Uni.createFrom().item(List.<byte[]>of());
          }
          if (framed.contexts.isEmpty()) {
            return Uni.createFrom().failure(framed.firstRefusal());
          }
          return verifiedKey()
              .chain(() -> client.decryptBatch(keyName, framed.contexts, framed.ciphertexts))
              .map(results -> values(results, framed.malformed));
        });
  }

  @Override
  public Uni<List<String>> rewrapBatch(List<Sealed> items) {
    return guarded(
        () -> {
          Framed framed = frame(items);
          if (items.isEmpty()) {
            return Uni.createFrom().item(List.<String>of());
          }
          if (framed.contexts.isEmpty()) {
            return Uni.createFrom().failure(framed.firstRefusal());
          }
          return verifiedKey()
              .chain(() -> client.rewrapBatch(keyName, framed.contexts, framed.ciphertexts))
              .map(results -> values(results, framed.malformed));
        });
  }

  @Override
  public Uni<TransitKeyInfo> rotate() {
    return guarded(() -> client.rotate(keyName).chain(() -> keyInfo()));
  }

  @Override
  public Uni<TransitKeyInfo> keyInfo() {
    return guarded(
        () ->
            client
                .readKey(keyName)
                .map(key -> new TransitKeyInfo(key.latestVersion(), key.minDecryptionVersion())));
  }

  /**
   * Vault itself would lower the minimum or reject a version above the newest with a 400; here the
   * call never lowers it and refuses a version above the newest with {@link
   * IllegalArgumentException}. Vault has no compare-and-set for key settings: two administrators
   * raising at once may leave the smaller of their versions; read {@link #keyInfo()} to confirm.
   */
  @Override
  public Uni<TransitKeyInfo> raiseMinDecryptionVersion(int version) {
    return guarded(
        () -> {
          if (version < 1) {
            throw new IllegalArgumentException("minimum decryption version must be at least 1");
          }
          return client
              .readKey(keyName)
              .chain(
                  key -> {
                    if (version > key.latestVersion()) {
                      throw new IllegalArgumentException(
                          "minimum decryption version "
                              + version
                              + " is above the newest version "
                              + key.latestVersion());
                    }
                    if (version <= key.minDecryptionVersion()) {
                      return Uni.createFrom()
                          .item(
                              new TransitKeyInfo(key.latestVersion(), key.minDecryptionVersion()));
                    }
                    return client.setMinDecryptionVersion(keyName, version).chain(() -> keyInfo());
                  });
        });
  }

  /**
   * Reads the key once: it must be derived and not convergent, or nothing is encrypted with it.
   * Concurrent first calls share one read; a failed read is tried again by the next call.
   */
  private Uni<Void> verifiedKey() {
    if (keyVerified) {
      return Uni.createFrom().voidItem();
    }
    Uni<Void> pending = verification.get();
    if (pending != null) {
      return pending;
    }
    Uni<Void> read =
        client
            .readKey(keyName)
            .invoke(
                key -> {
                  if (!key.derived() || key.convergent()) {
                    LOG.errorf(
                        "custody: Vault transit key %s is %s; refusing to use it (create it with"
                            + " derived=true type=aes256-gcm96)",
                        keyName, key.derived() ? "convergent" : "not derived");
                    throw new CustodyUnavailableException(
                        "Vault transit key " + keyName + " is not a derived, non-convergent key");
                  }
                  keyVerified = true;
                })
            .replaceWithVoid()
            .onTermination()
            .invoke(() -> verification.set(null))
            .memoize()
            .indefinitely();
    return verification.compareAndSet(null, read) ? read : verifiedKey();
  }

  /**
   * A call whose fault-tolerance failures (timeout, open circuit) become unavailability, answered
   * on the caller's Vert.x context (timeouts fire on timer threads, a shared key check on its first
   * caller's context).
   */
  private static <T> Uni<T> guarded(Supplier<Uni<? extends T>> call) {
    return IsolatedContext.onCallersContext(
        Uni.createFrom()
            .<T>deferred(call)
            .onFailure(FaultToleranceException.class)
            .transform(VaultTransitEngine::unavailable));
  }

  private static CustodyUnavailableException unavailable(Throwable failure) {
    if (failure instanceof TimeoutException) {
      return new CustodyUnavailableException("Vault did not answer in time", failure);
    }
    if (failure instanceof CircuitBreakerOpenException) {
      return new CustodyUnavailableException(
          "Vault calls are suspended after repeated failures", failure);
    }
    return new CustodyUnavailableException("Vault call refused by fault tolerance", failure);
  }

  /** Items whose frames are well formed, to send, and the indexes of those refused here. */
  private static final class Framed {
    final List<byte[]> contexts = new ArrayList<>();
    final List<String> ciphertexts = new ArrayList<>();
    final boolean[] malformed;

    Framed(int size) {
      malformed = new boolean[size];
    }

    BatchItemRefusedException firstRefusal() {
      for (int i = 0; i < malformed.length; i++) {
        if (malformed[i]) {
          return new BatchItemRefusedException(i, CiphertextRefusedException.Reason.MALFORMED);
        }
      }
      throw new IllegalStateException("no refused item");
    }
  }

  private static Framed frame(List<Sealed> items) {
    LocalTransitEngine.checkBatch(items);
    Framed framed = new Framed(items.size());
    List<byte[]> contexts = new ArrayList<>(items.size());
    for (Sealed item : items) {
      contexts.add(DerivationContext.encode(item.context()));
    }
    for (int i = 0; i < items.size(); i++) {
      try {
        CiphertextFormat.body(items.get(i).ciphertext());
        framed.contexts.add(contexts.get(i));
        framed.ciphertexts.add(items.get(i).ciphertext());
      } catch (CiphertextRefusedException e) {
        framed.malformed[i] = true;
      }
    }
    return framed;
  }

  /**
   * The values in the callers' order, with the items refused here ({@code malformed}) merged back;
   * the first refused item (lowest index) fails the batch, after every plaintext received for it
   * has been cleared.
   */
  private static <T> List<T> values(
      List<VaultTransitClient.ItemResult<T>> sent, boolean[] malformed) {
    List<T> values = new ArrayList<>(malformed.length);
    int next = 0;
    RuntimeException failure = null;
    for (int i = 0; i < malformed.length && failure == null; i++) {
      if (malformed[i]) {
        failure = new BatchItemRefusedException(i, CiphertextRefusedException.Reason.MALFORMED);
        continue;
      }
      VaultTransitClient.ItemResult<T> result = sent.get(next++);
      if (result.error() == null && result.value() != null) {
        values.add(result.value());
        continue;
      }
      int index = i;
      failure =
          VaultErrors.ciphertextReason(result.error())
              .<RuntimeException>map(reason -> new BatchItemRefusedException(index, reason))
              .orElseGet(() -> new CustodyUnavailableException("Vault failed a batch item"));
    }
    if (failure != null) {
      for (VaultTransitClient.ItemResult<T> result : sent) {
        if (result.value() instanceof byte[] plaintext) {
          Arrays.fill(plaintext, (byte) 0);
        }
      }
      throw failure;
    }
    return values;
  }
}
