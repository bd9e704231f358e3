package io.whispyrkeep.turn.turn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.event.TimeOrderedUuid;
import io.whispyrkeep.platform.http.RequestMetadata;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.ratelimit.RateLimiter;
import io.whispyrkeep.platform.ratelimit.UserRateLimits;
import io.whispyrkeep.turn.Cursors;
import io.whispyrkeep.turn.Page;
import io.whispyrkeep.turn.TurnEvents;
import io.whispyrkeep.turn.TurnProblems;
import io.whispyrkeep.turn.campaign.Campaign;
import io.whispyrkeep.turn.campaign.CampaignRepository;
import io.whispyrkeep.turn.campaign.CampaignService;
import io.whispyrkeep.turn.campaign.StateDocuments;
import io.whispyrkeep.turn.config.TurnConfig;
import io.whispyrkeep.turn.injection.InjectionDetector;
import io.whispyrkeep.turn.injection.InjectionReport;
import io.whispyrkeep.turn.input.TurnInputCleaner;
import io.whispyrkeep.turn.narrator.NarratorAnswer;
import io.whispyrkeep.turn.narrator.NarratorAnswerParser;
import io.whispyrkeep.turn.narrator.NarratorClient;
import io.whispyrkeep.turn.narrator.NarratorPrompt;
import io.whispyrkeep.turn.narrator.NarratorUnavailableException;
import io.whispyrkeep.turn.patch.PatchOutcome;
import io.whispyrkeep.turn.patch.PatchRejection;
import io.whispyrkeep.turn.patch.StatePatcher;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * A player's turn, from request to narrated and applied:
 *
 * <ol>
 *   <li>The Idempotency-Key is checked, the text cleaned ({@link TurnInputCleaner}), the player's
 *       turn rate counted (shared by replicas; the first refusal of a window is an event) unless
 *       the key repeats one whose answer needs no narrator call.
 *   <li>With the campaign row locked, the turn is stored as running with the next sequence number
 *       and the injection heuristics' findings are recorded (flagged, never blocked). A turn with
 *       the same key is found instead: its result when completed, 409 while it runs, 422 for
 *       another body, and taken over when it failed (or its request died).
 *   <li>The narrator is called without any transaction held ({@link NarratorClient}).
 *   <li>With the campaign row locked again, the patch is validated and applied to the state as it
 *       is now (not as the narrator saw it), and the state version, the game time and the turn
 *       change together; a patch that does not validate or apply is rejected whole and the turn
 *       keeps its narrative. A narrator failure marks the turn failed with a reason.
 * </ol>
 */
@ApplicationScoped
public class TurnService {

  private static final Logger LOG = Logger.getLogger(TurnService.class);

  /** The rate-limit action of turn submissions. */
  static final String ACTION = "turn";

  /** Idempotency-Key: 1 to 100 characters of a safe set (UUIDs, ULIDs, client counters). */
  static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

  /**
   * Micrometer name of the injection counter ({@code whispyrkeep_turn_injection_suspected_total}).
   */
  public static final String INJECTION_METRIC = "whispyrkeep.turn.injection.suspected";

  private static final int MAX_REASON_CHARS = 300;

  private final CampaignRepository campaigns;
  private final TurnRepository turns;
  private final TurnInputCleaner cleaner;
  private final InjectionDetector detector;
  private final NarratorClient narrator;
  private final NarratorAnswerParser parser;
  private final StatePatcher patcher;
  private final UserRateLimits rateLimits;
  private final SecurityEvents events;
  private final MeterRegistry metrics;
  private final ObjectMapper json;
  private final StateDocuments states;
  private final TurnConfig config;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  TurnService(
      CampaignRepository campaigns,
      TurnRepository turns,
      TurnInputCleaner cleaner,
      InjectionDetector detector,
      NarratorClient narrator,
      NarratorAnswerParser parser,
      StatePatcher patcher,
      UserRateLimits rateLimits,
      SecurityEvents events,
      MeterRegistry metrics,
      ObjectMapper json,
      StateDocuments states,
      TurnConfig config,
      Clock clock) {
    this.campaigns = campaigns;
    this.turns = turns;
    this.cleaner = cleaner;
    this.detector = detector;
    this.narrator = narrator;
    this.parser = parser;
    this.patcher = patcher;
    this.rateLimits = rateLimits;
    this.events = events;
    this.metrics = metrics;
    this.json = json;
    this.states = states;
    this.config = config;
    this.clock = clock;
  }

  /** What the claim step decided: a stored result to return, or a turn to narrate. */
  private record Claim(TurnResponse done, Work work) {}

