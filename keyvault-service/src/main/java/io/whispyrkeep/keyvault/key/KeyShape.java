package io.whispyrkeep.keyvault.key;

import io.whispyrkeep.keyvault.config.KeyvaultConfig;
import io.whispyrkeep.platform.problem.Problem;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a presented key can be a key of the provider at all: length, charset (RFC 6750's {@code
 * b64token} characters, which every provider's keys use) and the provider's prefix. The messages
 * never quote the key.
 */
final class KeyShape {

  private KeyShape() {}

  static List<Problem.FieldError> check(KeyvaultConfig.Provider provider, char[] key) {
    List<Problem.FieldError> errors = new ArrayList<>();
    if (key == null || key.length == 0) {
      errors.add(new Problem.FieldError("apiKey", "required"));
      return errors;
    }
    if (key.length < provider.keyMinLength() || key.length > provider.keyMaxLength()) {
      errors.add(
          new Problem.FieldError(
              "apiKey",
              "must be "
                  + provider.keyMinLength()
                  + " to "
                  + provider.keyMaxLength()
                  + " characters"));
      return errors;
    }
    for (char c : key) {
      if (!isTokenCharacter(c)) {
        errors.add(
            new Problem.FieldError("apiKey", "may contain only letters, digits and - . _ ~ + / ="));
        return errors;
      }
    }
    if (provider.keyPrefix().isPresent() && !startsWith(key, provider.keyPrefix().get())) {
      errors.add(
          new Problem.FieldError(
              "apiKey", "must start with this provider's prefix " + provider.keyPrefix().get()));
    }
    return errors;
  }

  private static boolean isTokenCharacter(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~'
        || c == '+'
        || c == '/'
        || c == '=';
  }

  private static boolean startsWith(char[] key, String prefix) {
    if (key.length < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (key[i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
