package io.whispyrkeep.keyvault.key;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.keyvault.KeyvaultEvents;
import io.whispyrkeep.keyvault.KeyvaultProblems;
import io.whispyrkeep.keyvault.config.KeyvaultConfig;
import io.whispyrkeep.keyvault.custody.TransitEngine;
import io.whispyrkeep.keyvault.outbound.BaseUrlGuard;
import io.whispyrkeep.keyvault.outbound.BaseUrlRefusedException;
import io.whispyrkeep.keyvault.provider.Providers;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.event.TimeOrderedUuid;
import io.whispyrkeep.platform.http.RequestMetadata;
import io.whispyrkeep.platform.problem.Problem;
import io.whispyrkeep.platform.ratelimit.RateLimiter;
import io.whispyrkeep.platform.ratelimit.UserRateLimits;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A player's own provider keys: stored only as transit ciphertext (encrypted before any row is
 * written, so a key is never stored unencrypted, not even for a moment), listed as metadata,
 * deleted for real. Every change is rate limited per player across replicas and recorded as a
 * security event in the same transaction.
 */
@ApplicationScoped
public class KeyService {

  /** The rate-limit action of key changes (PUT and DELETE). */
  static final String CHANGE_ACTION = "key-change";

  private final ApiKeyRepository keys;
  private final Providers providers;
  private final TransitEngine engine;
  private final KeyFingerprints fingerprints;
  private final BaseUrlGuard baseUrls;
  private final UserRateLimits rateLimits;
  private final SecurityEvents events;
  private final KeyvaultConfig config;
  private final Clock clock;

  KeyService(
      ApiKeyRepository keys,
      Providers providers,
      TransitEngine engine,
      KeyFingerprints fingerprints,
      BaseUrlGuard baseUrls,
      UserRateLimits rateLimits,
      SecurityEvents events,
      KeyvaultConfig config,
      Clock clock) {
    this.keys = keys;
    this.providers = providers;
    this.engine = engine;
    this.fingerprints = fingerprints;
    this.baseUrls = baseUrls;
    this.rateLimits = rateLimits;
    this.events = events;
    this.config = config;
    this.clock = clock;
  }

  /** The outcome of a PUT: the stored metadata and whether it was new. */
  public record Stored(KeyResponse key, boolean created) {}

  /** Encrypts and stores (or replaces) the player's key for the provider; clears the key. */
  public Uni<Stored> store(
      String ownerId, String providerName, StoreKeyRequest request, RequestMetadata meta) {
    char[] apiKey = request == null ? null : request.apiKey();
    try {
      KeyvaultConfig.Provider provider = providers.require(providerName);
      List<Problem.FieldError> errors = KeyShape.check(provider, apiKey);
      if (!errors.isEmpty()) {
        return Uni.createFrom().failure(KeyvaultProblems.invalidKey(errors));
      }
      String baseUrl = request.baseUrl();
      if (provider.playerBaseUrl() && (baseUrl == null || baseUrl.isBlank())) {
        return Uni.createFrom()
            .failure(
                KeyvaultProblems.invalidKey(
                    List.of(new Problem.FieldError("baseUrl", "required for this provider"))));
      }
      if (!provider.playerBaseUrl() && baseUrl != null) {
        return Uni.createFrom()
            .failure(
                KeyvaultProblems.invalidKey(
                    List.of(new Problem.FieldError("baseUrl", "not accepted for this provider"))));
      }
      byte[] keyBytes = KeyMaterial.utf8(apiKey);
      String last4 = new String(apiKey, apiKey.length - 4, 4);
      String fingerprint = fingerprints.of(keyBytes);
      return enforceRateLimit(ownerId, providerName, meta)
          .chain(
              () ->
                  provider.playerBaseUrl() ? checkBaseUrl(baseUrl) : Uni.createFrom().item(baseUrl))
          .chain(
              checkedBaseUrl ->
                  engine
                      .encrypt(ownerId, keyBytes)
                      .chain(
                          ciphertext ->
                              Panache.withTransaction(
                                  () ->
                                      save(
                                          ownerId,
                                          providerName,
                                          ciphertext,
                                          last4,
                                          fingerprint,
                                          checkedBaseUrl,
                                          meta))))
          .eventually(() -> KeyMaterial.clear(keyBytes));
    } finally {
      KeyMaterial.clear(apiKey);
    }
  }

