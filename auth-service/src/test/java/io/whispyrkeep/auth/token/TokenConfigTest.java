package io.whispyrkeep.auth.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenConfigTest {

  @Test
  void checkedLifetime_upToSixtyMinutes_accepted() {
    assertThat(AccessTokenIssuer.checkedLifetime(Duration.ofMinutes(15))).hasMinutes(15);
    assertThat(AccessTokenIssuer.checkedLifetime(Duration.ofMinutes(60))).hasMinutes(60);
  }

  @Test
  void checkedLifetime_aboveSixtyMinutesOrNotPositive_refusedAtStartUp() {
    assertThatThrownBy(() -> AccessTokenIssuer.checkedLifetime(Duration.ofMinutes(61)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("60 min");
    assertThatThrownBy(() -> AccessTokenIssuer.checkedLifetime(Duration.ZERO))
        .isInstanceOf(IllegalStateException.class);
  }
}
