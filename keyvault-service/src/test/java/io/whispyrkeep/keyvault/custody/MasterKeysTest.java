package io.whispyrkeep.keyvault.custody;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded engine's master keys: what start-up refuses, and wrapping. */
class MasterKeysTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path folder;

  @Test
  void load_noMasterKey_startUpRefusedNamingTheSetting() {
    assertThatThrownBy(() -> load(Optional.empty(), Optional.empty()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("master-key-file");
  }

  @Test
  void load_shortLongBlankOrUniformKey_refusedWithoutEchoingIt() {
    for (byte[] bad : List.of(random(16), random(31), random(33), new byte[32])) {
      String base64 = Base64.getEncoder().encodeToString(bad);
      assertThatThrownBy(() -> load(Optional.of(base64), Optional.empty()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageNotContaining(base64);
    }
    assertThatThrownBy(() -> load(Optional.of("not base64!"), Optional.empty()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not base64")
        .hasMessageNotContaining("not base64!");
    assertThatThrownBy(() -> load(Optional.of("   "), Optional.empty()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void load_bothInlineAndFile_refused() throws Exception {
    Path file = folder.resolve("kek");
    Files.writeString(file, base64(random(32)));

    assertThatThrownBy(() -> load(Optional.of(base64(random(32))), Optional.of(file)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("both");
  }

  @Test
  void load_fromFilesWithTrailingNewline_currentAndRetiredKnown() throws Exception {
    byte[] current = random(32);
    byte[] retired = random(32);
    Path currentFile = folder.resolve("current");
    Path retiredFile = folder.resolve("retired");
    Files.writeString(currentFile, base64(current) + "\n");
    Files.writeString(retiredFile, base64(retired) + "\n");

    MasterKeys keys =
        MasterKeys.load(
            Optional.empty(), Optional.of(currentFile), List.of(), List.of(retiredFile));

    assertThat(keys.currentId()).isEqualTo(MasterKeys.idOf(current)).hasSize(16);
    assertThat(keys.knows(MasterKeys.idOf(retired))).isTrue();
    assertThat(keys.knows(MasterKeys.idOf(random(32)))).isFalse();
  }

  @Test
  void load_unreadableFile_refusedNamingThePath() {
    Path missing = folder.resolve("missing");

    assertThatThrownBy(() -> load(Optional.empty(), Optional.of(missing)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void wrap_thenUnwrapUnderRetiredKey_sameVersionKey() {
    byte[] oldKek = random(32);
    byte[] newKek = random(32);
    byte[] versionKey = random(32);
    MasterKeys old = MasterKeys.of(copy(oldKek), List.of());
    MasterKeys.Wrapped wrapped = old.wrap("k", 1, versionKey);

    MasterKeys rotated = MasterKeys.of(copy(newKek), List.of(copy(oldKek)));

    assertThat(wrapped.kekId()).isEqualTo(MasterKeys.idOf(oldKek));
    assertThat(rotated.unwrap("k", 1, wrapped)).isEqualTo(versionKey);
    assertThat(rotated.wrap("k", 1, versionKey).kekId()).isEqualTo(MasterKeys.idOf(newKek));
  }

  @Test
  void unwrap_movedToAnotherVersionOrKeyOrUnknownKek_unavailable() {
    MasterKeys keys = MasterKeys.of(random(32), List.of());
    MasterKeys.Wrapped wrapped = keys.wrap("k", 1, random(32));

    assertThatThrownBy(() -> keys.unwrap("k", 2, wrapped))
        .isInstanceOf(CustodyUnavailableException.class);
    assertThatThrownBy(() -> keys.unwrap("other", 1, wrapped))
        .isInstanceOf(CustodyUnavailableException.class);
    assertThatThrownBy(
            () -> keys.unwrap("k", 1, new MasterKeys.Wrapped("0123456789abcdef", wrapped.bytes())))
        .isInstanceOf(CustodyUnavailableException.class)
        .hasMessageContaining("not configured");
  }

  @Test
  void of_clearsTheRawKeysItIsGiven() {
    byte[] raw = random(32);

    MasterKeys.of(raw, List.of());

    assertThat(raw).containsOnly(0);
  }

  private static MasterKeys load(Optional<String> inline, Optional<Path> file) {
    return MasterKeys.load(inline, file, List.of(), List.of());
  }

  private static byte[] random(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static byte[] copy(byte[] bytes) {
    return Arrays.copyOf(bytes, bytes.length);
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
