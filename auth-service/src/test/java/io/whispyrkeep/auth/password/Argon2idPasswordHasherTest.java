package io.whispyrkeep.auth.password;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Argon2idPasswordHasherTest {

  private final Argon2idPasswordHasher owasp = new Argon2idPasswordHasher(19456, 2, 1);

  @Test
  void hash_phcStringWithOwaspParameters_verifiesOnlyTheRightPassword() {
    String hash = owasp.hash("Correct-Horse-9!".toCharArray());
    assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(owasp.verify(hash, "Correct-Horse-9!".toCharArray())).isTrue();
    assertThat(owasp.verify(hash, "Correct-Horse-9?".toCharArray())).isFalse();
  }

  @Test
  void hash_samePasswordTwice_differentSalts() {
    assertThat(owasp.hash("Same-Password-1!".toCharArray()))
        .isNotEqualTo(owasp.hash("Same-Password-1!".toCharArray()));
  }

  @Test
  void needsRehash_weakerParameters_true_currentOnes_false() {
    String weak = new Argon2idPasswordHasher(8192, 1, 1).hash("x".toCharArray());
    assertThat(owasp.needsRehash(weak)).isTrue();
    assertThat(owasp.needsRehash(owasp.hash("x".toCharArray()))).isFalse();
    assertThat(owasp.needsRehash("$2a$12$bcrypt-style-hash")).isTrue();
  }

  @Test
  void verify_malformedOrForeignHash_false() {
    assertThat(owasp.verify("not-a-hash", "x".toCharArray())).isFalse();
    assertThat(owasp.verify(null, "x".toCharArray())).isFalse();
    assertThat(owasp.verify("$argon2id$v=19$m=19456,t=2,p=1$broken", "x".toCharArray())).isFalse();
  }
}
