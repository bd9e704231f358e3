package io.whispyrkeep.auth.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whispyrkeep.auth.config.AuthConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The start-up checks of token exchange's configuration. */
class TokenExchangeServiceTest {

  private static AuthConfig.Client client(Set<String> exchangeAudiences) {
    return new AuthConfig.Client() {
      @Override
      public String secretSha256() {
        return "00";
      }

      @Override
      public List<String> audiences() {
        return List.of("keyvault-service");
      }

      @Override
      public AuthConfig.ExchangeGrant exchange() {
        return new AuthConfig.ExchangeGrant() {
          @Override
          public Optional<Set<String>> audiences() {
            return Optional.ofNullable(exchangeAudiences);
          }

          @Override
          public Optional<Set<String>> scopes() {
            return Optional.of(Set.of("llm:invoke"));
          }
        };
      }
    };
  }

  @Test
  void checkedLifetime_upToFiveMinutes_accepted() {
    assertThat(TokenExchangeService.checkedLifetime(Duration.ofSeconds(1)))
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(TokenExchangeService.checkedLifetime(Duration.ofMinutes(5)))
        .isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void checkedLifetime_zeroNegativeOrAboveFiveMinutes_refused() {
    for (Duration lifetime :
        List.of(Duration.ZERO, Duration.ofSeconds(-1), Duration.ofMinutes(5).plusSeconds(1))) {
      assertThatThrownBy(() -> TokenExchangeService.checkedLifetime(lifetime))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("whispyrkeep.auth.exchange.token-lifetime");
    }
  }

  @Test
  void checkAudiences_clientMayExchangeForAuthServiceItself_refused() {
    Map<String, AuthConfig.Client> clients =
        Map.of("turn-service", client(Set.of("keyvault-service", "auth-service")));

    assertThatThrownBy(() -> TokenExchangeService.checkAudiences(clients, "auth-service"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("whispyrkeep.auth.clients.turn-service.exchange.audiences");
  }

  @Test
  void checkAudiences_otherServicesOrNone_accepted() {
    Map<String, AuthConfig.Client> clients =
        Map.of("turn-service", client(Set.of("keyvault-service")), "audit-service", client(null));

    assertThatCode(() -> TokenExchangeService.checkAudiences(clients, "auth-service"))
        .doesNotThrowAnyException();
  }
}
