package io.whispyrkeep.audit.chain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.whispyrkeep.audit.config.AuditConfig;
import io.whispyrkeep.audit.ingest.EventAuthenticator;
import io.whispyrkeep.audit.ingest.OffsetLedger;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;

/**
 * Re-walks the hash chains and reports the first broken link: a row whose hash does not match its
 * content (altered), whose searchable columns do not match its hashed content (hidden from
 * queries), whose previous hash is not its predecessor's (reordered or spliced), a gap in the
 * sequence (deleted), a chain whose end is not the recorded head (truncated), a chain that no
 * longer matches a signed checkpoint (rewritten with recomputed hashes), or a row whose publisher
 * signature no longer holds (see {@link EventAuthenticator}). A chain starts at the genesis hash,
 * or at its newest retention anchor once old partitions were dropped. Reads in pages of {@value
 * #PAGE} rows, so memory stays flat on long chains.
 *
 * <p>With a range, only rows stored within {@code [from, to)} are walked: the row just before the
 * range is taken as the starting point, and checkpoints signed within the range are checked.
 */
@ApplicationScoped
public class ChainVerifier {

  static final int PAGE = 5000;
  static final int CHECKPOINT_PAGE = 1000;
  private static final OffsetDateTime BEGINNING = OffsetDateTime.parse("0001-01-01T00:00:00Z");
  private static final OffsetDateTime END = OffsetDateTime.parse("9999-12-31T00:00:00Z");

  private final Pool pool;
  private final Checkpoints checkpoints;
  private final Clock clock;
  private final OffsetLedger ledger;
  private final EventAuthenticator authenticator;
  private final ObjectMapper mapper;
  private final Semaphore running;

  ChainVerifier(
      Pool pool,
      Checkpoints checkpoints,
      Clock clock,
      OffsetLedger ledger,
      EventAuthenticator authenticator,
      ObjectMapper mapper,
      AuditConfig config) {
    int cap = config.verify().maxConcurrent();
    if (cap < 1) {
      throw new IllegalStateException(
          "whispyrkeep.audit.verify.max-concurrent must be at least 1, not " + cap);
    }
    this.running = new Semaphore(cap);
    this.pool = pool;
    this.checkpoints = checkpoints;
    this.clock = clock;
    this.ledger = ledger;
    this.authenticator = authenticator;
    this.mapper = mapper;
  }

  /** The first broken link found, if any. */
  public record BrokenLink(int chain, long seq, UUID eventId, String reason) {}

  /**
   * The outcome of a verification. {@code offsetGaps}: offsets of security.events that were never
   * consumed here (committed by someone else, or lost), whatever the range; any gap makes the trail
   * not intact.
   */
  public record Report(
      boolean intact,
      Instant from,
      Instant to,
      int chains,
      long rowsChecked,
      long checkpointsChecked,
      boolean checkpointsSigned,
      BrokenLink firstBroken,
      List<OffsetLedger.Gap> offsetGaps) {

    Report withOffsetGaps(List<OffsetLedger.Gap> gaps) {
      return new Report(
          intact && gaps.isEmpty(),
          from,
          to,
          chains,
          rowsChecked,
          checkpointsChecked,
          checkpointsSigned,
          firstBroken,
          gaps);
    }
  }

  /** A stored-time range; either end may be open. */
  public record Range(Instant from, Instant to) {
    public static final Range ALL = new Range(null, null);

    boolean whole() {
      return from == null && to == null;
    }

    OffsetDateTime fromOrBeginning() {
      return from == null ? BEGINNING : OffsetDateTime.ofInstant(from, ZoneOffset.UTC);
    }

    OffsetDateTime toOrEnd() {
      return to == null ? END : OffsetDateTime.ofInstant(to, ZoneOffset.UTC);
    }
  }

  private record Head(int chain, long seq, byte[] hash, long anchorSeq, byte[] anchorHash) {}

  private record Walk(long rows, BrokenLink broken) {}

