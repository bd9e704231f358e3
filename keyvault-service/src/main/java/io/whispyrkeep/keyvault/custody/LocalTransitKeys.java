package io.whispyrkeep.keyvault.custody;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.whispyrkeep.platform.worker.BoundedWorkers;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The embedded engine's keys and machinery: the versions in {@code local_transit_key_version},
 * opened with the {@link MasterKeys} and kept open in memory (a version never changes once made);
 * the state of each key ({@code local_transit_key}: newest and minimum decryption version), kept in
 * memory and read again in the background every {@code state-refresh}; and the bounded crypto
 * threads. Database work runs in sessions of its own ({@link IsolatedContext}), never in a
 * caller's.
 *
 * <p>So an encrypt or decrypt reads nothing from the database: it never needs a second pooled
 * connection while its caller may hold one in a transaction (with every request doing so, the pool
 * would run dry with each waiting for another). The cost is staleness across replicas: the replica
 * that rotates or raises the minimum applies it at once; others within {@code state-refresh}
 * (default 2 s). Versions a refresh finds are opened before the new state is used. Beyond ten times
 * {@code state-refresh} without a successful read (database down), a call waits for a fresh read
 * and fails with {@link CustodyUnavailableException} if there is none.
 *
 * <p>Open version keys stay in memory for the life of the process. After restoring the database to
 * an earlier point in time, restart every replica before rotating again: a replica would otherwise
 * keep a version key the restored table no longer has, under the number a new rotation reuses.
 */
@ApplicationScoped
public class LocalTransitKeys {

  private static final Logger LOG = Logger.getLogger(LocalTransitKeys.class);

  /** A key's state as just read: its newest version and minimum decryption version. */
  record KeyState(int latestVersion, int minDecryptionVersion) {}

  private record VersionId(String keyName, int version) {}

  private record Snapshot(KeyState state, long readAtNanos) {}

  private final MasterKeys masterKeys;
  private final LocalTransitCrypto crypto;
  private final BoundedWorkers workers;
  private final IsolatedContext isolated;
  private final LocalTransitKeyRepository keys;
  private final LocalTransitKeyVersionRepository versions;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<VersionId, byte[]> openVersions = new ConcurrentHashMap<>();
  private final Map<String, Snapshot> states = new ConcurrentHashMap<>();
  private final Map<String, Uni<KeyState>> reads = new ConcurrentHashMap<>();
  private final long refreshNanos;

  @Inject
  LocalTransitKeys(
      CustodyConfig config,
      LocalTransitKeyRepository keys,
      LocalTransitKeyVersionRepository versions,
      Vertx vertx,
      Clock clock) {
    this(
        MasterKeys.load(
            config.local().masterKey(),
            config.local().masterKeyFile(),
            config.local().previousMasterKeys().orElse(List.of()),
            config.local().previousMasterKeyFiles().orElse(List.of())),
        config.local(),
        keys,
        versions,
        vertx,
        clock);
  }

  /** With master keys of the caller's choosing (master-key rotation tests). */
  LocalTransitKeys(
      MasterKeys masterKeys,
      CustodyConfig.Local local,
      LocalTransitKeyRepository keys,
      LocalTransitKeyVersionRepository versions,
      Vertx vertx,
      Clock clock) {
    this.masterKeys = masterKeys;
    this.crypto = new LocalTransitCrypto(local.derivedKeyCacheSize());
    this.workers =
        new BoundedWorkers(
            "transit-crypto",
            local.maxConcurrent(),
            local.queueCapacity(),
            () ->
                new CustodyUnavailableException(
                    "too many custody operations are waiting; retry shortly"));
    this.isolated = new IsolatedContext(vertx);
    this.keys = keys;
    this.versions = versions;
    this.clock = clock;
    this.refreshNanos = Math.max(1, local.stateRefresh().toNanos());
  }

  /** An engine over the key {@code keyName} (which {@link #ensureKey} creates). */
  public LocalTransitEngine engine(String keyName) {
    return new LocalTransitEngine(keyName, this);
  }

  /** The id of the master key that wraps new versions (a hash: safe to log). */
  String currentMasterKeyId() {
    return masterKeys.currentId();
  }

  LocalTransitCrypto crypto() {
    return crypto;
  }

  /** Runs crypto on the bounded crypto threads. */
  <T> Uni<T> compute(Supplier<T> task) {
    return workers.submit(task);
  }

  /**
   * The key's state: from memory while younger than {@code state-refresh}; from memory with a read
   * started in the background while younger than ten times that; else after a read. {@link
   * CustodyUnavailableException} if the key does not exist or cannot be read.
   */
  Uni<KeyState> state(String keyName) {
    Snapshot snapshot = states.get(keyName);
    if (snapshot != null) {
      long age = System.nanoTime() - snapshot.readAtNanos();
      if (age < refreshNanos) {
        return Uni.createFrom().item(snapshot.state());
      }
      if (age < 10 * refreshNanos) {
        read(keyName)
            .subscribe()
            .with(
                ignored -> {},
                failure ->
                    LOG.warnf(
                        "custody: refreshing transit key %s failed (%s); using the state read %d ms"
                            + " ago",
                        keyName, failure.getClass().getSimpleName(), age / 1_000_000));
        return Uni.createFrom().item(snapshot.state());
      }
    }
    return IsolatedContext.onCallersContext(read(keyName));
  }