  /** A running turn and what the narrator needs for it (copied out of the transaction). */
  private record Work(
      UUID turnId,
      int attempt,
      UUID campaignId,
      String provider,
      String input,
      String boundary,
      JsonNode state,
      List<NarratorPrompt.Exchange> history) {}

  /**
   * Submits a turn of {@code player} (whose access token is {@code playerToken}, for the token
   * exchange) on their campaign; see the class comment.
   */
  public Uni<TurnResponse> submit(
      String player,
      String playerToken,
      UUID campaignId,
      String idempotencyKey,
      SubmitTurnRequest request,
      RequestMetadata meta) {
    if (idempotencyKey == null || !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
      return Uni.createFrom().failure(TurnProblems.idempotencyKeyRequired());
    }
    String raw = request.userInput();
    String input;
    try {
      input = cleaner.clean(raw);
    } catch (ProblemException refused) {
      return Uni.createFrom().failure(refused);
    }
    String hash = sha256(input);
    return Panache.withSession(() -> turns.findByKey(campaignId, player, idempotencyKey))
        .chain(
            existing ->
                isReplay(existing, hash)
                    ? Uni.createFrom().voidItem()
                    : enforceRateLimit(player, campaignId, meta))
        .chain(
            () ->
                Panache.withTransaction(
                    () -> claim(player, campaignId, idempotencyKey, raw, input, hash, meta)))
        .chain(
            claim ->
                claim.done() != null
                    ? Uni.createFrom().item(claim.done())
                    : narrate(player, playerToken, claim.work(), meta));
  }

  private Uni<Claim> claim(
      String player,
      UUID campaignId,
      String idempotencyKey,
      String raw,
      String input,
      String hash,
      RequestMetadata meta) {
    return campaigns
        .lockOwned(campaignId, player)
        .onItem()
        .ifNull()
        .failWith(TurnProblems::campaignNotFound)
        .chain(
            campaign ->
                turns
                    .findByKey(campaignId, player, idempotencyKey)
                    .chain(
                        existing ->
                            existing == null
                                ? newTurn(campaign, player, idempotencyKey, raw, input, hash, meta)
                                : again(campaign, existing, hash)));
  }

  /**
   * Whether a request repeats a key whose answer needs no narrator call (its stored result, 409
   * while it runs, 422 for another body): not a new turn, so not counted against the rate limit, or
   * a client following Retry-After through a slow narration would use up its minute. A key of a
   * failed turn (or an expired lease) is taken over with a narrator call, and counts.
   */
  private boolean isReplay(Turn existing, String hash) {
    if (existing == null) {
      return false;
    }
    return !existing.requestHash.equals(hash)
        || Turn.COMPLETED.equals(existing.status)
        || (Turn.RUNNING.equals(existing.status)
            && existing.leaseUntil != null
            && existing.leaseUntil.isAfter(now()));
  }

  /** A request with a key already used: see the class comment. */
  private Uni<Claim> again(Campaign campaign, Turn existing, String hash) {
    if (!MessageDigest.isEqual(
        existing.requestHash.getBytes(StandardCharsets.US_ASCII),
        hash.getBytes(StandardCharsets.US_ASCII))) {
      return Uni.createFrom().failure(TurnProblems.idempotencyKeyReused());
    }
    if (Turn.COMPLETED.equals(existing.status)) {
      return Uni.createFrom().item(new Claim(TurnResponse.of(existing), null));
    }
    Instant now = now();
    if (Turn.RUNNING.equals(existing.status)
        && existing.leaseUntil != null
        && existing.leaseUntil.isAfter(now)) {
      long left = Duration.between(now, existing.leaseUntil).toSeconds();
      return Uni.createFrom().failure(TurnProblems.turnInProgress(Math.max(1, Math.min(5, left))));
    }
    // Failed, or running under a lease nobody renews (its request died): this request takes over.
    existing.status = Turn.RUNNING;
    existing.attempts++;
    existing.failureReason = null;
    existing.leaseUntil = now.plus(config.narrator().turnLease());
    existing.updatedAt = now;
    return work(campaign, existing).map(work -> new Claim(null, work));
  }

