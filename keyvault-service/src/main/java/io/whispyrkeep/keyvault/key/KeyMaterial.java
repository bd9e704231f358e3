package io.whispyrkeep.keyvault.key;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Plaintext key material as arrays that are cleared after use: a String cannot be cleared and would
 * stay on the heap, and in a heap dump, until collected.
 */
public final class KeyMaterial {

  private KeyMaterial() {}

  /** UTF-8 bytes of {@code chars}, with no intermediate String; the caller clears both. */
  public static byte[] utf8(char[] chars) {
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    if (encoded.hasArray()) {
      Arrays.fill(encoded.array(), (byte) 0);
    }
    return bytes;
  }

  public static void clear(char[] chars) {
    if (chars != null) {
      Arrays.fill(chars, '\0');
    }
  }

  public static void clear(byte[] bytes) {
    if (bytes != null) {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
