package io.whispyrkeep.turn.campaign;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * {@code POST /campaigns}. The name is cleaned like a turn (invisible and control characters
 * removed, NFC, trimmed) and then bounded by {@code
 * whispyrkeep.turn.campaign.max-name-code-points}; the bound here only stops absurd input before
 * any work.
 *
 * @param name what the player calls the campaign
 * @param provider the LLM provider narrating it ({@code openai}, {@code anthropic}, {@code offline}
 *     ...): the player's key for it, in keyvault-service, pays for every turn
 */
public record CreateCampaignRequest(
    @NotNull @Size(max = 2000) String name,
    @NotBlank @Size(max = 40) @Pattern(regexp = "[a-z0-9][a-z0-9-]*") String provider) {}