  /**
   * Verifies in one read-only REPEATABLE READ transaction, so heads, anchors, rows and checkpoints
   * are one consistent snapshot while ingestion, checkpoints and retention go on.
   */
  public Uni<Report> verify(Range range) {
    // The slot is taken on subscription and freed on success, failure or cancellation alike.
    return Uni.createFrom()
        .deferred(
            () -> {
              if (!running.tryAcquire()) {
                return Uni.createFrom()
                    .failure(
                        new ProblemException(
                            ProblemType.SERVICE_UNAVAILABLE.uri(),
                            ProblemType.SERVICE_UNAVAILABLE.title(),
                            ProblemType.SERVICE_UNAVAILABLE.status(),
                            "A verification is already running; retry shortly.",
                            null,
                            Map.of("Retry-After", "30")));
              }
              return Uni.createFrom()
                  .deferred(() -> verifyOnce(range))
                  .onTermination()
                  .invoke(running::release);
            });
  }

  private Uni<Report> verifyOnce(Range range) {
    // Read before the snapshot: every head this process signed is then within the snapshot.
    Map<Integer, Long> signedHere = checkpoints.highestSigned();
    return pool.<Report>withConnection(
        sql ->
            sql.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute()
                .chain(() -> verify(sql, range, signedHere))
                .chain(report -> ledger.gaps(sql).map(report::withOffsetGaps))
                .onTermination()
                .call(() -> sql.query("ROLLBACK").execute()));
  }

  private Uni<Report> verify(SqlConnection sql, Range range, Map<Integer, Long> signedHere) {
    return sql.query(
            "SELECT h.chain, h.seq, h.hash, a.seq AS anchor_seq, a.hash AS anchor_hash"
                + " FROM audit_chain_head h LEFT JOIN LATERAL (SELECT seq, hash FROM"
                + " audit_chain_anchor WHERE chain = h.chain ORDER BY seq DESC LIMIT 1) a ON true"
                + " ORDER BY h.chain")
        .execute()
        .chain(
            rows -> {
              Map<Integer, Head> heads = new LinkedHashMap<>();
              for (Row row : rows) {
                boolean anchored = row.getValue("anchor_seq") != null;
                heads.put(
                    row.getInteger("chain"),
                    new Head(
                        row.getInteger("chain"),
                        row.getLong("seq"),
                        row.getBuffer("hash").getBytes(),
                        anchored ? row.getLong("anchor_seq") : 0L,
                        anchored ? row.getBuffer("anchor_hash").getBytes() : ChainHasher.GENESIS));
              }
              return verifyChains(sql, range, new ArrayList<>(heads.values()), 0, 0L)
                  .chain(
                      walked ->
                          walked.broken() != null
                              ? Uni.createFrom().item(report(range, heads, walked, 0L))
                              : verifyCheckpoints(sql, range, heads, 0L, 0L)
                                  .chain(
                                      signed ->
                                          signed.broken() != null
                                              ? Uni.createFrom().item(signed)
                                              : checkSignedHere(heads, signedHere) != null
                                                  ? Uni.createFrom()
                                                      .item(
                                                          new Walk(
                                                              signed.rows(),
                                                              checkSignedHere(heads, signedHere)))
                                                  : checkFreshness(sql, range)
                                                      .map(stale -> new Walk(signed.rows(), stale)))
                                  .map(
                                      signed ->
                                          report(
                                              range,
                                              heads,
                                              new Walk(walked.rows(), signed.broken()),
                                              signed.rows())));
            });
  }

  private Report report(Range range, Map<Integer, Head> heads, Walk walk, long checkpointsChecked) {
    return new Report(
        walk.broken() == null,
        range.from(),
        range.to(),
        heads.size(),
        walk.rows(),
        checkpointsChecked,
        checkpoints.enabled(),
        walk.broken(),
        List.of());
  }

  private Uni<Walk> verifyChains(
      SqlConnection sql, Range range, List<Head> heads, int index, long checked) {
    if (index == heads.size()) {
      return Uni.createFrom().item(new Walk(checked, null));
    }
    Head head = heads.get(index);
    Uni<Walk> walked =
        range.whole()
            ? walk(sql, head, head.anchorSeq(), head.anchorHash(), head.seq(), true, 0L)
            : walkRange(sql, range, head);
    return walked.chain(
        result ->
            result.broken() != null
                ? Uni.createFrom().item(new Walk(checked + result.rows(), result.broken()))
                : verifyChains(sql, range, heads, index + 1, checked + result.rows()));
  }

