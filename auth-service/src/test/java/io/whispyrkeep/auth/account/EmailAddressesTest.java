package io.whispyrkeep.auth.account;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EmailAddressesTest {

  @Test
  void normalise_trimsAndLowerCasesDomainOnly() {
    assertThat(EmailAddresses.normalise("  Bob.Smith@Example.COM "))
        .hasValue("Bob.Smith@example.com");
  }

  @Test
  void normalise_invalidAddresses_empty() {
    for (String invalid :
        new String[] {
          "",
          "no-at",
          "@example.com",
          "a@b",
          "a@@b.com",
          "a b@example.com",
          ".a@example.com",
          "a..b@example.com",
          "a@-example.com",
          "x".repeat(250) + "@ex.com"
        }) {
      assertThat(EmailAddresses.normalise(invalid)).as(invalid).isEmpty();
    }
    assertThat(EmailAddresses.normalise(null)).isEmpty();
  }
}
