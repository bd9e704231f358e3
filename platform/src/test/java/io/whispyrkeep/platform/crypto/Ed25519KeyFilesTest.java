package io.whispyrkeep.platform.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whispyrkeep.devinfra.keys.TestEventKeys;
import io.whispyrkeep.devinfra.keys.TestJwtKeys;
import io.whispyrkeep.platform.event.EventSignature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ed25519 key files: one private key file yields the key pair and a stable, derived key id. */
class Ed25519KeyFilesTest {

  @TempDir Path folder;

  @Test
  void loadPrivate_pkcs8Pem_derivesTheMatchingPublicKeyAndThumbprint() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Path file = folder.resolve("key.pem");
    Files.writeString(file, Ed25519KeyFiles.privateKeyPem(pair.getPrivate()));

    Ed25519KeyFiles.SigningKey key = Ed25519KeyFiles.loadPrivate(file);

    assertThat(key.publicKey().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
    assertThat(key.keyId()).isEqualTo(Ed25519KeyFiles.thumbprint(pair.getPublic())).hasSize(43);
    byte[] payload = "{\"id\":1}".getBytes(StandardCharsets.UTF_8);
    byte[] signature = EventSignature.sign(key.privateKey(), payload);
    assertThat(EventSignature.isValid(pair.getPublic(), payload, signature)).isTrue();
    payload[2] ^= 1;
    assertThat(EventSignature.isValid(pair.getPublic(), payload, signature)).isFalse();
  }

  @Test
  void thumbprint_rfc8037Example_matchesTheRfc() throws Exception {
    // RFC 8037 appendix A.3: the thumbprint of the appendix A.2 public key.
    byte[] raw =
        java.util.Base64.getUrlDecoder().decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    byte[] spki = java.util.HexFormat.of().parseHex("302a300506032b6570032100" + hex(raw));
    assertThat(Ed25519KeyFiles.thumbprint(Ed25519KeyFiles.decodePublic(spki)))
        .isEqualTo("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
  }

  @Test
  void testSupportKeys_carryTheKeyIdTheServicesDerive() {
    Path file = TestEventKeys.privateKeyFile("platform-key-id-check");
    assertThat(Ed25519KeyFiles.loadPrivate(file).keyId())
        .isEqualTo(TestEventKeys.keyId("platform-key-id-check"));
    assertThat(
            Ed25519KeyFiles.thumbprint(
                Ed25519KeyFiles.loadPublic(TestEventKeys.publicKeyFile("platform-key-id-check"))))
        .isEqualTo(TestEventKeys.keyId("platform-key-id-check"));
  }

  @Test
  void load_rsaOrGarbage_refusedWithoutEchoingTheFile() throws Exception {
    Path rsa = folder.resolve("rsa.pem");
    Files.writeString(rsa, TestJwtKeys.privateKeyPem(TestJwtKeys.generate()));
    Path garbage = folder.resolve("garbage.pem");
    Files.writeString(
        garbage, "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n");

    assertThatThrownBy(() -> Ed25519KeyFiles.loadPrivate(rsa))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not a PKCS#8 Ed25519 private key");
    assertThatThrownBy(() -> Ed25519KeyFiles.loadPrivate(garbage))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageNotContaining("c2VjcmV0");
    assertThatThrownBy(() -> Ed25519KeyFiles.loadPublic(rsa))
        .isInstanceOf(IllegalStateException.class);
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }
}
