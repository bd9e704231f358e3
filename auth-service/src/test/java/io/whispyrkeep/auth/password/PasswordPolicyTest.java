package io.whispyrkeep.auth.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PasswordPolicyTest {

  private final PasswordPolicy policy = new PasswordPolicy();

  private List<String> codes(String password, String email) {
    return policy.check(password, email).stream().map(PasswordPolicy.Violation::code).toList();
  }

  @Test
  void check_strongPassword_noViolation() {
    assertThat(codes("Correct-Horse-Battery-9!", "player@example.com")).isEmpty();
  }

  @Test
  void check_eachMissingClass_reportedTogether() {
    assertThat(codes("short", "a@b.co"))
        .contains("too_short", "missing_uppercase", "missing_digit", "missing_symbol");
    assertThat(codes("ALLUPPERCASE-123", "a@b.co")).containsExactly("missing_lowercase");
  }

  @Test
  void check_boundaries_12and128() {
    assertThat(codes("Abcdefgh-1x!", "a@b.co")).isEmpty();
    assertThat(codes("Abcdefg-1x!", "a@b.co")).contains("too_short");
    assertThat(codes("Aa1!" + "q".repeat(124), "a@b.co")).isEmpty();
    assertThat(codes("Aa1!" + "q".repeat(125), "a@b.co")).contains("too_long");
  }

  @Test
  void check_commonPasswordEvenDecorated_rejected() {
    assertThat(codes("Password123!", "a@b.co")).contains("common_password");
    assertThat(codes("Sunshine-2024!!", "a@b.co")).contains("common_password");
  }

  @Test
  void check_containsEmailLocalPart_rejected() {
    assertThat(codes("Aragorn-Rules-42!", "aragorn@example.com")).contains("contains_email");
    assertThat(codes("aragorn@example.com", "aragorn@example.com")).contains("contains_email");
  }
}