  private Uni<Claim> newTurn(
      Campaign campaign,
      String player,
      String idempotencyKey,
      String raw,
      String input,
      String hash,
      RequestMetadata meta) {
    Instant now = now();
    Turn turn = new Turn();
    turn.id = TimeOrderedUuid.next(clock);
    turn.campaignId = campaign.id;
    turn.playerId = player;
    turn.sequence = ++campaign.turnCount;
    turn.idempotencyKey = idempotencyKey;
    turn.requestHash = hash;
    turn.userInput = input;
    turn.promptBoundary = boundary();
    turn.status = Turn.RUNNING;
    turn.attempts = 1;
    turn.leaseUntil = now.plus(config.narrator().turnLease());
    turn.createdAt = now;
    turn.updatedAt = now;
    campaign.updatedAt = now;
    InjectionReport report = detector.scan(raw);
    return turns
        .persist(turn)
        .call(
            () ->
                report.isSuspected() ? suspected(turn, report, meta) : Uni.createFrom().voidItem())
        .chain(() -> work(campaign, turn))
        .map(work -> new Claim(null, work));
  }

  private Uni<Work> work(Campaign campaign, Turn turn) {
    JsonNode state = states.read(campaign.state);
    return turns
        .history(campaign.id, turn.sequence, config.narrator().historyTurns())
        .map(
            earlier ->
                new Work(
                    turn.id,
                    turn.attempts,
                    campaign.id,
                    campaign.provider,
                    turn.userInput,
                    turn.promptBoundary,
                    state,
                    earlier.stream()
                        .map(
                            t ->
                                new NarratorPrompt.Exchange(
                                    t.userInput, t.promptBoundary, t.narrative))
                        .toList()));
  }

  private Uni<Void> suspected(Turn turn, InjectionReport report, RequestMetadata meta) {
    for (String pattern : report.patterns()) {
      metrics.counter(INJECTION_METRIC, "pattern", pattern).increment();
    }
    Map<String, String> details = ids(turn.campaignId, turn.id);
    details.put("patterns", String.join(",", report.patterns()));
    if (!report.hiddenIn().isEmpty()) {
      details.put("hiddenIn", String.join(",", report.hiddenIn()));
    }
    details.put("preview", report.preview());
    LOG.infof(
        "Turn %s flagged by injection heuristics: %s",
        turn.id, String.join(",", report.patterns()));
    return events.record(
        TurnEvents.INJECTION_SUSPECTED,
        Severity.WARNING,
        turn.playerId,
        turn.playerId,
        details,
        meta);
  }

  private Uni<TurnResponse> narrate(
      String player, String playerToken, Work work, RequestMetadata meta) {
    String model =
        config.narrator().models().getOrDefault(work.provider(), config.narrator().defaultModel());
    JsonNode request =
        NarratorPrompt.request(
            json,
            model,
            config.narrator().maxTokens(),
            work.state(),
            work.history(),
            work.input(),
            work.boundary());
    return narrator
        .narrate(playerToken, work.provider(), request, meta.requestId())
        .onFailure()
        .call(failure -> failed(player, work, reasonOf(failure), meta))
        .onFailure(NarratorUnavailableException.class)
        .transform(failure -> problemOf((NarratorUnavailableException) failure))
        .chain(answer -> Panache.withTransaction(() -> complete(player, work, answer, meta)));
  }

  private Uni<TurnResponse> complete(
      String player, Work work, String answer, RequestMetadata meta) {
    return campaigns
        .lockOwned(work.campaignId(), player)
        .onItem()
        .ifNull()
        .failWith(TurnProblems::campaignNotFound)
        .chain(
            campaign ->
                turns
                    .findById(work.turnId())
                    .chain(turn -> apply(campaign, turn, parser.parse(answer), meta)));
  }

  private Uni<TurnResponse> apply(
      Campaign campaign, Turn turn, NarratorAnswer answer, RequestMetadata meta) {
    if (Turn.COMPLETED.equals(turn.status)) {
      // Completed meanwhile by a request that took over after this one's lease ran out.
      return Uni.createFrom().item(TurnResponse.of(turn));
    }
    Instant now = now();
    String rejected = null;
    boolean applied = false;
    switch (answer.status()) {
      case PATCH -> {
        PatchOutcome outcome =
            patcher.apply(
                states.read(campaign.state),
                Duration.ofSeconds(campaign.gameTimeSeconds),
                answer.patch());
        if (outcome instanceof PatchOutcome.Applied done) {
          campaign.state = states.write(done.state());
          campaign.gameTimeSeconds = done.gameTime().toSeconds();
          campaign.stateVersion++;
          applied = true;
        } else {
          PatchRejection rejection = ((PatchOutcome.Rejected) outcome).rejection();
          rejected = rejection.reason().code() + ": " + rejection.detail();
        }
      }
      case NO_PATCH -> rejected = null;
      case BAD_JSON, TOO_LARGE -> rejected = answer.status().code();
    }
    campaign.updatedAt = now;
    turn.status = Turn.COMPLETED;
    turn.narrative = answer.prose();
    turn.patchApplied = applied;
    turn.patchReason = rejected == null ? null : cut(rejected);
    turn.stateVersion = campaign.stateVersion;
    turn.leaseUntil = null;
    turn.updatedAt = now;
    Map<String, String> accepted = ids(turn.campaignId, turn.id);
    accepted.put("sequence", Integer.toString(turn.sequence));
    accepted.put("patchApplied", Boolean.toString(applied));
    accepted.put("stateVersion", Long.toString(campaign.stateVersion));
    Uni<Void> recorded =
        events.record(
            TurnEvents.ACCEPTED, Severity.INFO, turn.playerId, turn.playerId, accepted, meta);
    if (turn.patchReason != null) {
      Map<String, String> details = ids(turn.campaignId, turn.id);
      details.put("reason", turn.patchReason);
      recorded =
          recorded.call(
              () ->
                  events.record(
                      TurnEvents.PATCH_REJECTED,
                      Severity.WARNING,
                      turn.playerId,
                      turn.playerId,
                      details,
                      meta));
    }
    return recorded.map(nothing -> TurnResponse.of(turn));
  }

