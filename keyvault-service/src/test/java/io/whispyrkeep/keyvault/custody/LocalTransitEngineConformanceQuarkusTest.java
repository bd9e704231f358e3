package io.whispyrkeep.keyvault.custody;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.whispyrkeep.testsupport.quarkus.JwtTestResource;
import io.whispyrkeep.testsupport.quarkus.KafkaTestResource;
import io.whispyrkeep.testsupport.quarkus.OfflineNarratorTestResource;
import io.whispyrkeep.testsupport.quarkus.PostgresTestResource;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The embedded engine inside the running service, against real PostgreSQL: the conformance suite,
 * plus what only the embedded engine has (its table, its master keys). Same resources as {@code
 * KeyvaultServiceQuarkusTest}, so both run in one application start.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(
    value = OfflineNarratorTestResource.class,
    scope = TestResourceScope.MATCHING_RESOURCES)
class LocalTransitEngineConformanceQuarkusTest extends TransitEngineConformance {

  private static final SecureRandom RANDOM = new SecureRandom();

  @Inject LocalTransitKeys keys;
  @Inject TransitEngine applicationEngine;
  @Inject CustodyConfig config;
  @Inject LocalTransitKeyRepository keyRows;
  @Inject LocalTransitKeyVersionRepository versionRows;
  @Inject Vertx vertx;
  @Inject Clock clock;

  @Override
  protected TransitEngine newKey() {
    return newKey(keys);
  }

  private static TransitEngine newKey(LocalTransitKeys keys) {
    String name = "conformance-" + UUID.randomUUID();
    await(keys.ensureKey(name));
    return keys.engine(name);
  }

  @Test
  void application_localEngineByDefault_keyPreparedAndVaultNeverConfigured() {
    assertThat(config.engine()).isEqualTo(CustodyConfig.Engine.LOCAL);
    assertThat(ConfigProvider.getConfig().getOptionalValue("quarkus.vault.url", String.class))
        .isEmpty();
    String user = user();

    String made = await(applicationEngine.encrypt(user, bytes("sk-live")));

    assertThat(await(applicationEngine.keyInfo()).latestVersion()).isGreaterThanOrEqualTo(1);
    assertThat(await(applicationEngine.decrypt(user, made))).isEqualTo(bytes("sk-live"));
    assertThat(rows(config.keyName())).allMatch(row -> row.kekId.equals(keys.currentMasterKeyId()));
  }

  @Test
  void rotate_concurrentCalls_oneRowPerVersionNoDuplicates() {
    TransitEngine engine = newKey();
    List<Uni<TransitKeyInfo>> rotations = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      rotations.add(engine.rotate());
    }

    List<TransitKeyInfo> infos = await(Uni.join().all(rotations).andFailFast());