  private Uni<Walk> walkRange(SqlConnection sql, Range range, Head head) {
    return sql.preparedQuery(
            "SELECT min(seq) AS first, max(seq) AS last FROM audit_event"
                + " WHERE chain = $1 AND stored_at >= $2 AND stored_at < $3")
        .execute(Tuple.of(head.chain(), range.fromOrBeginning(), range.toOrEnd()))
        .chain(
            bounds -> {
              Row row = bounds.iterator().next();
              if (row.getValue("first") == null) {
                return done(0L, null);
              }
              long before = row.getLong("first") - 1;
              long last = row.getLong("last");
              boolean toHead = range.to() == null;
              if (before == head.anchorSeq()) {
                return walk(sql, head, before, head.anchorHash(), last, toHead, 0L);
              }
              return sql.preparedQuery("SELECT hash FROM audit_event WHERE chain = $1 AND seq = $2")
                  .execute(Tuple.of(head.chain(), before))
                  .chain(
                      previous ->
                          previous.size() == 0
                              ? done(
                                  0L,
                                  new BrokenLink(
                                      head.chain(), before, null, "missing row " + before))
                              : walk(
                                  sql,
                                  head,
                                  before,
                                  previous.iterator().next().getBuffer("hash").getBytes(),
                                  last,
                                  toHead,
                                  0L));
            });
  }

  private Uni<Walk> walk(
      SqlConnection sql,
      Head head,
      long afterSeq,
      byte[] previous,
      long lastSeq,
      boolean toHead,
      long rowsSoFar) {
    int chain = head.chain();
    return sql.preparedQuery(
            "SELECT seq, event_id, payload, prev_hash, hash, signing_key_id, signature,"
                + " signed_payload, "
                + StoredColumns.SELECTED
                + " FROM audit_event WHERE chain = $1 AND seq > $2 AND seq <= $3"
                + " ORDER BY seq LIMIT $4")
        .execute(Tuple.of(chain, afterSeq, toHead ? Long.MAX_VALUE : lastSeq, PAGE))
        .emitOn(Infrastructure.getDefaultWorkerPool()) // re-hashing a page is CPU work
        .chain(
            page -> {
              long expected = afterSeq + 1;
              byte[] prev = previous;
              long rows = rowsSoFar;
              for (Row row : page) {
                long seq = row.getLong("seq");
                UUID id = row.getUUID("event_id");
                if (seq != expected) {
                  return done(
                      rows, new BrokenLink(chain, expected, null, "missing row " + expected));
                }
                if (!MessageDigest.isEqual(prev, row.getBuffer("prev_hash").getBytes())) {
                  return done(rows, new BrokenLink(chain, seq, id, "previous hash does not match"));
                }
                byte[] hash = ChainHasher.link(prev, row.getString("payload"));
                if (!MessageDigest.isEqual(hash, row.getBuffer("hash").getBytes())) {
                  return done(
                      rows, new BrokenLink(chain, seq, id, "content does not match its hash"));
                }
                String column = StoredColumns.mismatch(row);
                if (column != null) {
                  return done(
                      rows,
                      new BrokenLink(
                          chain, seq, id, "column " + column + " does not match the hashed event"));
                }
                String unsigned = signatureProblem(row);
                if (unsigned != null) {
                  return done(rows, new BrokenLink(chain, seq, id, unsigned));
                }
                prev = hash;
                expected++;
                rows++;
              }
              if (page.size() == PAGE) {
                return walk(sql, head, expected - 1, prev, lastSeq, toHead, rows);
              }
              if (toHead
                  && (expected - 1 != head.seq() || !MessageDigest.isEqual(prev, head.hash()))) {
                return done(
                    rows,
                    new BrokenLink(
                        chain,
                        expected,
                        null,
                        "chain ends before its recorded head " + head.seq()));
              }
              if (!toHead && expected - 1 != lastSeq) {
                return done(rows, new BrokenLink(chain, expected, null, "missing row " + expected));
              }
              return done(rows, null);
            });
  }