  /**
   * The open version keys for {@code wanted}: versions the key's state admits, opened when that
   * state was read. A version with no stored row is absent from the result.
   */
  Uni<Map<Integer, byte[]>> versionKeys(String keyName, Collection<Integer> wanted) {
    Map<Integer, byte[]> found = new HashMap<>();
    for (int version : wanted) {
      byte[] key = openVersions.get(new VersionId(keyName, version));
      if (key != null) {
        found.put(version, key);
      }
    }
    if (found.size() == wanted.size()) {
      return Uni.createFrom().item(found);
    }
    return IsolatedContext.onCallersContext(
        loadVersions(keyName).map(ignored -> pick(keyName, wanted)));
  }

  /**
   * Reads the key's state, opens any of its versions not yet open, then publishes the state; one
   * read per key at a time, shared by every caller waiting for it.
   */
  private Uni<KeyState> read(String keyName) {
    AtomicReference<Uni<KeyState>> self = new AtomicReference<>();
    Uni<KeyState> read =
        store(() -> Panache.withSession(() -> keys.findById(keyName)))
            .map(
                key -> {
                  if (key == null) {
                    throw new CustodyUnavailableException(
                        "transit key " + keyName + " does not exist");
                  }
                  return new KeyState(key.latestVersion, key.minDecryptionVersion);
                })
            .call(
                state ->
                    openVersions.containsKey(new VersionId(keyName, state.latestVersion()))
                        ? Uni.createFrom().voidItem()
                        : loadVersions(keyName))
            .invoke(state -> publish(keyName, state))
            .onTermination()
            .invoke(() -> reads.remove(keyName, self.get()))
            .memoize()
            .indefinitely();
    self.set(read);
    Uni<KeyState> running = reads.putIfAbsent(keyName, read);
    return running != null ? running : read;
  }

  /** Loads the key's rows and opens (on the crypto threads) those not open yet. */
  private Uni<Void> loadVersions(String keyName) {
    return store(() -> Panache.withSession(() -> versions.versions(keyName)))
        .chain(rows -> compute(() -> open(keyName, rows)))
        .replaceWithVoid();
  }

  private Map<Integer, byte[]> pick(String keyName, Collection<Integer> wanted) {
    Map<Integer, byte[]> result = new HashMap<>();
    for (int version : wanted) {
      byte[] key = openVersions.get(new VersionId(keyName, version));
      if (key != null) {
        result.put(version, key);
      }
    }
    return result;
  }

  /** Creates the key at version 1 unless it exists (any replica may race; one creates it). */
  public Uni<Void> ensureKey(String keyName) {
    return store(
        () ->
            Panache.withTransaction(
                () ->
                    keys.insertIfAbsent(keyName, clock.instant())
                        .chain(
                            created ->
                                created ? addVersion(keyName, 1) : Uni.createFrom().voidItem())));
  }

  /** Adds a version under the key's row lock: concurrent rotations each add exactly one. */
  Uni<TransitKeyInfo> rotate(String keyName) {
    return store(
            () ->
                Panache.withTransaction(
                    () ->
                        keys.findForUpdate(keyName)
                            .chain(
                                key -> {
                                  if (key == null) {
                                    throw new CustodyUnavailableException(
                                        "transit key " + keyName + " does not exist");
                                  }
                                  int next = key.latestVersion + 1;
                                  return addVersion(keyName, next)
                                      .map(
                                          ignored -> {
                                            key.latestVersion = next;
                                            key.updatedAt = clock.instant();
                                            return key.info();
                                          });
                                })))
        .call(info -> loadVersions(keyName).invoke(() -> publish(keyName, info)));
  }

  /**
   * Raises the minimum decryption version to {@code version} under the key's row lock; never lowers
   * it. {@link IllegalArgumentException} below 1 or above the newest version.
   */
  Uni<TransitKeyInfo> raiseMinDecryptionVersion(String keyName, int version) {
    if (version < 1) {
      return Uni.createFrom()
          .failure(new IllegalArgumentException("minimum decryption version must be at least 1"));
    }
    return store(
            () ->
                Panache.withTransaction(
                    () ->
                        keys.findForUpdate(keyName)
                            .map(
                                key -> {
                                  if (key == null) {
                                    throw new CustodyUnavailableException(
                                        "transit key " + keyName + " does not exist");
                                  }
                                  if (version > key.latestVersion) {
                                    throw new IllegalArgumentException(
                                        "minimum decryption version "
                                            + version
                                            + " is above the newest version "
                                            + key.latestVersion);
                                  }
                                  if (version > key.minDecryptionVersion) {
                                    key.minDecryptionVersion = version;
                                    key.updatedAt = clock.instant();
                                  }
                                  return key.info();
                                })))
        .invoke(info -> publish(keyName, info));
  }

