package io.whispyrkeep.turn.narrator;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;

/**
 * The two remote calls of a narrator round trip, made over HTTP with their fault tolerance by
 * {@link NarratorCalls}. {@link NarratorClient} depends on this rather than on the HTTP class, so
 * its token caching can be tested without a network.
 */
interface NarratorEndpoints {

  /** A delegated token (audience keyvault-service, scope llm:invoke) for the player's token. */
  Uni<NarratorCalls.DelegatedToken> exchange(String playerToken, String requestId);

  /** The model's raw answer through keyvault-service's broker, with the delegated token. */
  Uni<String> chat(String delegatedToken, String provider, JsonNode request, String requestId);
}