  /** Marks the turn failed with {@code reason} and records {@code turn.failed}. */
  private Uni<Void> failed(String player, Work work, String reason, RequestMetadata meta) {
    LOG.infof("Turn %s failed: %s", work.turnId(), reason);
    return Panache.withTransaction(
            () ->
                turns
                    .findById(work.turnId())
                    .chain(
                        turn -> {
                          if (turn == null
                              || !Turn.RUNNING.equals(turn.status)
                              || turn.attempts != work.attempt()) {
                            // Done meanwhile, or taken over by a retry whose attempt this is not.
                            return Uni.createFrom().voidItem();
                          }
                          turn.status = Turn.FAILED;
                          turn.failureReason = reason;
                          turn.leaseUntil = null;
                          turn.updatedAt = now();
                          Map<String, String> details = ids(work.campaignId(), work.turnId());
                          details.put("reason", reason);
                          details.put("attempts", Integer.toString(turn.attempts));
                          return events.record(
                              TurnEvents.FAILED, Severity.WARNING, player, player, details, meta);
                        }))
        .onFailure()
        .invoke(e -> LOG.warnf("Turn %s could not be marked failed: %s", work.turnId(), e))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }

  /** The caller's turns of their campaign, newest first. */
  @WithSession
  public Uni<Page<TurnSummary>> list(String player, UUID campaignId, Integer limit, String cursor) {
    int size = CampaignService.pageSize(limit, config.campaign());
    Integer before = Cursors.turnAfter(cursor);
    return campaigns
        .findOwned(campaignId, player)
        .onItem()
        .ifNull()
        .failWith(TurnProblems::campaignNotFound)
        .chain(() -> turns.page(campaignId, before, size + 1))
        .map(
            rows -> {
              List<TurnSummary> items = rows.stream().limit(size).map(TurnSummary::of).toList();
              String next =
                  rows.size() > size ? Cursors.turn(items.get(items.size() - 1).sequence()) : null;
              return new Page<>(items, next);
            });
  }

  /**
   * Counts the turn against the player's per-minute limit; over it, a 429 with {@code Retry-After}.
   * The first refusal of a window is recorded at once.
   */
  private Uni<Void> enforceRateLimit(String player, UUID campaignId, RequestMetadata meta) {
    return rateLimits.enforce(
        ACTION,
        player,
        RateLimiter.Limit.perMinute(config.rateLimit().turnsPerMinute()),
        new UserRateLimits.Refusal(
            TurnEvents.RATE_LIMITED,
            Map.of("campaignId", campaignId.toString()),
            TurnProblems::rateLimited),
        meta);
  }

  private static String reasonOf(Throwable failure) {
    return failure instanceof NarratorUnavailableException unavailable
        ? unavailable.reason()
        : "internal-error";
  }

  private static ProblemException problemOf(NarratorUnavailableException failure) {
    return switch (failure.kind()) {
      case KEY_NOT_CONFIGURED -> TurnProblems.keyNotConfigured();
      case UPSTREAM -> TurnProblems.narratorUnavailable(502, failure.reason());
      case UNAVAILABLE -> TurnProblems.narratorUnavailable(503, failure.reason());
    };
  }

  private static Map<String, String> ids(UUID campaignId, UUID turnId) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("campaignId", campaignId.toString());
    details.put("turnId", turnId.toString());
    return details;
  }

  private String boundary() {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static String cut(String text) {
    return text.length() <= MAX_REASON_CHARS ? text : text.substring(0, MAX_REASON_CHARS);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
