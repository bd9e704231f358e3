package io.whispyrkeep.audit.chain;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Re-walks every hash chain and reports the first broken link: a row whose hash does not match its
 * content (altered), whose previous hash is not its predecessor's (reordered or spliced), or a gap
 * in the sequence (deleted), or a chain whose end is not the recorded head (truncated). Reads in
 * pages of {@value #PAGE} rows, so memory stays flat on long chains.
 */
@ApplicationScoped
public class ChainVerifier {

  static final int PAGE = 5000;

  private final Pool pool;

  ChainVerifier(Pool pool) {
    this.pool = pool;
  }

  /** The first broken link found, if any. */
  public record BrokenLink(int chain, long seq, UUID eventId, String reason) {}

  /** The outcome of a verification. */
  public record Report(boolean intact, int chains, long rowsChecked, BrokenLink firstBroken) {}

  public Uni<Report> verifyAll() {
    return pool.query("SELECT chain, seq, hash FROM audit_chain_head ORDER BY chain")
        .execute()
        .chain(
            heads -> {
              List<Row> rows = new ArrayList<>();
              heads.forEach(rows::add);
              return verifyChains(rows, 0, 0L);
            });
  }

  private Uni<Report> verifyChains(List<Row> heads, int index, long checked) {
    if (index == heads.size()) {
      return Uni.createFrom().item(new Report(true, heads.size(), checked, null));
    }
    Row head = heads.get(index);
    int chain = head.getInteger("chain");
    return walk(
            chain,
            0L,
            ChainHasher.GENESIS,
            head.getLong("seq"),
            head.getBuffer("hash").getBytes(),
            0L)
        .chain(
            result ->
                result.broken() != null
                    ? Uni.createFrom()
                        .item(
                            new Report(
                                false, heads.size(), checked + result.rows(), result.broken()))
                    : verifyChains(heads, index + 1, checked + result.rows()));
  }

  private record Walk(long rows, BrokenLink broken) {}

  private Uni<Walk> walk(
      int chain, long afterSeq, byte[] previous, long headSeq, byte[] headHash, long rowsSoFar) {
    return pool.preparedQuery(
            "SELECT seq, event_id, payload, prev_hash, hash FROM audit_event"
                + " WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT $3")
        .execute(Tuple.of(chain, afterSeq, PAGE))
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
                prev = hash;
                expected++;
                rows++;
              }
              if (page.size() == PAGE) {
                return walk(chain, expected - 1, prev, headSeq, headHash, rows);
              }
              if (expected - 1 != headSeq || !MessageDigest.isEqual(prev, headHash)) {
                return done(
                    rows,
                    new BrokenLink(
                        chain, expected, null, "chain ends before its recorded head " + headSeq));
              }
              return done(rows, null);
            });
  }

  private static Uni<Walk> done(long rows, BrokenLink broken) {
    return Uni.createFrom().item(new Walk(rows, broken));
  }
}