  /**
   * Re-checks a row's publisher signature: over the signed record value when one is stored (which
   * must canonicalise to the payload), else over the payload itself; null when it holds.
   */
  private String signatureProblem(Row row) {
    String payload = row.getString("payload");
    String signed = row.getString("signed_payload");
    Buffer signature = row.getBuffer("signature");
    String keyId = row.getString("signing_key_id");
    if (signature == null || keyId == null) {
      return "event has no signature";
    }
    JsonNode content;
    try {
      content = mapper.readTree(signed != null ? signed : payload);
    } catch (JsonProcessingException e) {
      return "signed payload is not JSON";
    }
    if (signed != null && !ChainHasher.canonicalJson(content).equals(payload)) {
      return "content differs from its signed payload";
    }
    return authenticator.recheck(
        content.path("source").asText(null),
        keyId,
        signature.getBytes(),
        (signed != null ? signed : payload).getBytes(StandardCharsets.UTF_8));
  }

  /** Checks every checkpoint (signed within the range) against its signature and its chain. */
  private Uni<Walk> verifyCheckpoints(
      SqlConnection sql, Range range, Map<Integer, Head> heads, long afterId, long checked) {
    return sql.preparedQuery(
            "SELECT c.id, c.chain, c.seq, c.hash, c.signed_at, c.key_id, c.signature,"
                + " c.version, c.previous, p.id AS prior_id, p.version AS prior_version,"
                + " p.signature AS prior_signature, e.hash AS row_hash"
                + " FROM audit_checkpoint c LEFT JOIN audit_event e"
                + " ON e.chain = c.chain AND e.seq = c.seq"
                + " LEFT JOIN LATERAL (SELECT id, version, signature FROM audit_checkpoint"
                + " WHERE id < c.id ORDER BY id DESC LIMIT 1) p ON true"
                + " WHERE c.id > $1 AND c.signed_at >= $2 AND c.signed_at < $3"
                + " ORDER BY c.id LIMIT $4")
        .execute(Tuple.of(afterId, range.fromOrBeginning(), range.toOrEnd(), CHECKPOINT_PAGE))
        .emitOn(Infrastructure.getDefaultWorkerPool())
        .chain(
            page -> {
              long lastId = afterId;
              long rows = checked;
              for (Row row : page) {
                lastId = row.getLong("id");
                BrokenLink broken = checkCheckpoint(row, heads);
                if (broken != null) {
                  return done(rows, broken);
                }
                rows++;
              }
              return page.size() == CHECKPOINT_PAGE
                  ? verifyCheckpoints(sql, range, heads, lastId, rows)
                  : done(rows, null);
            });
  }

  private BrokenLink checkCheckpoint(Row row, Map<Integer, Head> heads) {
    int chain = row.getInteger("chain");
    long seq = row.getLong("seq");
    byte[] hash = row.getBuffer("hash").getBytes();
    Checkpoints.SignatureCheck signature =
        checkpoints.check(
            row.getShort("version"),
            chain,
            seq,
            hash,
            row.getOffsetDateTime("signed_at").toInstant(),
            bytes(row, "previous"),
            row.getString("key_id"),
            row.getBuffer("signature").getBytes());
    String where = "checkpoint " + row.getLong("id");
    if (signature == Checkpoints.SignatureCheck.UNKNOWN_KEY) {
      return new BrokenLink(chain, seq, null, where + " is signed by an untrusted key");
    }
    if (signature == Checkpoints.SignatureCheck.INVALID) {
      return new BrokenLink(chain, seq, null, where + " has an invalid signature");
    }
    String unlinked = checkpointLink(row);
    if (unlinked != null) {
      return new BrokenLink(chain, seq, null, where + " " + unlinked);
    }
    Head head = heads.get(chain);
    if (head == null || head.seq() < seq) {
      return new BrokenLink(chain, seq, null, "chain head is behind signed " + where);
    }
    byte[] stored =
        row.getValue("row_hash") != null
            ? row.getBuffer("row_hash").getBytes()
            : (seq == head.anchorSeq() ? head.anchorHash() : null);
    if (stored == null) {
      return seq < head.anchorSeq()
          ? null
          : new BrokenLink(chain, seq, null, "row of signed " + where + " is missing");
    }
    if (!MessageDigest.isEqual(stored, hash)) {
      return new BrokenLink(chain, seq, null, "chain differs from signed " + where);
    }
    return null;
  }

