package io.whispyrkeep.turn.narrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The delegated-token cache of {@link NarratorClient}, against scripted endpoints (no network): one
 * exchange serves a player's turns until shortly before it expires, and a token keyvault-service
 * refuses (401/403, e.g. after auth-service rotated its signing key) is dropped at once, so the
 * next turn exchanges a new one instead of failing until the old one expires.
 */
class NarratorClientTest {

  private static final Duration MARGIN = Duration.ofSeconds(60);
  private static final JsonNode REQUEST = JsonNodeFactory.instance.objectNode();

  /** Endpoints that count exchanges and answer chats from a script (then "The door opens."). */
  private static final class ScriptedEndpoints implements NarratorEndpoints {
    final List<String> chatTokens = new ArrayList<>();
    final Deque<RuntimeException> chatFailures = new ArrayDeque<>();
    long lifetimeSeconds = 300;
    int exchanges;

    @Override
    public Uni<NarratorCalls.DelegatedToken> exchange(String playerToken, String requestId) {
      exchanges++;
      return Uni.createFrom()
          .item(new NarratorCalls.DelegatedToken("delegated-" + exchanges, lifetimeSeconds));
    }

    @Override
    public Uni<String> chat(
        String delegatedToken, String provider, JsonNode request, String requestId) {
      chatTokens.add(delegatedToken);
      RuntimeException failure = chatFailures.poll();
      return failure == null
          ? Uni.createFrom().item("The door opens.")
          : Uni.createFrom().failure(failure);
    }
  }

  private final ScriptedEndpoints endpoints = new ScriptedEndpoints();
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC);
  private final NarratorClient client = new NarratorClient(endpoints, MARGIN, clock);

  private String narrate(String playerToken) {
    return client.narrate(playerToken, "offline", REQUEST, "req-1").await().indefinitely();
  }

  @Test
  void turnsOfOnePlayer_shareOneExchange_otherPlayersGetTheirOwn() {
    assertThat(narrate("player-a")).isEqualTo("The door opens.");
    narrate("player-a");
    narrate("player-b");

    assertThat(endpoints.exchanges).isEqualTo(2);
    assertThat(endpoints.chatTokens).containsExactly("delegated-1", "delegated-1", "delegated-2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"keyvault-401-unauthorized", "keyvault-403-forbidden"})
  void delegatedTokenRefusedByKeyvault_droppedAndExchangedAgainNextTurn(String reason) {
    narrate("player-a");
    endpoints.chatFailures.add(
        new NarratorUnavailableException(NarratorUnavailableException.Kind.UNAVAILABLE, reason));

    assertThatThrownBy(() -> narrate("player-a"))
        .isInstanceOfSatisfying(
            NarratorUnavailableException.class,
            failure -> assertThat(failure.reason()).isEqualTo(reason));
    narrate("player-a");

    assertThat(endpoints.exchanges).isEqualTo(2);
    assertThat(endpoints.chatTokens).containsExactly("delegated-1", "delegated-1", "delegated-2");
  }

  @Test
  void providerOrPathFailure_keepsTheDelegatedToken() {
    narrate("player-a");
    endpoints.chatFailures.add(
        new NarratorUnavailableException.Refused(
            NarratorUnavailableException.Kind.UPSTREAM, "upstream-error"));
    endpoints.chatFailures.add(new NarratorUnavailableException.Transient("keyvault-unreachable"));

    assertThatThrownBy(() -> narrate("player-a")).isInstanceOf(NarratorUnavailableException.class);
    assertThatThrownBy(() -> narrate("player-a")).isInstanceOf(NarratorUnavailableException.class);
    narrate("player-a");

    assertThat(endpoints.exchanges).isEqualTo(1);
  }

  @Test
  void tokenWithinTheRefreshMarginOfItsExpiry_neverCached() {
    endpoints.lifetimeSeconds = MARGIN.toSeconds();

    narrate("player-a");
    narrate("player-a");

    assertThat(endpoints.exchanges).isEqualTo(2);
  }

  @Test
  void unexpectedFailure_reportedAsNarratorUnavailable_withoutItsMessage() {
    endpoints.chatFailures.add(new IllegalStateException("secret-ish detail"));

    assertThatThrownBy(() -> narrate("player-a"))
        .isInstanceOfSatisfying(
            NarratorUnavailableException.class,
            failure -> {
              assertThat(failure.reason()).isEqualTo("unreachable");
              assertThat(failure.getMessage()).doesNotContain("secret-ish");
            });
  }
}
