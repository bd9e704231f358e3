package io.whispyrkeep.audit.chain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.whispyrkeep.audit.config.AuditConfig;
import io.whispyrkeep.platform.crypto.RsaKeyFiles;
import io.whispyrkeep.platform.event.SecurityEventTopics;
import io.whispyrkeep.platform.event.TimeOrderedUuid;
import io.whispyrkeep.platform.outbox.OutboxSql;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Signed checkpoints of the chain heads. A hash chain alone proves order and integrity only against
 * someone who cannot rewrite the whole chain; whoever can write to the database can also recompute
 * every hash after an edit. A checkpoint signs {@code (chain, seq, hash, signedAt)} with an RSA key
 * that lives outside the database, so such a rewrite no longer matches the signed heads.
 *
 * <p>Checkpoints are themselves a chain: each one also signs {@code previous}, the SHA-256 of the
 * signature of the checkpoint stored before it, so removing or inserting one breaks the chain.
 * Signers take an advisory lock, so replicas never fork it. Each checkpoint is also published, as
 * it is signed, on {@code security.alerts} (key {@value #MESSAGE_KEY}) through the outbox, so a
 * copy lives outside the database: whoever cuts the trail and removes the checkpoints that covered
 * the cut is contradicted by the published ones.
 *
 * <p>The signed statement is the UTF-8 text {@code
 * whispyrkeep-audit-checkpoint/v2\n<chain>\n<seq>\n<hash hex>\n<signedAt ISO-8601>\n<previous hex,
 * or none for the first checkpoint>}, signed with SHA256withRSA, so anyone holding the public key
 * can check a checkpoint without this code. Checkpoints signed before chaining use {@code
 * whispyrkeep-audit-checkpoint/v1\n<chain>\n<seq>\n<hash hex>\n<signedAt ISO-8601>} and are still
 * verified as such.
 */
@ApplicationScoped
@Startup
public class Checkpoints {

  private static final Logger LOG = Logger.getLogger(Checkpoints.class);
  private static final String ALGORITHM = "SHA256withRSA";

  /** Kafka key of published checkpoints on {@code security.alerts}. */
  public static final String MESSAGE_KEY = "audit-checkpoint";

  /** Version of the statement signed today. */
  static final int VERSION = 2;

  /** Slack added to the signing interval before a checkpoint counts as stale. */
  static final Duration DEFAULT_SLACK = Duration.ofMinutes(2);

  /** The outcome of checking one stored checkpoint's signature. */
  public enum SignatureCheck {
    VALID,
    INVALID,
    UNKNOWN_KEY
  }

  private final Pool pool;
  private final Clock clock;
  private final ObjectMapper mapper;
  private final Optional<RsaKeyFiles.RsaKey> signingKey;
  private final Map<String, RSAPublicKey> trustedKeys;
  private final Optional<Duration> maxAge;
  private final Map<Integer, Long> highestSigned = new ConcurrentHashMap<>();

  Checkpoints(Pool pool, Clock clock, ObjectMapper mapper, AuditConfig config) {
    this.pool = pool;
    this.clock = clock;
    this.mapper = mapper;
    this.signingKey = config.checkpoint().signingKeyFile().map(RsaKeyFiles::load);
    this.maxAge =
        signingKey.isEmpty()
            ? Optional.empty()
            : config
                .checkpoint()
                .maxAge()
                .or(() -> interval(config.checkpoint().every()).map(d -> d.plus(DEFAULT_SLACK)));
    Map<String, RSAPublicKey> trusted = new LinkedHashMap<>();
    signingKey.ifPresent(key -> trusted.put(key.keyId(), key.publicKey()));
    for (Path file : config.checkpoint().previousPublicKeyFiles().orElse(List.of())) {
      RSAPublicKey key = RsaKeyFiles.loadPublic(file);
      trusted.put(RsaKeyFiles.thumbprint(key), key);
    }
    this.trustedKeys = Map.copyOf(trusted);
    if (signingKey.isEmpty()) {
      LOG.warn(
          "whispyrkeep.audit.checkpoint.signing-key-file is not set: chain heads are not signed,"
              + " so a rewrite of a whole chain would not be detected");
    }
  }

  /** Whether a signing key is configured. */
  public boolean enabled() {
    return signingKey.isPresent();
  }

  /**
   * The age after which the newest checkpoint is stale and unsigned rows lack one; empty when
   * checkpoints are off or not signed on a schedule.
   */
  public Optional<Duration> maxAge() {
    return maxAge;
  }

  private static Optional<Duration> interval(String every) {
    if (every == null || every.isBlank() || "off".equalsIgnoreCase(every.trim())) {
      return Optional.empty();
    }
    return Optional.of(DurationConverter.parseDuration(every.trim()));
  }

  @Scheduled(
      every = "${whispyrkeep.audit.checkpoint.every:5m}",
      delayed = "30s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> scheduled() {
    return signMovedHeads()
        .onFailure()
        .invoke(e -> LOG.warnf("chain checkpoints not signed this time: %s", e.toString()))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }

  /** A chain head, and the newest checkpoint of its chain. */
  private record Head(int chain, long seq, byte[] hash, Long signedSeq, byte[] signedHash) {

    boolean moved() {
      return signedSeq == null || seq > signedSeq;
    }

    boolean asSigned() {
      return signedSeq != null && seq == signedSeq && MessageDigest.isEqual(hash, signedHash);
    }
  }

  /** A checkpoint about to be stored and published. */
  private record Signed(
      int chain, long seq, byte[] hash, Instant signedAt, byte[] previous, byte[] signature) {}

  /**
   * Signs the head of every chain that moved since its last checkpoint, each checkpoint chained to
   * the one before, stores them and queues their publication, in one transaction under an advisory
   * lock (replicas take turns). When no chain moved and the newest checkpoint is older than half
   * the {@link #maxAge()}, the first unchanged head is signed again as a heartbeat. A head behind
   * its own checkpoint (the trail was cut) is never signed. Returns how many were signed.
   */
  public Uni<Integer> signMovedHeads() {
    if (signingKey.isEmpty()) {
      return Uni.createFrom().item(0);
    }
    RsaKeyFiles.RsaKey key = signingKey.get();
    return pool.withTransaction(
            sql ->
                sql.query("SELECT 1 FROM pg_advisory_xact_lock(hashtext('audit_checkpoint'))")
                    .execute()
                    .chain(
                        () ->
                            sql.query(
                                    "SELECT signature, signed_at FROM audit_checkpoint"
                                        + " ORDER BY id DESC LIMIT 1")
                                .execute())
                    .chain(
                        tail ->
                            sql.query(
                                    "SELECT h.chain, h.seq, h.hash, c.seq AS signed_seq,"
                                        + " c.hash AS signed_hash FROM audit_chain_head h"
                                        + " LEFT JOIN LATERAL (SELECT seq, hash FROM audit_checkpoint"
                                        + " WHERE chain = h.chain ORDER BY seq DESC, id DESC LIMIT 1)"
                                        + " c ON true WHERE h.seq > 0 ORDER BY h.chain")
                                .execute()
                                .emitOn(Infrastructure.getDefaultWorkerPool()) // RSA signing below
                                .map(heads -> sign(key, tail, heads)))
                    .call(signed -> store(sql, key, signed)))
        // Remembered once committed, so a verify that reads it first sees heads at least as far.
        .invoke(signed -> signed.forEach(c -> highestSigned.merge(c.chain(), c.seq(), Math::max)))
        .map(List::size);
  }

  /**
   * The highest sequence number this process has signed, per chain. A head found below it means the
   * trail was cut after a checkpoint, even when the checkpoints that covered the cut were removed
   * from the database too (they are also published). Kept in memory: a restarted or other replica
   * relies on the published copies and on staleness instead.
   */
  public Map<Integer, Long> highestSigned() {
    return Map.copyOf(highestSigned);
  }

  /** Forgets what this process signed, as a restart would. */
  void forgetHighestSigned() {
    highestSigned.clear();
  }

  private List<Signed> sign(
      RsaKeyFiles.RsaKey key, io.vertx.mutiny.sqlclient.RowSet<Row> tail, Iterable<Row> rows) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    List<Head> heads = new ArrayList<>();
    for (Row row : rows) {
      heads.add(
          new Head(
              row.getInteger("chain"),
              row.getLong("seq"),
              row.getBuffer("hash").getBytes(),
              row.getLong("signed_seq"),
              row.getValue("signed_hash") == null
                  ? null
                  : row.getBuffer("signed_hash").getBytes()));
    }
    List<Head> due = new ArrayList<>();
    for (Head head : heads) {
      long known =
          Math.max(
              head.signedSeq() == null ? 0 : head.signedSeq(),
              highestSigned.getOrDefault(head.chain(), 0L));
      if (head.seq() < known) {
        LOG.errorf(
            "chain %d: head %d is behind signed sequence number %d; not signed (verify reports it)",
            head.chain(), head.seq(), known);
      } else if (head.moved()) {
        due.add(head);
      }
    }
    Row last = tail.size() == 0 ? null : tail.iterator().next();
    if (due.isEmpty() && last != null && heartbeatDue(last.getOffsetDateTime("signed_at"), now)) {
      heads.stream().filter(Head::asSigned).findFirst().ifPresent(due::add);
    }
    byte[] previous = last == null ? null : digest(last.getBuffer("signature").getBytes());
    List<Signed> signed = new ArrayList<>();
    for (Head head : due) {
      byte[] signature =
          sign(key, statement(VERSION, head.chain(), head.seq(), head.hash(), now, previous));
      signed.add(new Signed(head.chain(), head.seq(), head.hash(), now, previous, signature));
      previous = digest(signature);
    }
    return signed;
  }

  private boolean heartbeatDue(OffsetDateTime newest, Instant now) {
    return maxAge.map(age -> !newest.toInstant().plus(age.dividedBy(2)).isAfter(now)).orElse(false);
  }

  private Uni<Integer> store(SqlConnection sql, RsaKeyFiles.RsaKey key, List<Signed> signed) {
    if (signed.isEmpty()) {
      return Uni.createFrom().item(0);
    }
    List<Tuple> rows = new ArrayList<>();
    for (Signed checkpoint : signed) {
      rows.add(
          Tuple.tuple()
              .addInteger(checkpoint.chain())
              .addLong(checkpoint.seq())
              .addBuffer(Buffer.buffer(checkpoint.hash()))
              .addOffsetDateTime(OffsetDateTime.ofInstant(checkpoint.signedAt(), ZoneOffset.UTC))
              .addString(key.keyId())
              .addBuffer(Buffer.buffer(checkpoint.signature()))
              .addShort((short) VERSION)
              .addValue(
                  checkpoint.previous() == null
                      ? null
                      : io.vertx.core.buffer.Buffer.buffer(checkpoint.previous())));
    }
    Uni<Void> published =
        sql.preparedQuery(
                "INSERT INTO audit_checkpoint (chain, seq, hash, signed_at, key_id, signature,"
                    + " version, previous) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .executeBatch(rows)
            .replaceWithVoid();
    for (Signed checkpoint : signed) {
      String payload = publication(key, checkpoint);
      published =
          published.chain(
              () ->
                  OutboxSql.insert(
                      sql,
                      TimeOrderedUuid.next(clock),
                      SecurityEventTopics.SECURITY_ALERTS,
                      MESSAGE_KEY,
                      payload,
                      clock.instant()));
    }
    return published.replaceWith(signed.size());
  }

  /** The published form: everything needed to check the signature without the database. */
  private String publication(RsaKeyFiles.RsaKey key, Signed checkpoint) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", "audit.checkpoint");
    message.put("version", VERSION);
    message.put("chain", checkpoint.chain());
    message.put("seq", checkpoint.seq());
    message.put("hash", HexFormat.of().formatHex(checkpoint.hash()));
    message.put("signedAt", checkpoint.signedAt().toString());
    message.put(
        "previous",
        checkpoint.previous() == null ? null : HexFormat.of().formatHex(checkpoint.previous()));
    message.put("keyId", key.keyId());
    message.put("signature", Base64.getEncoder().encodeToString(checkpoint.signature()));
    try {
      return mapper.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("checkpoint cannot be serialised", e);
    }
  }

  /** What a checkpoint's successor signs as {@code previous}: SHA-256 of its signature. */
  public static byte[] digest(byte[] signature) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(signature);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Checks a stored checkpoint's signature against the trusted keys. CPU-bound: call off-loop. */
  public SignatureCheck check(
      int version,
      int chain,
      long seq,
      byte[] hash,
      Instant signedAt,
      byte[] previous,
      String keyId,
      byte[] signature) {
    if (version != 1 && version != VERSION) {
      return SignatureCheck.INVALID;
    }
    RSAPublicKey key = trustedKeys.get(keyId);
    if (key == null) {
      return SignatureCheck.UNKNOWN_KEY;
    }
    try {
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(key);
      verifier.update(statement(version, chain, seq, hash, signedAt, previous));
      return verifier.verify(signature) ? SignatureCheck.VALID : SignatureCheck.INVALID;
    } catch (GeneralSecurityException e) {
      return SignatureCheck.INVALID;
    }
  }

  /** The exact bytes a checkpoint signs: v1 (before chaining) or v2 (with previous). */
  static byte[] statement(
      int version, int chain, long seq, byte[] hash, Instant signedAt, byte[] previous) {
    String text =
        "whispyrkeep-audit-checkpoint/v"
            + version
            + "\n"
            + chain
            + "\n"
            + seq
            + "\n"
            + HexFormat.of().formatHex(hash)
            + "\n"
            + signedAt.truncatedTo(ChronoUnit.MICROS);
    if (version >= 2) {
      text += "\n" + (previous == null ? "none" : HexFormat.of().formatHex(previous));
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] sign(RsaKeyFiles.RsaKey key, byte[] statement) {
    try {
      Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(key.privateKey());
      signer.update(statement);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("checkpoint signing failed", e);
    }
  }
}