  /**
   * Why a checkpoint does not follow the one stored before it, or null when it does: a v2
   * checkpoint signs the SHA-256 of its predecessor's signature, so a checkpoint removed, inserted
   * or moved breaks this link; a v1 checkpoint (signed before chaining) may not follow a v2 one.
   */
  private static String checkpointLink(Row row) {
    boolean hasPrior = row.getValue("prior_id") != null;
    if (row.getShort("version") < Checkpoints.VERSION) {
      return hasPrior && row.getShort("prior_version") >= Checkpoints.VERSION
          ? "uses the retired v1 form after chained checkpoints"
          : null;
    }
    byte[] expected =
        hasPrior ? Checkpoints.digest(row.getBuffer("prior_signature").getBytes()) : null;
    byte[] signed = bytes(row, "previous");
    boolean linked =
        expected == null
            ? signed == null
            : signed != null && MessageDigest.isEqual(expected, signed);
    return linked
        ? null
        : "does not follow the checkpoint stored before it: checkpoints were removed, inserted"
            + " or reordered";
  }

  /**
   * Reports a missing or stale checkpoint, when checkpoints are signed on a schedule: rows of a
   * chain stored longer than the maximum age ago that no checkpoint covers yet (the signer stopped,
   * or a chain's newest checkpoints were removed), or a newest checkpoint older than that age (the
   * signer stopped, or the latest checkpoints were removed, perhaps with the end of the trail they
   * covered). Only for ranges that reach the present.
   */
  private Uni<BrokenLink> checkFreshness(SqlConnection sql, Range range) {
    if (range.to() != null || checkpoints.maxAge().isEmpty()) {
      return Uni.createFrom().nullItem();
    }
    Instant due = clock.instant().minus(checkpoints.maxAge().get());
    return sql.query(
            "SELECT h.chain, u.seq AS unsigned_seq, u.stored_at AS unsigned_since"
                + " FROM audit_chain_head h"
                + " LEFT JOIN LATERAL (SELECT max(seq) AS seq FROM audit_checkpoint"
                + " WHERE chain = h.chain) c ON true"
                + " LEFT JOIN LATERAL (SELECT e.seq, e.stored_at FROM audit_event e"
                + " WHERE e.chain = h.chain AND e.seq > coalesce(c.seq, 0)"
                + " ORDER BY e.seq LIMIT 1) u ON true"
                + " WHERE h.seq > 0 ORDER BY h.chain")
        .execute()
        .chain(
            heads -> {
              for (Row head : heads) {
                OffsetDateTime since = head.getOffsetDateTime("unsigned_since");
                if (since != null && since.toInstant().isBefore(due)) {
                  return Uni.createFrom()
                      .item(
                          new BrokenLink(
                              head.getInteger("chain"),
                              head.getLong("unsigned_seq"),
                              null,
                              "missing or stale checkpoint: none covers rows stored since "
                                  + since.toInstant()));
                }
              }
              if (heads.size() == 0) {
                return Uni.createFrom().nullItem();
              }
              return sql.query(
                      "SELECT chain, seq, signed_at FROM audit_checkpoint ORDER BY id DESC LIMIT 1")
                  .execute()
                  .map(
                      tail -> {
                        if (tail.size() == 0) {
                          return null;
                        }
                        Row newest = tail.iterator().next();
                        Instant signedAt = newest.getOffsetDateTime("signed_at").toInstant();
                        return signedAt.isBefore(due)
                            ? new BrokenLink(
                                newest.getInteger("chain"),
                                newest.getLong("seq"),
                                null,
                                "missing or stale checkpoint: none signed since " + signedAt)
                            : null;
                      });
            });
  }

  /**
   * A chain whose head is below a sequence number this process signed was cut after that
   * checkpoint, even if the checkpoint itself was removed from the database since.
   */
  private static BrokenLink checkSignedHere(Map<Integer, Head> heads, Map<Integer, Long> signed) {
    for (Map.Entry<Integer, Long> entry : signed.entrySet()) {
      Head head = heads.get(entry.getKey());
      long seq = head == null ? 0 : head.seq();
      if (seq < entry.getValue()) {
        return new BrokenLink(
            entry.getKey(),
            seq + 1,
            null,
            "chain ends at "
                + seq
                + ", before sequence number "
                + entry.getValue()
                + " that this service signed: the trail was cut and its checkpoints removed");
      }
    }
    return null;
  }

  private static byte[] bytes(Row row, String column) {
    return row.getValue(column) == null ? null : row.getBuffer(column).getBytes();
  }

  private static Uni<Walk> done(long rows, BrokenLink broken) {
    return Uni.createFrom().item(new Walk(rows, broken));
  }
}
