package io.whispyrkeep.auth.password;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.passay.CharacterRule;
import org.passay.EnglishCharacterData;
import org.passay.LengthRule;
import org.passay.PasswordData;
import org.passay.PasswordValidator;
import org.passay.RuleResult;
import org.passay.RuleResultDetail;

/**
 * The password policy of the security brief: 12 to 128 characters, upper and lower case, a digit
 * and a symbol (Passay rules), not the email's local part or containing it, and not one of the
 * 30,000 most common passwords of zxcvbn4j's frequency list, also after stripping digits and
 * symbols ("Password123!" is "password"). Returns every violated rule, by stable code.
 */
@ApplicationScoped
@Startup // loads the 30,000-word list at start-up, not on the first registration's event loop
public class PasswordPolicy {

  /** Minimum length (security brief; NIST SP 800-63B allows no less than 8). */
  public static final int DEFAULT_MIN_LENGTH = 12;

  /** Maximum length: bounds hashing work per request (OWASP allows at least 64). */
  public static final int DEFAULT_MAX_LENGTH = 128;

  private static final String COMMON_PASSWORDS =
      "com/nulabinc/zxcvbn/matchers/dictionaries/passwords.txt";

  private final PasswordValidator validator =
      new PasswordValidator(
          new LengthRule(DEFAULT_MIN_LENGTH, DEFAULT_MAX_LENGTH),
          new CharacterRule(EnglishCharacterData.UpperCase, 1),
          new CharacterRule(EnglishCharacterData.LowerCase, 1),
          new CharacterRule(EnglishCharacterData.Digit, 1),
          new CharacterRule(EnglishCharacterData.Special, 1));
  private final Set<String> common = loadCommonPasswords();

  /** A violated rule: a stable code and a message safe to show. */
  public record Violation(String code, String message) {}

  public List<Violation> check(String password, String email) {
    List<Violation> violations = new ArrayList<>();
    RuleResult result = validator.validate(new PasswordData(password == null ? "" : password));
    for (RuleResultDetail detail : result.getDetails()) {
      violations.add(describe(detail));
    }
    if (password == null) {
      return violations;
    }
    String lower = password.toLowerCase(Locale.ROOT);
    String localPart = email == null ? "" : email.substring(0, Math.max(0, email.indexOf('@')));
    if (localPart.length() >= 3 && lower.contains(localPart.toLowerCase(Locale.ROOT))) {
      violations.add(new Violation("contains_email", "must not contain the email's name part"));
    }
    String lettersOnly = lower.replaceAll("[^a-z]", "");
    if (common.contains(lower) || (lettersOnly.length() >= 4 && common.contains(lettersOnly))) {
      violations.add(new Violation("common_password", "is a commonly used password"));
    }
    return violations;
  }

  private static Violation describe(RuleResultDetail detail) {
    return switch (detail.getErrorCode()) {
      case "TOO_SHORT" -> new Violation("too_short", "must be at least 12 characters");
      case "TOO_LONG" -> new Violation("too_long", "must be at most 128 characters");
      case "INSUFFICIENT_UPPERCASE" ->
          new Violation("missing_uppercase", "must contain an upper-case letter");
      case "INSUFFICIENT_LOWERCASE" ->
          new Violation("missing_lowercase", "must contain a lower-case letter");
      case "INSUFFICIENT_DIGIT" -> new Violation("missing_digit", "must contain a digit");
      case "INSUFFICIENT_SPECIAL" -> new Violation("missing_symbol", "must contain a symbol");
      default -> new Violation(detail.getErrorCode().toLowerCase(Locale.ROOT), "is not allowed");
    };
  }

  private static Set<String> loadCommonPasswords() {
    Set<String> words = new HashSet<>();
    try (InputStream in =
        PasswordPolicy.class.getClassLoader().getResourceAsStream(COMMON_PASSWORDS)) {
      if (in == null) {
        throw new IllegalStateException(COMMON_PASSWORDS + " missing from the classpath");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String word = line.trim();
        int space = word.indexOf(' ');
        if (space > 0) {
          word = word.substring(0, space);
        }
        if (!word.isEmpty()) {
          words.add(word.toLowerCase(Locale.ROOT));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Set.copyOf(words);
  }
}
