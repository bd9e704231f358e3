package io.whispyrkeep.platform.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RSA key files: PKCS#8 private keys and SubjectPublicKeyInfo public keys, as openssl writes. */
class RsaKeyFilesTest {

  @TempDir Path folder;

  @Test
  void load_pkcs8Pem_derivesThePublicKeyAndItsThumbprint() throws Exception {
    KeyPair pair = rsa(2048);
    Path file = write("key.pem", "PRIVATE KEY", pair.getPrivate().getEncoded());

    RsaKeyFiles.RsaKey key = RsaKeyFiles.load(file);

    assertThat(key.publicKey().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
    assertThat(key.keyId()).isEqualTo(RsaKeyFiles.thumbprint(key.publicKey())).hasSize(43);
  }

  @Test
  void loadPublic_spkiPem_matchesTheKeyPair() throws Exception {
    KeyPair pair = rsa(2048);
    Path file = write("key.pub.pem", "PUBLIC KEY", pair.getPublic().getEncoded());

    assertThat(RsaKeyFiles.loadPublic(file).getEncoded()).isEqualTo(pair.getPublic().getEncoded());
  }

  @Test
  void load_keyShorterThan2048Bits_refused() throws Exception {
    Path file = write("short.pem", "PRIVATE KEY", rsa(1024).getPrivate().getEncoded());

    assertThatThrownBy(() -> RsaKeyFiles.load(file))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("shorter than 2048 bits");
  }

  @Test
  void load_notAnRsaKey_refusedWithoutEchoingTheFile() throws Exception {
    KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Path edFile = write("ed.pem", "PRIVATE KEY", ed.getPrivate().getEncoded());
    Path garbage = folder.resolve("garbage.pem");
    Files.writeString(
        garbage, "-----BEGIN PRIVATE KEY-----\nnot-base64!!\n-----END PRIVATE KEY-----");

    assertThatThrownBy(() -> RsaKeyFiles.load(edFile)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> RsaKeyFiles.load(garbage))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageNotContaining("not-base64");
  }

  private static KeyPair rsa(int bits) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(bits);
    return generator.generateKeyPair();
  }

  private Path write(String name, String label, byte[] der) throws Exception {
    Path file = folder.resolve(name);
    Files.writeString(
        file,
        "-----BEGIN "
            + label
            + "-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der)
            + "\n-----END "
            + label
            + "-----\n");
    return file;
  }
}
