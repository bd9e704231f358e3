package io.whispyrkeep.keyvault.custody;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.arc.Arc;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.whispyrkeep.keyvault.custody.CiphertextRefusedException.Reason;
import io.whispyrkeep.keyvault.custody.TransitEngine.Plaintext;
import io.whispyrkeep.keyvault.custody.TransitEngine.Sealed;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The semantics every {@link TransitEngine} keeps, Vault's transit semantics: run against the
 * embedded engine, against {@link VaultTransitEngine} through quarkus-vault's client, and against a
 * live Vault where one is reachable. Every test works on a key of its own ({@link #newKey()}), so
 * rotations and minimum versions never touch another test or the application's key.
 */
abstract class TransitEngineConformance {

  /** Long enough for a loaded 2-core machine; never a measure of speed. */
  static final Duration AWAIT = Duration.ofSeconds(60);

  /** An engine over a transit key made for the calling test alone, at version 1. */
  protected abstract TransitEngine newKey();

  static <T> T await(Uni<T> uni) {
    return uni.await().atMost(AWAIT);
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String user() {
    return UUID.randomUUID().toString();
  }

  static Reason refusal(Uni<?> call) {
    Throwable failure = catchFailure(call);
    assertThat(failure).isInstanceOf(CiphertextRefusedException.class);
    return ((CiphertextRefusedException) failure).reason();
  }

  static Throwable catchFailure(Uni<?> call) {
    try {
      await(call);
    } catch (CompletionException e) {
      return e.getCause();
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected the call to fail");
  }

  /** The ciphertext with one base64 character of its body (not the last four) changed. */
  static String flipBodyCharacter(String ciphertext) {
    int bodyStart = ciphertext.indexOf(':', CiphertextFormat.PREFIX.length()) + 1;
    int at = bodyStart + (ciphertext.length() - bodyStart) / 2;
    char c = ciphertext.charAt(at);
    char flipped = c == 'A' ? 'B' : 'A';
    return ciphertext.substring(0, at) + flipped + ciphertext.substring(at + 1);
  }

  static String relabel(String ciphertext, int version) {
    return CiphertextFormat.frame(version, CiphertextFormat.body(ciphertext));
  }

  @Test
  void encrypt_thenDecrypt_returnsPlaintextUnderVersion1() {
    TransitEngine engine = newKey();
    String user = user();

    String made = await(engine.encrypt(user, bytes("sk-provider-key-1")));

    assertThat(made).startsWith("vault:v1:");
    assertThat(TransitEngine.versionOf(made)).isEqualTo(1);
    assertThat(await(engine.decrypt(user, made))).isEqualTo(bytes("sk-provider-key-1"));
    assertThat(await(engine.keyInfo())).isEqualTo(new TransitKeyInfo(1, 1));
  }

  @Test
  void encrypt_samePlaintextTwice_differentCiphertexts() {
    TransitEngine engine = newKey();
    String user = user();

    String first = await(engine.encrypt(user, bytes("same")));
    String second = await(engine.encrypt(user, bytes("same")));

    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void decrypt_otherUsersContext_refusedAuthenticationFailed() {
    TransitEngine engine = newKey();
    String made = await(engine.encrypt(user(), bytes("alice's key")));

    assertThat(refusal(engine.decrypt(user(), made))).isEqualTo(Reason.AUTHENTICATION_FAILED);
  }

  @Test
  void decrypt_byteFlippedInBody_refusedAuthenticationFailed() {
    TransitEngine engine = newKey();
    String user = user();
    String made = await(engine.encrypt(user, bytes("a provider key of some length")));

    assertThat(refusal(engine.decrypt(user, flipBodyCharacter(made))))
        .isEqualTo(Reason.AUTHENTICATION_FAILED);
  }

  @Test
  void decrypt_versionRelabelled_refused() {
    TransitEngine engine = newKey();
    String user = user();
    String v1 = await(engine.encrypt(user, bytes("key")));
    await(engine.rotate());

    assertThat(refusal(engine.decrypt(user, relabel(v1, 2))))
        .isEqualTo(Reason.AUTHENTICATION_FAILED);
    assertThat(refusal(engine.decrypt(user, relabel(v1, 9)))).isEqualTo(Reason.UNKNOWN_VERSION);
  }

  @Test
  void decrypt_malformedFrames_refusedMalformed() {
    TransitEngine engine = newKey();
    String user = user();
    String made = await(engine.encrypt(user, bytes("key")));
    String body = CiphertextFormat.body(made);

    for (String malformed :
        List.of(
            "not-a-ciphertext",
            "vault:v:" + body,
            "vault:vx:" + body,
            "vault:v0:" + body,
            "vault:v01:" + body,
            "vault:v1:",
            "vault:v1:%%%%",
            "vault:v1:" + body.substring(0, body.length() - 1),
            "vault:v1:AAAA")) {
      assertThat(refusal(engine.decrypt(user, malformed)))
          .as(malformed)
          .isEqualTo(Reason.MALFORMED);
    }
  }

  @Test
  void rotate_oldVersionsStillDecrypt_newOnesUseNewest() {
    TransitEngine engine = newKey();
    String user = user();
    String v1 = await(engine.encrypt(user, bytes("first")));

    assertThat(await(engine.rotate())).isEqualTo(new TransitKeyInfo(2, 1));
    String v2 = await(engine.encrypt(user, bytes("second")));

    assertThat(TransitEngine.versionOf(v2)).isEqualTo(2);
    assertThat(await(engine.decrypt(user, v1))).isEqualTo(bytes("first"));
    assertThat(await(engine.decrypt(user, v2))).isEqualTo(bytes("second"));
  }

  @Test
  void rewrap_movesToNewestVersion_plaintextUnchanged() {
    TransitEngine engine = newKey();
    String user = user();
    String v1 = await(engine.encrypt(user, bytes("keep me")));
    await(engine.rotate());
    await(engine.rotate());

    String rewrapped = await(engine.rewrap(user, v1));

    assertThat(TransitEngine.versionOf(rewrapped)).isEqualTo(3);
    assertThat(await(engine.decrypt(user, rewrapped))).isEqualTo(bytes("keep me"));
  }

  @Test
  void rewrap_otherUsersContext_refusedAndNothingMade() {
    TransitEngine engine = newKey();
    String made = await(engine.encrypt(user(), bytes("alice's key")));
    await(engine.rotate());

    assertThat(refusal(engine.rewrap(user(), made))).isEqualTo(Reason.AUTHENTICATION_FAILED);
  }

  @Test
  void raiseMinDecryptionVersion_olderRefusedEverywhere_newerStillDecrypt() {
    TransitEngine engine = newKey();
    String user = user();
    String v1 = await(engine.encrypt(user, bytes("old")));
    await(engine.rotate());
    String v2 = await(engine.encrypt(user, bytes("new")));

    assertThat(await(engine.raiseMinDecryptionVersion(2))).isEqualTo(new TransitKeyInfo(2, 2));

    assertThat(refusal(engine.decrypt(user, v1))).isEqualTo(Reason.BELOW_MIN_DECRYPTION_VERSION);
    assertThat(refusal(engine.rewrap(user, v1))).isEqualTo(Reason.BELOW_MIN_DECRYPTION_VERSION);
    Throwable batch =
        catchFailure(engine.decryptBatch(List.of(new Sealed(user, v2), new Sealed(user, v1))));
    assertThat(batch).isInstanceOf(BatchItemRefusedException.class);
    assertThat(((BatchItemRefusedException) batch).index()).isEqualTo(1);
    assertThat(((BatchItemRefusedException) batch).reason())
        .isEqualTo(Reason.BELOW_MIN_DECRYPTION_VERSION);
    Throwable rewrapBatch = catchFailure(engine.rewrapBatch(List.of(new Sealed(user, v1))));
    assertThat(((BatchItemRefusedException) rewrapBatch).reason())
        .isEqualTo(Reason.BELOW_MIN_DECRYPTION_VERSION);
    assertThat(await(engine.decrypt(user, v2))).isEqualTo(bytes("new"));
  }

  @Test
  void raiseMinDecryptionVersion_aboveNewest_refusedAndLower_neverLowers() {
    TransitEngine engine = newKey();
    await(engine.rotate());
    await(engine.rotate());

    assertThatThrownBy(() -> await(engine.raiseMinDecryptionVersion(4)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> await(engine.raiseMinDecryptionVersion(0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(await(engine.raiseMinDecryptionVersion(3))).isEqualTo(new TransitKeyInfo(3, 3));
    assertThat(await(engine.raiseMinDecryptionVersion(2))).isEqualTo(new TransitKeyInfo(3, 3));
    assertThat(await(engine.keyInfo())).isEqualTo(new TransitKeyInfo(3, 3));
  }

  @Test
  void batches_encryptDecryptRewrap_keepOrder() {
    TransitEngine engine = newKey();
    List<Plaintext> plaintexts = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      plaintexts.add(new Plaintext(user(), bytes("provider-key-" + i + "-" + "x".repeat(i))));
    }

    List<String> made = await(engine.encryptBatch(plaintexts));
    await(engine.rotate());
    List<Sealed> items = new ArrayList<>();
    for (int i = 0; i < made.size(); i++) {
      items.add(new Sealed(plaintexts.get(i).context(), made.get(i)));
    }
    List<String> rewrapped = await(engine.rewrapBatch(items));
    List<Sealed> rewrappedItems = new ArrayList<>();
    for (int i = 0; i < rewrapped.size(); i++) {
      rewrappedItems.add(new Sealed(plaintexts.get(i).context(), rewrapped.get(i)));
    }
    List<byte[]> opened = await(engine.decryptBatch(rewrappedItems));

    assertThat(made).hasSize(25).allMatch(text -> text.startsWith("vault:v1:"));
    assertThat(rewrapped).hasSize(25).allMatch(text -> text.startsWith("vault:v2:"));
    for (int i = 0; i < 25; i++) {
      assertThat(opened.get(i)).isEqualTo(plaintexts.get(i).bytes());
      assertThat(await(engine.decrypt(plaintexts.get(i).context(), made.get(i))))
          .isEqualTo(plaintexts.get(i).bytes());
    }
  }

  @Test
  void batches_oneBadItem_wholeBatchRefusedNamingFirstBadIndex() {
    TransitEngine engine = newKey();
    String alice = user();
    String bob = user();
    String good = await(engine.encrypt(alice, bytes("alice")));
    String bobs = await(engine.encrypt(bob, bytes("bob")));

    List<Sealed> items =
        List.of(
            new Sealed(alice, good),
            new Sealed(alice, bobs),
            new Sealed(alice, "vault:v1:%%%%"),
            new Sealed(alice, good));
    Throwable decrypt = catchFailure(engine.decryptBatch(items));
    Throwable rewrap = catchFailure(engine.rewrapBatch(items));
    List<Sealed> malformedFirst =
        List.of(new Sealed(alice, good), new Sealed(alice, "junk"), new Sealed(alice, bobs));
    Throwable malformed = catchFailure(engine.decryptBatch(malformedFirst));

    assertThat(decrypt).isInstanceOf(BatchItemRefusedException.class);
    assertThat(((BatchItemRefusedException) decrypt).index()).isEqualTo(1);
    assertThat(((BatchItemRefusedException) decrypt).reason())
        .isEqualTo(Reason.AUTHENTICATION_FAILED);
    assertThat(rewrap).isInstanceOf(BatchItemRefusedException.class);
    assertThat(((BatchItemRefusedException) rewrap).index()).isEqualTo(1);
    assertThat(((BatchItemRefusedException) malformed).index()).isEqualTo(1);
    assertThat(((BatchItemRefusedException) malformed).reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void batches_empty_emptyResults() {
    TransitEngine engine = newKey();

    assertThat(await(engine.encryptBatch(List.of()))).isEmpty();
    assertThat(await(engine.decryptBatch(List.of()))).isEmpty();
    assertThat(await(engine.rewrapBatch(List.of()))).isEmpty();
  }

  @Test
  void encrypt_invalidContextOrPlaintext_refusedAsArguments() {
    TransitEngine engine = newKey();

    assertThatThrownBy(() -> await(engine.encrypt("", bytes("x"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> await(engine.encrypt("\uD800", bytes("x"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> await(engine.encrypt(user(), new byte[0])))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> await(engine.decrypt("\uDC00", "vault:v1:AAAA")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> await(engine.encrypt(user(), new byte[TransitEngine.MAX_PLAINTEXT_BYTES + 1])))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void batches_overTheLimit_refusedAsArguments() {
    TransitEngine engine = newKey();
    List<Plaintext> plaintexts = new ArrayList<>();
    List<Sealed> items = new ArrayList<>();
    for (int i = 0; i <= TransitEngine.MAX_BATCH_ITEMS; i++) {
      plaintexts.add(new Plaintext(user(), bytes("k")));
      items.add(new Sealed(user(), "vault:v1:AAAA"));
    }

    assertThatThrownBy(() -> await(engine.encryptBatch(plaintexts)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> await(engine.decryptBatch(items)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> await(engine.rewrapBatch(items)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Calls made at once by the concurrency test. */
  protected int concurrentCalls() {
    return 200;
  }

  @Test
  void concurrently_200EncryptDecryptWithRotations_allRoundTripAndEachRotationAddsOneVersion() {
    TransitEngine engine = newKey();
    List<Uni<Boolean>> calls = new ArrayList<>();
    int rotations = 0;
    for (int i = 0; i < concurrentCalls(); i++) {
      String user = user();
      byte[] plaintext = bytes("key-of-" + user);
      calls.add(
          engine
              .encrypt(user, plaintext)
              .chain(made -> engine.decrypt(user, made))
              .map(opened -> java.util.Arrays.equals(opened, plaintext)));
      if (i % 50 == 25) {
        calls.add(engine.rotate().map(info -> true));
        rotations++;
      }
    }

    List<Boolean> results = await(Uni.join().all(calls).andFailFast());

    assertThat(results).hasSize(concurrentCalls() + rotations).containsOnly(true);
    assertThat(await(engine.keyInfo()).latestVersion()).isEqualTo(1 + rotations);
  }

  @Test
  void calls_fromManyVertxContexts_eachAnsweredOnItsOwnContext() throws Exception {
    // Hibernate Reactive needs a caller to resume on its own context, also when concurrent first
    // calls share one read of the key.
    TransitEngine engine = newKey();
    Vertx vertx = Arc.container().instance(Vertx.class).get();
    List<CompletableFuture<Boolean>> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
      CompletableFuture<Boolean> answer = new CompletableFuture<>();
      answers.add(answer);
      String user = user();
      context.runOnContext(
          ignored ->
              engine
                  .encrypt(user, bytes("k"))
                  .chain(
                      made -> {
                        boolean encryptedHere = Vertx.currentContext() == context;
                        return engine
                            .decrypt(user, made)
                            .map(opened -> encryptedHere && Vertx.currentContext() == context);
                      })
                  .subscribe()
                  .with(answer::complete, answer::completeExceptionally));
    }

    for (CompletableFuture<Boolean> answer : answers) {
      assertThat(answer.get(AWAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void calls_awaitedOnAWorkerThreadOfARequestContext_answered() throws Exception {
    // A blocking caller (a @Blocking endpoint) waits on its own thread; delivery must not need it.
    TransitEngine engine = newKey();
    Vertx vertx = Arc.container().instance(Vertx.class).get();
    Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
    String user = user();

    byte[] opened =
        context
            .executeBlocking(
                () -> {
                  String made = await(engine.encrypt(user, bytes("blocking caller")));
                  return await(engine.decrypt(user, made));
                })
            .toCompletionStage()
            .toCompletableFuture()
            .get(AWAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(opened).isEqualTo(bytes("blocking caller"));
  }

  @Test
  void ciphertext_bodyIsNonceCiphertextTag() {
    TransitEngine engine = newKey();
    byte[] plaintext = bytes("exactly-24-bytes-of-text");

    String made = await(engine.encrypt(user(), plaintext));

    assertThat(Base64.getDecoder().decode(CiphertextFormat.body(made)))
        .hasSize(12 + plaintext.length + 16);
  }
}
