package io.whispyrkeep.keyvault.custody;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whispyrkeep.keyvault.custody.CiphertextRefusedException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The embedded engine's cryptography alone: derivation, nonces, associated data, framing. */
class LocalTransitCryptoTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final String KEY = "whispyrkeep-llm-keys";

  private final LocalTransitCrypto crypto = new LocalTransitCrypto(100);
  private final byte[] versionKey = random(32);

  @Test
  void hkdfSha256_rfc5869TestCase1_expectedOkm() {
    byte[] ikm = HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    byte[] salt = HEX.parseHex("000102030405060708090a0b0c");
    byte[] info = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9");

    byte[] okm = LocalTransitCrypto.hkdfSha256(ikm, salt, info, 42);

    assertThat(HEX.formatHex(okm))
        .isEqualTo(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }

  @Test
  void encrypt_thenDecrypt_roundTripsInVaultFrame() {
    String made = crypto.encrypt(KEY, 3, versionKey, "user-1", utf8("sk-abc"));

    assertThat(made).startsWith("vault:v3:");
    assertThat(crypto.decrypt(KEY, 3, versionKey, "user-1", made)).isEqualTo(utf8("sk-abc"));
  }

  @Test
  void nonces_tenThousandEncryptions_allDistinctAndTwelveBytes() {
    Set<String> nonces = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      byte[] body =
          Base64.getDecoder()
              .decode(CiphertextFormat.body(crypto.encrypt(KEY, 1, versionKey, "u", utf8("same"))));
      assertThat(body).hasSize(12 + 4 + 16);
      nonces.add(HEX.formatHex(body, 0, 12));
    }

    assertThat(nonces).hasSize(10_000);
  }

  @Test
  void associatedData_versionRelabelledWithTheSameVersionKey_refused() {
    // The derived key does not depend on the version number, only on the version's key: here the
    // same key stands for both versions, so only the version bound in the associated data refuses.
    String made = crypto.encrypt(KEY, 1, versionKey, "user-1", utf8("sk"));
    String relabelled = CiphertextFormat.frame(2, CiphertextFormat.body(made));

    assertThatThrownBy(() -> crypto.decrypt(KEY, 2, versionKey, "user-1", relabelled))
        .isInstanceOfSatisfying(
            CiphertextRefusedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_FAILED));
  }

  @Test
  void decrypt_otherKeyNameOrContext_refused() {
    String made = crypto.encrypt(KEY, 1, versionKey, "user-1", utf8("sk"));

    assertThat(reason(() -> crypto.decrypt("other-key", 1, versionKey, "user-1", made)))
        .isEqualTo(Reason.AUTHENTICATION_FAILED);
    assertThat(reason(() -> crypto.decrypt(KEY, 1, versionKey, "user-1 ", made)))
        .isEqualTo(Reason.AUTHENTICATION_FAILED);
    assertThat(reason(() -> crypto.decrypt(KEY, 1, versionKey, "user-", made)))
        .isEqualTo(Reason.AUTHENTICATION_FAILED);
  }

  @Test
  void context_unpairedSurrogatesEmptyOrTooLong_refusedNotConflated() {
    // Lenient UTF-8 would encode both as "?", giving two users one derived key.
    assertThatThrownBy(() -> crypto.encrypt(KEY, 1, versionKey, "a\uD800", utf8("x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> crypto.encrypt(KEY, 1, versionKey, "a\uDC00", utf8("x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> crypto.encrypt(KEY, 1, versionKey, "", utf8("x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> crypto.encrypt(KEY, 1, versionKey, "x".repeat(257), utf8("x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(crypto.encrypt(KEY, 1, versionKey, "\uD83D\uDE00", utf8("x"))).startsWith("vault:");
  }

  @Test
  void body_nonCanonicalOrUnpaddedBase64_refusedMalformed() {
    String made = crypto.encrypt(KEY, 1, versionKey, "u", utf8("abc")); // 31 bytes: "==" padding
    String body = CiphertextFormat.body(made);
    assertThat(body).endsWith("==");
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int last = body.length() - 3;
    int index = alphabet.indexOf(body.charAt(last));
    char sameBytes = alphabet.charAt((index & 0x30) | ((index + 1) & 0x0F));
    String trailingBits = body.substring(0, last) + sameBytes + "==";

    assertThat(reason(() -> crypto.decrypt(KEY, 1, versionKey, "u", "vault:v1:" + trailingBits)))
        .isEqualTo(Reason.MALFORMED);
    assertThat(
            reason(
                () ->
                    crypto.decrypt(
                        KEY,
                        1,
                        versionKey,
                        "u",
                        "vault:v1:" + body.substring(0, body.length() - 2))))
        .isEqualTo(Reason.MALFORMED);
  }

  @Test
  void body_shorterThanNonce_malformed_shorterThanTag_authenticationFailed() {
    assertThat(reason(() -> crypto.decrypt(KEY, 1, versionKey, "u", "vault:v1:AAAA")))
        .isEqualTo(Reason.MALFORMED);
    String sixteenBytes = Base64.getEncoder().encodeToString(new byte[16]);
    assertThat(reason(() -> crypto.decrypt(KEY, 1, versionKey, "u", "vault:v1:" + sixteenBytes)))
        .isEqualTo(Reason.AUTHENTICATION_FAILED);
  }

  @Test
  void derivedKeyCache_smallerThanContexts_everyContextStillRoundTrips() {
    LocalTransitCrypto small = new LocalTransitCrypto(2);
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 20; i++) {
        String made = small.encrypt(KEY, 1, versionKey, "user-" + i, utf8("k" + i));
        assertThat(small.decrypt(KEY, 1, versionKey, "user-" + i, made)).isEqualTo(utf8("k" + i));
      }
    }
  }

  @Test
  void decrypt_versionKeyForAnotherVersion_rejectedAsMisuse() {
    String made = crypto.encrypt(KEY, 1, versionKey, "u", utf8("x"));

    assertThatThrownBy(() -> crypto.decrypt(KEY, 2, versionKey, "u", made))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static Reason reason(Runnable call) {
    try {
      call.run();
    } catch (CiphertextRefusedException e) {
      return e.reason();
    }
    throw new AssertionError("expected a refusal");
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] random(int length) {
    byte[] bytes = new byte[length];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
