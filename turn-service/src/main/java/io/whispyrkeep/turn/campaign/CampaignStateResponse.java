package io.whispyrkeep.turn.campaign;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A campaign's state.
 *
 * @param state the state document
 * @param version 1 at creation, +1 for every applied patch
 * @param gameTime in-game time since the campaign began, ISO-8601 ({@code PT1H5M})
 */
public record CampaignStateResponse(JsonNode state, long version, String gameTime) {}
