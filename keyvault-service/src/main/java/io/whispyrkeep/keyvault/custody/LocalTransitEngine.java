package io.whispyrkeep.keyvault.custody;

import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The embedded {@link TransitEngine}: Vault transit's semantics on one key of {@link
 * LocalTransitKeys}, with {@link LocalTransitCrypto}'s cryptography. Every call checks a
 * ciphertext's version against the key's state ({@link LocalTransitKeys#state}, held in memory)
 * before any crypto, in single and batch calls and in rewrap alike, so no path decrypts below the
 * minimum decryption version. Crypto runs on the bounded crypto threads, never on the event loop.
 * Batches are all or nothing: the first refused item (lowest index) fails the call with {@link
 * BatchItemRefusedException}, and plaintexts already decrypted for it are cleared.
 *
 * <p>Callers must not change or clear a plaintext they passed in until the returned Uni completes.
 */
public final class LocalTransitEngine implements TransitEngine {

  private final String keyName;
  private final LocalTransitKeys keys;

  LocalTransitEngine(String keyName, LocalTransitKeys keys) {
    this.keyName = Objects.requireNonNull(keyName);
    this.keys = keys;
  }

  @Override
  public Uni<String> encrypt(String context, byte[] plaintext) {
    return deferred(
        () -> {
          checkArguments(context, plaintext);
          return keys.state(keyName)
              .chain(
                  state ->
                      versionKeys(state.latestVersion())
                          .chain(
                              versionKeys ->
                                  keys.compute(
                                      () ->
                                          seal(
                                              state.latestVersion(),
                                              versionKeys,
                                              context,
                                              plaintext))));
        });
  }

  @Override
  public Uni<byte[]> decrypt(String context, String ciphertext) {
    return deferred(
        () -> {
          int version = CiphertextFormat.version(ciphertext);
          DerivationContext.encode(context);
          return keys.state(keyName)
              .chain(
                  state -> {
                    checkVersion(state, version);
                    return versionKeys(version)
                        .chain(
                            versionKeys ->
                                keys.compute(() -> open(versionKeys, context, ciphertext)));
                  });
        });
  }

  @Override
  public Uni<String> rewrap(String context, String ciphertext) {
    return deferred(
        () -> {
          int version = CiphertextFormat.version(ciphertext);
          DerivationContext.encode(context);
          return keys.state(keyName)
              .chain(
                  state -> {
                    checkVersion(state, version);
                    return versionKeys(version, state.latestVersion())
                        .chain(
                            versionKeys ->
                                keys.compute(
                                    () ->
                                        reseal(
                                            state.latestVersion(),
                                            versionKeys,
                                            context,
                                            ciphertext)));
                  });
        });
  }

  @Override
  public Uni<List<String>> encryptBatch(List<Plaintext> items) {
    return deferred(
        () -> {
          checkBatch(items);
          for (Plaintext item : items) {
            checkArguments(item.context(), item.bytes());
          }
          if (items.isEmpty()) {
            return Uni.createFrom().item(List.of());
          }
          return keys.state(keyName)
              .chain(
                  state ->
                      versionKeys(state.latestVersion())
                          .chain(
                              versionKeys ->
                                  keys.compute(
                                      () -> {
                                        List<String> made = new ArrayList<>(items.size());
                                        for (Plaintext item : items) {
                                          made.add(
                                              seal(
                                                  state.latestVersion(),
                                                  versionKeys,
                                                  item.context(),
                                                  item.bytes()));
                                        }
                                        return made;
                                      })));
        });
  }

  @Override
  public Uni<List<byte[]>> decryptBatch(List<Sealed> items) {
    return deferred(
        () -> {
          checkBatch(items);
          for (Sealed item : items) {
            DerivationContext.encode(item.context());
          }
          if (items.isEmpty()) {
            return Uni.createFrom().item(List.of());
          }
          return keys.state(keyName)
              .chain(
                  state ->
                      versionKeys(inRangeVersions(items, state))
                          .chain(
                              versionKeys ->
                                  keys.compute(
                                      () -> {
                                        List<byte[]> opened = new ArrayList<>(items.size());
                                        try {
                                          for (int i = 0; i < items.size(); i++) {
                                            opened.add(
                                                openItem(i, items.get(i), state, versionKeys));
                                          }
                                          return opened;
                                        } catch (RuntimeException e) {
                                          opened.forEach(bytes -> Arrays.fill(bytes, (byte) 0));
                                          throw e;
                                        }
                                      })));
        });
  }

  @Override
  public Uni<List<String>> rewrapBatch(List<Sealed> items) {
    return deferred(
        () -> {
          checkBatch(items);
          for (Sealed item : items) {
            DerivationContext.encode(item.context());
          }
          if (items.isEmpty()) {
            return Uni.createFrom().item(List.of());
          }
          return keys.state(keyName)
              .chain(
                  state -> {
                    Set<Integer> wanted = inRangeVersions(items, state);
                    wanted.add(state.latestVersion());
                    return versionKeys(wanted)
                        .chain(
                            versionKeys ->
                                keys.compute(
                                    () -> {
                                      List<String> resealed = new ArrayList<>(items.size());
                                      for (int i = 0; i < items.size(); i++) {
                                        Sealed item = items.get(i);
                                        byte[] plaintext = openItem(i, item, state, versionKeys);
                                        try {
                                          resealed.add(
                                              seal(
                                                  state.latestVersion(),
                                                  versionKeys,
                                                  item.context(),
                                                  plaintext));
                                        } finally {
                                          Arrays.fill(plaintext, (byte) 0);
                                        }
                                      }
                                      return resealed;
                                    }));
                  });
        });
  }

  @Override
  public Uni<TransitKeyInfo> rotate() {
    return keys.rotate(keyName);
  }

  @Override
  public Uni<TransitKeyInfo> keyInfo() {
    return keys.state(keyName)
        .map(state -> new TransitKeyInfo(state.latestVersion(), state.minDecryptionVersion()));
  }

  @Override
  public Uni<TransitKeyInfo> raiseMinDecryptionVersion(int version) {
    return keys.raiseMinDecryptionVersion(keyName, version);
  }

  private static <T> Uni<T> deferred(Supplier<Uni<? extends T>> call) {
    return Uni.createFrom().deferred(call);
  }

  static void checkArguments(String context, byte[] plaintext) {
    DerivationContext.encode(context);
    if (plaintext == null || plaintext.length == 0) {
      throw new IllegalArgumentException("plaintext must not be empty");
    }
    if (plaintext.length > MAX_PLAINTEXT_BYTES) {
      throw new IllegalArgumentException(
          "plaintext is longer than " + MAX_PLAINTEXT_BYTES + " bytes");
    }
  }

  static void checkBatch(List<?> items) {
    if (items.size() > MAX_BATCH_ITEMS) {
      throw new IllegalArgumentException(
          "a batch holds at most " + MAX_BATCH_ITEMS + " items; split the list");
    }
  }

  /** Refuses a version the key no longer decrypts or never had. */
  private static void checkVersion(LocalTransitKeys.KeyState state, int version) {
    if (version > state.latestVersion()) {
      throw new CiphertextRefusedException(CiphertextRefusedException.Reason.UNKNOWN_VERSION);
    }
    if (version < state.minDecryptionVersion()) {
      throw new CiphertextRefusedException(
          CiphertextRefusedException.Reason.BELOW_MIN_DECRYPTION_VERSION);
    }
  }

  private Uni<Map<Integer, byte[]>> versionKeys(Integer... versions) {
    return versionKeys(new TreeSet<>(Arrays.asList(versions)));
  }

  private Uni<Map<Integer, byte[]>> versionKeys(Set<Integer> versions) {
    return keys.versionKeys(keyName, versions);
  }

  /** Versions of the well-framed items the key can decrypt; refused items are found later. */
  private static Set<Integer> inRangeVersions(List<Sealed> items, LocalTransitKeys.KeyState state) {
    Set<Integer> versions = new TreeSet<>();
    for (Sealed item : items) {
      try {
        int version = CiphertextFormat.version(item.ciphertext());
        if (version >= state.minDecryptionVersion() && version <= state.latestVersion()) {
          versions.add(version);
        }
      } catch (CiphertextRefusedException e) {
        // refused in order, with its index, when the batch is decrypted
      }
    }
    return versions;
  }

  private byte[] openItem(
      int index, Sealed item, LocalTransitKeys.KeyState state, Map<Integer, byte[]> versionKeys) {
    try {
      checkVersion(state, CiphertextFormat.version(item.ciphertext()));
      return open(versionKeys, item.context(), item.ciphertext());
    } catch (CiphertextRefusedException e) {
      throw new BatchItemRefusedException(index, e.reason());
    }
  }

  private String seal(
      int version, Map<Integer, byte[]> versionKeys, String context, byte[] plaintext) {
    byte[] key = versionKeys.get(version);
    if (key == null) {
      throw new CustodyUnavailableException(
          "version " + version + " of transit key " + keyName + " has no stored key");
    }
    return keys.crypto().encrypt(keyName, version, key, context, plaintext);
  }

  private byte[] open(Map<Integer, byte[]> versionKeys, String context, String ciphertext) {
    int version = CiphertextFormat.version(ciphertext);
    return keys.crypto()
        .decrypt(keyName, version, versionKey(versionKeys, version), context, ciphertext);
  }

  private String reseal(
      int latest, Map<Integer, byte[]> versionKeys, String context, String ciphertext) {
    byte[] plaintext = open(versionKeys, context, ciphertext);
    try {
      return seal(latest, versionKeys, context, plaintext);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** A version the state admits has a row; if it has none the table is damaged: refuse it. */
  private static byte[] versionKey(Map<Integer, byte[]> versionKeys, int version) {
    byte[] key = versionKeys.get(version);
    if (key == null) {
      throw new CiphertextRefusedException(CiphertextRefusedException.Reason.UNKNOWN_VERSION);
    }
    return key;
  }
}
