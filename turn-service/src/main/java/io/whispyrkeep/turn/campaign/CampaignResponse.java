package io.whispyrkeep.turn.campaign;

import java.time.Instant;
import java.util.UUID;

/** A campaign as its owner sees it (the state is {@code GET /campaigns/{id}/state}). */
public record CampaignResponse(UUID id, String name, String provider, Instant createdAt) {

  static CampaignResponse of(Campaign campaign) {
    return new CampaignResponse(campaign.id, campaign.name, campaign.provider, campaign.createdAt);
  }
}
