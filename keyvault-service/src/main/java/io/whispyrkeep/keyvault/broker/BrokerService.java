package io.whispyrkeep.keyvault.broker;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.keyvault.KeyvaultEvents;
import io.whispyrkeep.keyvault.KeyvaultProblems;
import io.whispyrkeep.keyvault.config.KeyvaultConfig;
import io.whispyrkeep.keyvault.custody.CiphertextRefusedException;
import io.whispyrkeep.keyvault.custody.TransitEngine;
import io.whispyrkeep.keyvault.key.ApiKey;
import io.whispyrkeep.keyvault.key.ApiKeyRepository;
import io.whispyrkeep.keyvault.key.KeyMaterial;
import io.whispyrkeep.keyvault.outbound.ChatCompletion;
import io.whispyrkeep.keyvault.outbound.ChatRequest;
import io.whispyrkeep.keyvault.outbound.InFlightLimit;
import io.whispyrkeep.keyvault.outbound.ProviderClient;
import io.whispyrkeep.keyvault.provider.Providers;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The outbound broker: a service acting for a player (a delegated token, RFC 8693) has the player's
 * own key used for one provider call. The key is decrypted only after its {@code key.used} event is
 * committed (fail closed, as Vault's audit devices are), lives only in a byte array for the
 * duration of the call, and is cleared when the call ends, whatever the outcome.
 *
 * <p>A player has at most {@code whispyrkeep.keyvault.broker.max-concurrent-per-player} calls
 * running on a replica; more are refused with 429 before any work, so one player's slow calls
 * cannot take every slot of a provider's bulkhead, which all players share.
 */
@ApplicationScoped
public class BrokerService {

  private final Providers providers;
  private final ApiKeyRepository keys;
  private final TransitEngine engine;
  private final ProviderClient client;
  private final SecurityEvents events;
  private final KeyvaultConfig config;

  /** Calls running per player on this replica. */
  private final InFlightLimit running;

  BrokerService(
      Providers providers,
      ApiKeyRepository keys,
      TransitEngine engine,
      ProviderClient client,
      SecurityEvents events,
      KeyvaultConfig config) {
    this.providers = providers;
    this.keys = keys;
    this.engine = engine;
    this.client = client;
    this.events = events;
    this.config = config;
    this.running = new InFlightLimit(config.broker().maxConcurrentPerPlayer(), Integer.MAX_VALUE);
  }

  public Uni<ChatCompletion> chat(
      JsonWebToken jwt, String providerName, ChatRequest request, RequestMetadata meta) {
    KeyvaultConfig.Provider provider = providers.require(providerName);
    Delegation delegation;
    try {
      delegation = Delegation.of(jwt, config.broker());
    } catch (Delegation.RefusedException refused) {
      return deny(
              jwt.getSubject(),
              refused.caller,
              providerName,
              "token-"
                  + refused.refusal.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
              meta)
          .chain(() -> Uni.createFrom().failure(KeyvaultProblems.delegationRequired()));
    }
    return Uni.createFrom()
        .deferred(
            () -> {
              if (!running.tryAcquire(delegation.player())) {
                return Uni.createFrom().<ChatCompletion>failure(KeyvaultProblems.tooManyCalls());
              }
              return call(delegation, provider, providerName, request, meta)
                  .onTermination()
                  .invoke(() -> running.release(delegation.player()));
            });
  }

  private Uni<ChatCompletion> call(
      Delegation delegation,
      KeyvaultConfig.Provider provider,
      String providerName,
      ChatRequest request,
      RequestMetadata meta) {
    return Panache.withTransaction(
            () ->
                keys.findByOwner(delegation.player(), providerName)
                    .call(
                        row ->
                            row == null
                                ? Uni.createFrom().voidItem()
                                : events.record(
                                    KeyvaultEvents.USED,
                                    Severity.INFO,
                                    delegation.caller(),
                                    delegation.player(),
                                    used(providerName, delegation.caller(), row),
                                    meta)))
        .onItem()
        .ifNull()
        .failWith(KeyvaultProblems::keyNotConfigured)
        .chain(row -> decryptAndCall(delegation, provider, providerName, row, request, meta));
  }

  private Uni<ChatCompletion> decryptAndCall(
      Delegation delegation,
      KeyvaultConfig.Provider provider,
      String providerName,
      ApiKey row,
      ChatRequest request,
      RequestMetadata meta) {
    return engine
        .decrypt(delegation.player(), row.ciphertext)
        .onFailure(CiphertextRefusedException.class)
        .call(
            failure ->
                deny(
                    delegation.player(),
                    delegation.caller(),
                    providerName,
                    "ciphertext-"
                        + ((CiphertextRefusedException) failure)
                            .reason()
                            .name()
                            .toLowerCase(java.util.Locale.ROOT)
                            .replace('_', '-'),
                    meta))
        .chain(
            apiKey ->
                client
                    .chat(providers.endpoint(providerName, provider, row.baseUrl), apiKey, request)
                    .eventually(() -> KeyMaterial.clear(apiKey)));
  }

  private Uni<Void> deny(
      String subject, String caller, String providerName, String reason, RequestMetadata meta) {
    // One event per subject, caller, provider and reason a minute (per replica): a flood of refused
    // calls must not become a flood of outbox rows, Kafka records and audit entries.
    if (recentDenials
            .asMap()
            .putIfAbsent(subject + '|' + caller + '|' + providerName + '|' + reason, Boolean.TRUE)
        != null) {
      return Uni.createFrom().voidItem();
    }
    Map<String, String> details = new LinkedHashMap<>();
    details.put("provider", providerName);
    details.put("reason", reason);
    if (caller != null) {
      details.put("caller", caller);
    }
    return Panache.withTransaction(
        () ->
            events.record(
                KeyvaultEvents.DECRYPT_DENIED, Severity.WARNING, caller, subject, details, meta));
  }

  /** Refusals reported within the last minute; bounded so that it cannot grow with an attack. */
  private final Cache<String, Boolean> recentDenials =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(1)).build();

  private static Map<String, String> used(String provider, String caller, ApiKey row) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("provider", provider);
    details.put("caller", caller);
    details.put("fingerprint", row.fingerprint);
    details.put("keyVersion", Integer.toString(row.keyVersion));
    return details;
  }
}
