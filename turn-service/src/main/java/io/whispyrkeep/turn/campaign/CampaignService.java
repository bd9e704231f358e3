package io.whispyrkeep.turn.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.event.TimeOrderedUuid;
import io.whispyrkeep.platform.http.RequestMetadata;
import io.whispyrkeep.platform.problem.Problem;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import io.whispyrkeep.platform.ratelimit.RateLimiter;
import io.whispyrkeep.platform.ratelimit.UserRateLimits;
import io.whispyrkeep.turn.Cursors;
import io.whispyrkeep.turn.Page;
import io.whispyrkeep.turn.TurnEvents;
import io.whispyrkeep.turn.TurnProblems;
import io.whispyrkeep.turn.config.TurnConfig;
import io.whispyrkeep.turn.input.TurnInputCleaner;
import io.whispyrkeep.turn.input.TurnInputException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A player's campaigns: created from the configured default state, listed newest first, read by
 * their owner only (anyone else gets the 404 an unknown id gets).
 */
@ApplicationScoped
public class CampaignService {

  /** The rate limiter's action name for campaign creation. */
  static final String CREATE_ACTION = "campaign-create";

  private final CampaignRepository campaigns;
  private final TurnInputCleaner names;
  private final JsonNode defaultState;
  private final StateDocuments states;
  private final SecurityEvents events;
  private final TurnConfig config;
  private final Clock clock;
  private final UserRateLimits rateLimits;

  CampaignService(
      CampaignRepository campaigns,
      @Named("default-state") JsonNode defaultState,
      StateDocuments states,
      SecurityEvents events,
      TurnConfig config,
      Clock clock,
      UserRateLimits rateLimits) {
    this.rateLimits = rateLimits;
    this.campaigns = campaigns;
    // Names are cleaned like a turn, with their own length bound.
    this.names = new TurnInputCleaner(config.campaign().maxNameCodePoints());
    this.defaultState = defaultState;
    this.states = states;
    this.events = events;
    this.config = config;
    this.clock = clock;
  }

  /**
   * A new campaign of {@code ownerId} at the default state, version 1, game time zero; at most
   * {@code rate-limit.campaigns-per-hour} a player (shared by replicas), beyond which 429 and, at
   * the first refusal of the window, {@code turn.rate_limited}.
   */
  public Uni<CampaignResponse> create(
      String ownerId, CreateCampaignRequest request, RequestMetadata meta) {
    String name = cleanName(request.name());
    return rateLimits
        .enforce(
            CREATE_ACTION,
            ownerId,
            RateLimiter.Limit.perHour(config.rateLimit().campaignsPerHour()),
            new UserRateLimits.Refusal(
                TurnEvents.RATE_LIMITED,
                Map.of("action", CREATE_ACTION),
                TurnProblems::campaignsRateLimited),
            meta)
        .chain(() -> Panache.withTransaction(() -> persistNew(ownerId, name, request, meta)));
  }

  private Uni<CampaignResponse> persistNew(
      String ownerId, String name, CreateCampaignRequest request, RequestMetadata meta) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Campaign campaign = new Campaign();
    campaign.id = TimeOrderedUuid.next(clock);
    campaign.ownerId = ownerId;
    campaign.name = name;
    campaign.provider = request.provider();
    campaign.state = states.write(defaultState);
    campaign.stateVersion = 1;
    campaign.gameTimeSeconds = 0;
    campaign.turnCount = 0;
    campaign.createdAt = now;
    campaign.updatedAt = now;
    Map<String, String> details = new LinkedHashMap<>();
    details.put("campaignId", campaign.id.toString());
    details.put("provider", campaign.provider);
    return campaigns
        .persist(campaign)
        .call(
            () ->
                events.record(
                    TurnEvents.CAMPAIGN_CREATED, Severity.INFO, ownerId, ownerId, details, meta))
        .map(CampaignResponse::of);
  }

  @WithSession
  public Uni<Page<CampaignResponse>> list(String ownerId, Integer limit, String cursor) {
    int size = pageSize(limit, config.campaign());
    UUID after = Cursors.campaignAfter(cursor);
    return campaigns
        .page(ownerId, after, size + 1)
        .map(
            rows -> {
              List<CampaignResponse> items =
                  rows.stream().limit(size).map(CampaignResponse::of).toList();
              String next =
                  rows.size() > size ? Cursors.campaign(items.get(items.size() - 1).id()) : null;
              return new Page<>(items, next);
            });
  }

  @WithSession
  public Uni<CampaignResponse> get(String ownerId, UUID id) {
    return owned(ownerId, id).map(CampaignResponse::of);
  }

  @WithSession
  public Uni<CampaignStateResponse> state(String ownerId, UUID id) {
    return owned(ownerId, id)
        .map(
            campaign ->
                new CampaignStateResponse(
                    states.read(campaign.state),
                    campaign.stateVersion,
                    Duration.ofSeconds(campaign.gameTimeSeconds).toString()));
  }

  private Uni<Campaign> owned(String ownerId, UUID id) {
    return campaigns
        .findOwned(id, ownerId)
        .onItem()
        .ifNull()
        .failWith(TurnProblems::campaignNotFound);
  }

  /** A page size within {@code 1..max-page-size}; the default when none is given. */
  public static int pageSize(Integer limit, TurnConfig.Campaign config) {
    if (limit == null) {
      return config.defaultPageSize();
    }
    if (limit < 1 || limit > config.maxPageSize()) {
      throw new ProblemException(
          ProblemType.VALIDATION_FAILED.uri(),
          ProblemType.VALIDATION_FAILED.title(),
          400,
          "limit must be between 1 and " + config.maxPageSize() + ".",
          List.of(new Problem.FieldError("limit", "out of range")),
          Map.of());
    }
    return limit;
  }

  private String cleanName(String raw) {
    try {
      return names.clean(raw);
    } catch (TurnInputException e) {
      throw new ProblemException(
          ProblemType.VALIDATION_FAILED.uri(),
          ProblemType.VALIDATION_FAILED.title(),
          400,
          "The campaign name is not valid.",
          List.of(new Problem.FieldError("name", e.reason().code())),
          Map.of());
    }
  }
}
