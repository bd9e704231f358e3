package io.whispyrkeep.keyvault.key;

import jakarta.validation.constraints.Size;

/**
 * {@code PUT /keys/{provider}}. The key is read as characters, not a String, so that it can be
 * cleared as soon as it is encrypted; {@link #toString()} never shows it.
 */
public record StoreKeyRequest(char[] apiKey, @Size(max = 2048) String baseUrl) {

  @Override
  public String toString() {
    return "StoreKeyRequest[apiKey=<redacted>, baseUrl=" + baseUrl + "]";
  }

  @Override
  public boolean equals(Object other) {
    return this == other;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
