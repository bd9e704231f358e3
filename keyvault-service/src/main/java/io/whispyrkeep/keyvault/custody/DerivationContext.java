package io.whispyrkeep.keyvault.custody;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes a derivation context (the owner's user id) stands for, the same for both engines:
 * strict UTF-8. Java's lenient {@code String.getBytes(UTF_8)} would turn every unpaired surrogate
 * into {@code ?}, so two different contexts could derive the same key; here such a string is
 * refused instead, as are an empty context (Vault requires one for a derived key) and one longer
 * than {@link #MAX_BYTES}.
 */
final class DerivationContext {

  /** Longest context accepted, in UTF-8 bytes: far above any user id, bounded for the cache. */
  static final int MAX_BYTES = 256;

  private DerivationContext() {}

  /** The context's UTF-8 bytes; {@link IllegalArgumentException} (no echo of it) if not valid. */
  static byte[] encode(String context) {
    if (context == null || context.isEmpty()) {
      throw new IllegalArgumentException("derivation context must not be empty");
    }
    ByteBuffer encoded;
    try {
      encoded =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(context));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("derivation context is not well-formed Unicode");
    }
    if (encoded.remaining() > MAX_BYTES) {
      throw new IllegalArgumentException(
          "derivation context is longer than " + MAX_BYTES + " UTF-8 bytes");
    }
    return Arrays.copyOfRange(encoded.array(), encoded.position(), encoded.limit());
  }
}
