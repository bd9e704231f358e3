package io.whispyrkeep.keyvault.rotation;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.whispyrkeep.keyvault.KeyvaultEvents;
import io.whispyrkeep.keyvault.KeyvaultProblems;
import io.whispyrkeep.keyvault.config.KeyvaultConfig;
import io.whispyrkeep.keyvault.custody.CiphertextRefusedException;
import io.whispyrkeep.keyvault.custody.CustodyUnavailableException;
import io.whispyrkeep.keyvault.custody.TransitEngine;
import io.whispyrkeep.keyvault.custody.TransitKeyInfo;
import io.whispyrkeep.keyvault.key.ApiKey;
import io.whispyrkeep.keyvault.key.ApiKeyRepository;
import io.whispyrkeep.platform.db.SqlStates;
import io.whispyrkeep.platform.event.SecurityEvents;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.event.TimeOrderedUuid;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Transit key rotation, the rewrap of every stored ciphertext to the newest key version, and the
 * minimum decryption version that may be raised only once no stored ciphertext is older.
 *
 * <p>A rewrap walks the rows behind the target version in id order, a batch at a time: one engine
 * call, then one transaction that writes the batch (each row only if it still holds the ciphertext
 * that was rewrapped, so a key the player replaced meanwhile is never overwritten) and the run's
 * progress. Finished rows are at the target version and are never selected again, so a run resumed
 * after a crash continues where it stopped. A row whose ciphertext is refused (altered) is skipped
 * and stays behind: it keeps blocking a raise of the minimum version, as it should.
 */
@ApplicationScoped
public class RewrapService {

  private static final Logger LOG = Logger.getLogger(RewrapService.class);

  private static final UUID BEFORE_ANY = new UUID(0, 0);

  private final TransitEngine engine;
  private final ApiKeyRepository keys;
  private final RewrapRunRepository runs;
  private final SecurityEvents events;
  private final KeyvaultConfig config;
  private final Clock clock;
  private final Vertx vertx;

  RewrapService(
      TransitEngine engine,
      ApiKeyRepository keys,
      RewrapRunRepository runs,
      SecurityEvents events,
      KeyvaultConfig config,
      Clock clock,
      Vertx vertx) {
    this.engine = engine;
    this.keys = keys;
    this.runs = runs;
    this.events = events;
    this.config = config;
    this.clock = clock;
    this.vertx = vertx;
  }

  /** Progress of the latest rewrap, and how many stored keys are behind the newest version. */
  public record Progress(
      UUID runId,
      String state,
      int targetVersion,
      int total,
      int rewrapped,
      long remaining,
      int latestVersion,
      int minDecryptionVersion,
      Instant startedAt,
      Instant finishedAt) {}

  /** Adds a transit key version; new keys are encrypted under it at once. */
  public Uni<TransitKeyInfo> rotate(String actor, RequestMetadata meta) {
    return engine
        .rotate()
        .call(
            info ->
                Panache.withTransaction(
                    () ->
                        events.record(
                            KeyvaultEvents.ROTATED,
                            Severity.WARNING,
                            actor,
                            null,
                            Map.of("latestVersion", Integer.toString(info.latestVersion())),
                            meta)));
  }

  /**
   * Starts a rewrap to the newest version (or resumes the running one if its worker is gone) and
   * returns its progress at once; the work goes on in the background.
   */
  public Uni<Progress> start(String actor, RequestMetadata meta) {
    return engine
        .keyInfo()
        .chain(info -> claimOrJoin(info.latestVersion(), actor))
        .invoke(this::launch)
        .chain(claim -> progress());
  }

  /**
   * {@link #claim} in a transaction of its own. When another starter (the scheduled job, a second
   * admin, another replica) created the running run between this one's look and its insert, the
   * one-running-run index refuses the second insert; claiming again then finds that run, alive, and
   * reports it instead of failing.
   */
  private Uni<Claim> claimOrJoin(int latestVersion, String actor) {
    return Panache.withTransaction(() -> claim(latestVersion, actor))
        .onFailure(SqlStates::isUniqueViolation)
        .recoverWithUni(() -> Panache.withTransaction(() -> claim(latestVersion, actor)));
  }

  /** The progress of the latest run (nulls when there has been none). */
  public Uni<Progress> progress() {
    return engine
        .keyInfo()
        .chain(
            info ->
                Panache.withSession(
                    () ->
                        runs.findLatest()
                            .chain(
                                run ->
                                    keys.countBehindVersion(info.latestVersion())
                                        .map(remaining -> progress(run, remaining, info)))));
  }