  /**
   * The player's base URL through the SSRF guard (every resolved address public), normalised; the
   * guard runs again at every call, against the address it connects to.
   */
  private Uni<String> checkBaseUrl(String baseUrl) {
    return baseUrls
        .check(baseUrl)
        .map(target -> target.uri().toString())
        .onFailure(BaseUrlRefusedException.class)
        .transform(
            failure ->
                KeyvaultProblems.baseUrlRefused(
                    ((BaseUrlRefusedException) failure).reason().code()));
  }

  /** The caller's keys, metadata only. */
  @WithSession
  public Uni<List<KeyResponse>> list(String ownerId) {
    return keys.listByOwner(ownerId)
        .map(
            rows ->
                rows.stream()
                    .filter(row -> providers.find(row.provider) != null)
                    .map(KeyResponse::of)
                    .toList());
  }

  /** The caller's key for the provider, or 404. */
  @WithSession
  public Uni<KeyResponse> get(String ownerId, String providerName) {
    providers.require(providerName);
    return keys.findByOwner(ownerId, providerName)
        .onItem()
        .ifNull()
        .failWith(KeyvaultProblems::keyNotFound)
        .map(KeyResponse::of);
  }

  /** Deletes the caller's key for the provider (the row itself); 404 when there is none. */
  public Uni<Void> delete(String ownerId, String providerName, RequestMetadata meta) {
    providers.require(providerName);
    return enforceRateLimit(ownerId, providerName, meta)
        .chain(
            () ->
                Panache.withTransaction(
                    () ->
                        keys.lockOwner(ownerId)
                            .chain(() -> keys.findByOwner(ownerId, providerName))
                            .onItem()
                            .ifNull()
                            .failWith(KeyvaultProblems::keyNotFound)
                            .chain(
                                row ->
                                    keys.deleteByOwner(ownerId, providerName)
                                        .chain(
                                            () ->
                                                events.record(
                                                    KeyvaultEvents.DELETED,
                                                    Severity.INFO,
                                                    ownerId,
                                                    ownerId,
                                                    details(
                                                        providerName,
                                                        row.fingerprint,
                                                        row.keyVersion),
                                                    meta)))));
  }

  private Uni<Stored> save(
      String ownerId,
      String providerName,
      String ciphertext,
      String last4,
      String fingerprint,
      String baseUrl,
      RequestMetadata meta) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    int version = TransitEngine.versionOf(ciphertext);
    return keys.lockOwner(ownerId)
        .chain(() -> keys.findByOwner(ownerId, providerName))
        .chain(
            existing -> {
              boolean created = existing == null;
              ApiKey row = created ? new ApiKey() : existing;
              if (created) {
                row.id = TimeOrderedUuid.next(clock);
                row.ownerId = ownerId;
                row.provider = providerName;
                row.createdAt = now;
              }
              row.ciphertext = ciphertext;
              row.keyVersion = version;
              row.last4 = last4;
              row.fingerprint = fingerprint;
              row.baseUrl = baseUrl;
              row.updatedAt = now;
              return keys.persist(row)
                  .call(
                      () ->
                          events.record(
                              created ? KeyvaultEvents.STORED : KeyvaultEvents.REPLACED,
                              Severity.INFO,
                              ownerId,
                              ownerId,
                              details(providerName, fingerprint, version),
                              meta))
                  .map(saved -> new Stored(KeyResponse.of(saved), created));
            });
  }

  /**
   * Counts a key change against the player's hourly limit; over it, a 429 with {@code Retry-After}.
   * The first refusal of a window is recorded at once; the window's report adds the count later.
   */
  private Uni<Void> enforceRateLimit(String ownerId, String providerName, RequestMetadata meta) {
    return rateLimits.enforce(
        CHANGE_ACTION,
        ownerId,
        RateLimiter.Limit.perHour(config.keys().changesPerHour()),
        new UserRateLimits.Refusal(
            KeyvaultEvents.RATE_LIMITED,
            Map.of("provider", providerName),
            KeyvaultProblems::rateLimited),
        meta);
  }

  static Map<String, String> details(String provider, String fingerprint, int keyVersion) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("provider", provider);
    details.put("fingerprint", fingerprint);
    details.put("keyVersion", Integer.toString(keyVersion));
    return details;
  }
}