  /**
   * Makes {@code info} the key's state in memory unless a newer one is there: both versions only
   * ever grow in the table, so the larger state is the newer, whichever read finished last.
   */
  private void publish(String keyName, TransitKeyInfo info) {
    publish(keyName, new KeyState(info.latestVersion(), info.minDecryptionVersion()));
  }

  private void publish(String keyName, KeyState state) {
    Snapshot fresh = new Snapshot(state, System.nanoTime());
    states.merge(
        keyName,
        fresh,
        (old, read) -> {
          KeyState newer =
              read.state().latestVersion() >= old.state().latestVersion()
                      && read.state().minDecryptionVersion() >= old.state().minDecryptionVersion()
                  ? read.state()
                  : new KeyState(
                      Math.max(read.state().latestVersion(), old.state().latestVersion()),
                      Math.max(
                          read.state().minDecryptionVersion(), old.state().minDecryptionVersion()));
          return new Snapshot(newer, Math.max(old.readAtNanos(), read.readAtNanos()));
        });
  }

  /**
   * Re-wraps every version of {@code keyName} still wrapped under a retired master key under the
   * current one, row-locked; ciphertexts are untouched. Returns how many were re-wrapped; {@link
   * CustodyUnavailableException} if a version's master key is not configured.
   */
  Uni<Integer> rewrapRetiredWraps(String keyName) {
    String current = masterKeys.currentId();
    return store(
        () ->
            Panache.withTransaction(
                () ->
                    versions
                        .wrappedUnderOtherThanForUpdate(keyName, current)
                        .chain(
                            rows ->
                                rows.isEmpty()
                                    ? Uni.createFrom().item(0)
                                    : compute(() -> rewrap(rows)).map(ignored -> rows.size()))));
  }

  /**
   * Start-up of the embedded engine: creates {@code keyName} if missing, then re-wraps the versions
   * of every key still wrapped under a retired master key. Fails (and so stops start-up) when a
   * version's master key is not configured.
   */
  public Uni<Integer> prepare(String keyName) {
    return ensureKey(keyName)
        .chain(() -> store(() -> Panache.withSession(keys::names)))
        .chain(
            names -> {
              Uni<Integer> total = Uni.createFrom().item(0);
              for (String name : names) {
                total = total.chain(sum -> rewrapRetiredWraps(name).map(count -> sum + count));
              }
              return total;
            })
        .call(() -> read(keyName))
        .invoke(
            rewrapped ->
                LOG.infof(
                    "custody: local transit engine ready (key %s, master key %s, %d key versions"
                        + " re-wrapped from retired master keys)",
                    keyName, masterKeys.currentId(), rewrapped));
  }

  /**
   * Database work in a session of its own; a database failure (unreachable, pool exhausted) is
   * {@link CustodyUnavailableException}, what the engine itself decided passes through.
   */
  private <T> Uni<T> store(Supplier<Uni<T>> work) {
    return isolated
        .run(work)
        .onFailure(
            failure ->
                !(failure instanceof CustodyUnavailableException
                    || failure instanceof IllegalArgumentException
                    || failure instanceof CiphertextRefusedException))
        .transform(
            failure ->
                new CustodyUnavailableException("the transit key store is unavailable", failure));
  }

  @PreDestroy
  void shutdown() {
    workers.shutdown();
  }

  /** Generates, wraps (on the crypto threads) and stores version {@code version}. */
  private Uni<Void> addVersion(String keyName, int version) {
    return compute(
            () -> {
              byte[] fresh = new byte[LocalTransitCrypto.KEY_BYTES];
              random.nextBytes(fresh);
              MasterKeys.Wrapped wrapped = masterKeys.wrap(keyName, version, fresh);
              Arrays.fill(fresh, (byte) 0);
              return wrapped;
            })
        .chain(
            wrapped -> {
              LocalTransitKeyVersion row = new LocalTransitKeyVersion();
              row.keyName = keyName;
              row.version = version;
              row.wrappedKey = wrapped.bytes();
              row.kekId = wrapped.kekId();
              row.createdAt = clock.instant();
              return versions.persist(row).replaceWithVoid();
            });
  }

  /** Opens the rows not yet in memory. */
  private Void open(String keyName, List<LocalTransitKeyVersion> rows) {
    for (LocalTransitKeyVersion row : rows) {
      openVersions.computeIfAbsent(
          new VersionId(keyName, row.version),
          id -> masterKeys.unwrap(keyName, row.version, row.wrapped()));
    }
    return null;
  }

  /** Re-wraps rows under the current master key (the caller's transaction writes them). */
  private Void rewrap(List<LocalTransitKeyVersion> rows) {
    List<byte[]> opened = new ArrayList<>();
    try {
      for (LocalTransitKeyVersion row : rows) {
        byte[] key = masterKeys.unwrap(row.keyName, row.version, row.wrapped());
        opened.add(key);
        MasterKeys.Wrapped wrapped = masterKeys.wrap(row.keyName, row.version, key);
        row.wrappedKey = wrapped.bytes();
        row.kekId = wrapped.kekId();
      }
      return null;
    } finally {
      opened.forEach(key -> Arrays.fill(key, (byte) 0));
    }
  }
}