  /**
   * Raises the minimum decryption version, refused while any stored key is older (a rewrap has not
   * finished); from then on older ciphertexts never decrypt.
   */
  public Uni<TransitKeyInfo> raiseMinDecryptionVersion(
      int version, String actor, RequestMetadata meta) {
    return engine
        .keyInfo()
        .chain(
            info -> {
              if (version < info.minDecryptionVersion() || version > info.latestVersion()) {
                return Uni.createFrom()
                    .failure(KeyvaultProblems.invalidMinVersion(info.latestVersion()));
              }
              return Panache.withSession(() -> keys.countBehindVersion(version))
                  .chain(
                      behind ->
                          behind > 0
                              ? Uni.createFrom()
                                  .<TransitKeyInfo>failure(
                                      KeyvaultProblems.rewrapIncomplete(behind))
                              : engine.raiseMinDecryptionVersion(version));
            })
        .call(
            info ->
                Panache.withTransaction(
                    () ->
                        events.record(
                            KeyvaultEvents.MIN_VERSION_RAISED,
                            Severity.WARNING,
                            actor,
                            null,
                            Map.of(
                                "minDecryptionVersion",
                                Integer.toString(info.minDecryptionVersion()),
                                "latestVersion",
                                Integer.toString(info.latestVersion())),
                            meta)));
  }

  /**
   * The scheduled job, every {@code whispyrkeep.keyvault.rewrap.resume-every} (default 1m): resumes
   * a run whose worker has gone (its lease ran out: the process died or restarted) and, when the
   * latest run started more than {@code whispyrkeep.keyvault.rewrap.every} ago, starts one if
   * stored keys are behind the newest version.
   */
  @Scheduled(
      identity = "keyvault-rewrap",
      every = "${whispyrkeep.keyvault.rewrap.resume-every:1m}",
      delayed = "${whispyrkeep.keyvault.rewrap.resume-every:1m}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> scheduled() {
    Instant now = now();
    return engine
        .keyInfo()
        .chain(
            info ->
                Panache.withSession(
                        () ->
                            runs.findLatest()
                                .chain(
                                    latest -> {
                                      boolean stale =
                                          latest != null
                                              && RewrapRun.RUNNING.equals(latest.state)
                                              && (latest.leaseUntil == null
                                                  || !latest.leaseUntil.isAfter(now));
                                      boolean due =
                                          latest == null
                                              || !RewrapRun.RUNNING.equals(latest.state)
                                                  && latest.startedAt.isBefore(
                                                      now.minus(config.rewrap().every()));
                                      if (stale) {
                                        return Uni.createFrom().item(true);
                                      }
                                      return due
                                          ? keys.countBehindVersion(info.latestVersion())
                                              .map(behind -> behind > 0)
                                          : Uni.createFrom().item(false);
                                    }))
                    .chain(
                        go ->
                            go
                                ? claimOrJoin(info.latestVersion(), "scheduler")
                                : Uni.createFrom().<Claim>nullItem()))
        .invoke(claim -> launch(claim))
        .onFailure()
        .invoke(
            failure ->
                LOG.warnf("Scheduled rewrap not started: %s", failure.getClass().getSimpleName()))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }

  /** A run this worker now holds (null when another live worker holds the running one). */
  record Claim(UUID runId, String worker, int targetVersion) {}

  private Uni<Claim> claim(int latestVersion, String actor) {
    Instant now = now();
    String worker = "worker-" + UUID.randomUUID();
    return runs.findRunningForUpdate()
        .chain(
            running -> {
              if (running != null) {
                if (running.leaseUntil != null && running.leaseUntil.isAfter(now)) {
                  return Uni.createFrom().nullItem(); // its worker is alive: nothing to do
                }
                running.worker = worker;
                running.leaseUntil = now.plus(config.rewrap().lease());
                running.updatedAt = now;
                LOG.infof(
                    "Resuming rewrap run %s to version %d", running.id, running.targetVersion);
                return Uni.createFrom().item(new Claim(running.id, worker, running.targetVersion));
              }
              return keys.countBehindVersion(latestVersion)
                  .chain(
                      behind -> {
                        RewrapRun run = new RewrapRun();
                        run.id = TimeOrderedUuid.next(clock);
                        run.targetVersion = latestVersion;
                        run.total = (int) Math.min(Integer.MAX_VALUE, behind);
                        run.startedBy = actor;
                        run.startedAt = now;
                        run.updatedAt = now;
                        if (behind == 0) {
                          run.state = RewrapRun.FINISHED;
                          run.finishedAt = now;
                          return runs.persist(run).replaceWith(Uni.createFrom().<Claim>nullItem());
                        }
                        run.state = RewrapRun.RUNNING;
                        run.worker = worker;
                        run.leaseUntil = now.plus(config.rewrap().lease());
                        return runs.persist(run)
                            .map(saved -> new Claim(saved.id, worker, latestVersion));
                      });
            });
  }

  /** Runs the claimed rewrap in the background, on a context of its own. */
  private void launch(Claim claim) {
    if (claim == null) {
      return;
    }
    io.vertx.core.Context context =
        VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
    // A context of its own, marked safe for Hibernate Reactive (no request shares it).
    VertxContextSafetyToggle.setContextSafe(context, true);
    context.runOnContext(
        ignored ->
            work(claim, BEFORE_ANY)
                .subscribe()
                .with(
                    done -> {},
                    failure ->
                        LOG.warnf(
                            "Rewrap run %s stopped: %s",
                            claim.runId(), failure.getClass().getSimpleName())));
  }