    assertThat(infos).extracting(TransitKeyInfo::latestVersion).doesNotHaveDuplicates();
    assertThat(await(engine.keyInfo()).latestVersion()).isEqualTo(9);
  }

  @Test
  void masterKeyRotation_versionsRewrappedUnderNewKey_everyCiphertextStillDecrypts() {
    byte[] oldKek = randomKey();
    byte[] newKek = randomKey();
    String name = "kek-rotation-" + UUID.randomUUID();
    LocalTransitKeys underOld = keysWith(MasterKeys.of(copy(oldKek), List.of()));
    String user = user();
    List<String> made = new ArrayList<>();
    try {
      await(underOld.ensureKey(name));
      TransitEngine engine = underOld.engine(name);
      made.add(await(engine.encrypt(user, bytes("made under v1"))));
      await(engine.rotate());
      made.add(await(engine.encrypt(user, bytes("made under v2"))));
    } finally {
      underOld.shutdown();
    }
    String oldId = MasterKeys.idOf(oldKek);
    String newId = MasterKeys.idOf(newKek);
    Map<Integer, byte[]> wrapsBefore = wraps(name);
    assertThat(rows(name)).extracting(row -> row.kekId).containsOnly(oldId);

    LocalTransitKeys rotated = keysWith(MasterKeys.of(copy(newKek), List.of(copy(oldKek))));
    LocalTransitKeys newOnly = keysWith(MasterKeys.of(copy(newKek), List.of()));
    LocalTransitKeys oldOnly = keysWith(MasterKeys.of(copy(oldKek), List.of()));
    try {
      assertThat(await(rotated.rewrapRetiredWraps(name))).isEqualTo(2);
      assertThat(await(rotated.rewrapRetiredWraps(name))).isZero();

      assertThat(rows(name)).extracting(row -> row.kekId).containsOnly(newId);
      wraps(name)
          .forEach((version, wrap) -> assertThat(wrap).isNotEqualTo(wrapsBefore.get(version)));
      assertThat(await(newOnly.engine(name).decrypt(user, made.get(0))))
          .isEqualTo(bytes("made under v1"));
      assertThat(await(newOnly.engine(name).decrypt(user, made.get(1))))
          .isEqualTo(bytes("made under v2"));
      assertThat(catchFailure(oldOnly.engine(name).decrypt(user, made.get(0))))
          .isInstanceOf(CustodyUnavailableException.class)
          .hasMessageContaining(newId)
          .hasMessageNotContaining(user);
    } finally {
      rotated.shutdown();
      newOnly.shutdown();
      oldOnly.shutdown();
    }
  }

  @Test
  void versionRow_wrapMovedOntoAnotherVersion_doesNotOpen() {
    String name = "wrap-binding-" + UUID.randomUUID();
    await(keys.ensureKey(name));
    TransitEngine engine = keys.engine(name);
    await(engine.rotate());
    String user = user();
    String v2 = await(engine.encrypt(user, bytes("secret")));

    inTransaction(
        () ->
            Panache.getSession()
                .chain(
                    session ->
                        session
                            .createNativeQuery(
                                "UPDATE local_transit_key_version SET wrapped_key ="
                                    + " (SELECT wrapped_key FROM local_transit_key_version"
                                    + " WHERE key_name = :name AND version = 1)"
                                    + " WHERE key_name = :name AND version = 2")
                            .setParameter("name", name)
                            .executeUpdate()));
    LocalTransitKeys fresh = keysWith(MasterKeys.of(currentKek(), List.of()));
    try {
      assertThat(catchFailure(fresh.engine(name).decrypt(user, v2)))
          .isInstanceOf(CustodyUnavailableException.class)
          .hasMessageContaining("does not open");
    } finally {
      fresh.shutdown();
    }
  }

  @Test
  void keyState_changedOnOneReplica_heldAtOnceThereAndOnTheOtherWithinItsRefresh() {
    String name = "replicas-" + UUID.randomUUID();
    await(keys.ensureKey(name));
    LocalTransitKeys otherReplica = keysWith(MasterKeys.of(currentKek(), List.of()));
    try {
      TransitEngine here = keys.engine(name);
      TransitEngine there = otherReplica.engine(name);
      String user = user();
      String v1 = await(there.encrypt(user, bytes("old")));

      await(here.rotate());
      await(here.raiseMinDecryptionVersion(2));

      assertThat(refusal(here.decrypt(user, v1)))
          .isEqualTo(CiphertextRefusedException.Reason.BELOW_MIN_DECRYPTION_VERSION);
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                assertThat(refusal(there.decrypt(user, v1)))
                    .isEqualTo(CiphertextRefusedException.Reason.BELOW_MIN_DECRYPTION_VERSION);
                assertThat(TransitEngine.versionOf(await(there.encrypt(user, bytes("new")))))
                    .isEqualTo(2);
              });
    } finally {
      otherReplica.shutdown();
    }
  }

  private LocalTransitKeys keysWith(MasterKeys masterKeys) {
    return new LocalTransitKeys(masterKeys, config.local(), keyRows, versionRows, vertx, clock);
  }

  /** The configured test master key, decoded again (MasterKeys clears what it is given). */
  private byte[] currentKek() {
    String base64 = config.local().masterKey().orElseThrow();
    return java.util.Base64.getDecoder().decode(base64);
  }

  private List<LocalTransitKeyVersion> rows(String name) {
    return inSession(() -> versionRows.versions(name));
  }

  private Map<Integer, byte[]> wraps(String name) {
    Map<Integer, byte[]> wraps = new java.util.HashMap<>();
    rows(name).forEach(row -> wraps.put(row.version, row.wrappedKey));
    return wraps;
  }

  private static <T> T inSession(Supplier<Uni<T>> work) {
    try {
      return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(work));
    } catch (Throwable e) {
      throw new AssertionError(e);
    }
  }

  private static <T> T inTransaction(Supplier<Uni<T>> work) {
    try {
      return VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(work));
    } catch (Throwable e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] randomKey() {
    byte[] key = new byte[MasterKeys.KEY_BYTES];
    RANDOM.nextBytes(key);
    return key;
  }

  private static byte[] copy(byte[] key) {
    return Arrays.copyOf(key, key.length);
  }
}