  /** One batch after {@code after}, then the next, until none is left or the lease is lost. */
  private Uni<Void> work(Claim claim, UUID after) {
    Instant now = now();
    return Panache.withTransaction(
            () ->
                runs.renewLease(
                    claim.runId(), claim.worker(), now, now.plus(config.rewrap().lease())))
        .chain(
            held -> {
              if (!held) {
                LOG.infof("Rewrap run %s: lease lost, stopping", claim.runId());
                return Uni.createFrom().voidItem();
              }
              return Panache.withSession(
                      () ->
                          keys.behindVersion(
                              claim.targetVersion(), after, config.rewrap().batchSize()))
                  .chain(
                      batch ->
                          batch.isEmpty()
                              ? finish(claim)
                              : rewrap(batch)
                                  .chain(rewrapped -> save(claim, batch, rewrapped))
                                  .chain(() -> work(claim, batch.get(batch.size() - 1).id)));
            })
        .onFailure(CustodyUnavailableException.class)
        .call(failure -> fail(claim, "custody-unavailable"));
  }

  /** The batch rewrapped in one call; a refused row in it is retried alone and skipped if bad. */
  private Uni<List<String>> rewrap(List<ApiKey> batch) {
    List<TransitEngine.Sealed> items = new ArrayList<>(batch.size());
    for (ApiKey row : batch) {
      items.add(new TransitEngine.Sealed(row.ownerId, row.ciphertext));
    }
    return engine
        .rewrapBatch(items)
        .onFailure(CiphertextRefusedException.class)
        .recoverWithUni(() -> rewrapOneByOne(items));
  }

  private Uni<List<String>> rewrapOneByOne(List<TransitEngine.Sealed> items) {
    Uni<List<String>> result = Uni.createFrom().item(new ArrayList<>());
    for (TransitEngine.Sealed item : items) {
      result =
          result.chain(
              list ->
                  engine
                      .rewrap(item.context(), item.ciphertext())
                      .onFailure(CiphertextRefusedException.class)
                      .recoverWithNull()
                      .map(
                          rewrapped -> {
                            list.add(rewrapped);
                            return list;
                          }));
    }
    return result;
  }

  private Uni<Void> save(Claim claim, List<ApiKey> batch, List<String> rewrapped) {
    return Panache.withTransaction(
        () -> {
          Uni<Integer> updated = Uni.createFrom().item(0);
          for (int i = 0; i < batch.size(); i++) {
            ApiKey row = batch.get(i);
            String ciphertext = rewrapped.get(i);
            if (ciphertext == null) {
              continue; // refused: stays behind, reported by the remaining count
            }
            int version = TransitEngine.versionOf(ciphertext);
            updated =
                updated.chain(
                    count ->
                        keys.replaceCiphertext(row.id, row.ciphertext, ciphertext, version)
                            .map(changed -> count + changed));
          }
          return updated.chain(
              count ->
                  runs.addProgress(claim.runId(), claim.worker(), count, now())
                      .chain(
                          held ->
                              held
                                  ? Uni.createFrom().voidItem()
                                  // Another worker took the run over: undo this batch's writes.
                                  : Uni.createFrom()
                                      .failure(new IllegalStateException("rewrap lease lost"))));
        });
  }

  private Uni<Void> finish(Claim claim) {
    Instant now = now();
    return Panache.withTransaction(
        () ->
            runs.findById(claim.runId())
                .chain(
                    run -> {
                      if (run == null
                          || !RewrapRun.RUNNING.equals(run.state)
                          || !claim.worker().equals(run.worker)) {
                        return Uni.createFrom().voidItem();
                      }
                      run.state = RewrapRun.FINISHED;
                      run.finishedAt = now;
                      run.updatedAt = now;
                      run.leaseUntil = null;
                      return events.record(
                          KeyvaultEvents.REWRAPPED,
                          Severity.INFO,
                          run.startedBy,
                          null,
                          Map.of(
                              "runId", run.id.toString(),
                              "targetVersion", Integer.toString(run.targetVersion),
                              "rewrapped", Integer.toString(run.rewrapped),
                              "total", Integer.toString(run.total)),
                          RequestMetadata.NONE);
                    }));
  }

  private Uni<Void> fail(Claim claim, String reason) {
    Instant now = now();
    return Panache.withTransaction(
            () ->
                runs.findById(claim.runId())
                    .invoke(
                        run -> {
                          if (run != null
                              && RewrapRun.RUNNING.equals(run.state)
                              && claim.worker().equals(run.worker)) {
                            run.state = RewrapRun.FAILED;
                            run.lastError = reason;
                            run.updatedAt = now;
                            run.leaseUntil = null;
                          }
                        }))
        .replaceWithVoid()
        .onFailure()
        .recoverWithNull();
  }

  private static Progress progress(RewrapRun run, long remaining, TransitKeyInfo info) {
    if (run == null) {
      return new Progress(
          null,
          null,
          0,
          0,
          0,
          remaining,
          info.latestVersion(),
          info.minDecryptionVersion(),
          null,
          null);
    }
    return new Progress(
        run.id,
        run.state,
        run.targetVersion,
        run.total,
        run.rewrapped,
        remaining,
        info.latestVersion(),
        info.minDecryptionVersion(),
        run.startedAt,
        run.finishedAt);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
