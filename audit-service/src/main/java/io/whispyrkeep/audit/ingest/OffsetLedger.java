package io.whispyrkeep.audit.ingest;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Accounts for every offset consumed from security.events (V5 migration): per partition, the runs
 * of offsets consumed, merged as they grow, and each consumed offset that was not stored (a
 * duplicate, or a dead letter with its reason). Written in the batch's own transaction, so the
 * ledger and the trail never disagree. Two runs of one partition leave a gap: offsets that were
 * committed by someone else or lost, never seen here. Consuming those offsets later (an operator
 * resets the group's offset to the start of the gap) closes it.
 */
@ApplicationScoped
public class OffsetLedger {

  /** Most gaps a verification lists. */
  static final int MAX_GAPS = 100;

  /** Offsets {@code [firstMissing, lastMissing]} of a partition that nobody here consumed. */
  public record Gap(int partition, long firstMissing, long lastMissing) {}

  /** A consumed offset that was not stored, and why. */
  record Skip(int partition, long offset, String outcome, UUID eventId, String reason) {
    static final String DUPLICATE = "duplicate";
    static final String DEAD_LETTER = "dead_letter";
  }

  /** The runs already recorded around a batch's offsets. */
  record Coverage(Map<Integer, List<long[]>> runs) {
    /** True when the offset was accounted for by an earlier transaction (a replay). */
    boolean covers(int partition, long offset) {
      for (long[] run : runs.getOrDefault(partition, List.of())) {
        if (offset >= run[0] && offset <= run[1]) {
          return true;
        }
      }
      return false;
    }
  }

  /** The recorded runs overlapping each partition's offsets in the batch, in one query. */
  Uni<Coverage> coverage(SqlConnection connection, Map<Integer, List<Long>> offsets) {
    Integer[] partitions = offsets.keySet().toArray(Integer[]::new);
    Long[] lows = new Long[partitions.length];
    Long[] highs = new Long[partitions.length];
    for (int i = 0; i < partitions.length; i++) {
      List<Long> sorted = offsets.get(partitions[i]);
      lows[i] = sorted.get(0);
      highs[i] = sorted.get(sorted.size() - 1);
    }
    return connection
        .preparedQuery(
            "SELECT r.kafka_partition, r.first_offset, r.last_offset FROM audit_offset_run r"
                + " JOIN unnest($1::int[], $2::bigint[], $3::bigint[]) AS b(p, lo, hi)"
                + " ON r.kafka_partition = b.p AND r.last_offset >= b.lo AND r.first_offset <= b.hi")
        .execute(
            Tuple.tuple().addArrayOfInteger(partitions).addArrayOfLong(lows).addArrayOfLong(highs))
        .map(
            rows -> {
              Map<Integer, List<long[]>> runs = new HashMap<>();
              for (Row row : rows) {
                runs.computeIfAbsent(row.getInteger("kafka_partition"), p -> new ArrayList<>())
                    .add(new long[] {row.getLong("first_offset"), row.getLong("last_offset")});
              }
              return new Coverage(runs);
            });
  }

  /**
   * Records the skipped offsets and merges each partition's consumed offsets (sorted) into its
   * runs: every maximal contiguous stretch joins the runs it overlaps or touches.
   */
  Uni<Void> record(
      SqlConnection connection,
      Map<Integer, List<Long>> offsets,
      List<Skip> skips,
      OffsetDateTime now) {
    Uni<Void> done = insertSkips(connection, skips, now);
    for (Map.Entry<Integer, List<Long>> partition : offsets.entrySet()) {
      List<Long> sorted = partition.getValue();
      long first = sorted.get(0);
      long previous = first;
      for (int i = 1; i <= sorted.size(); i++) {
        if (i < sorted.size() && sorted.get(i) <= previous + 1) {
          previous = Math.max(previous, sorted.get(i));
          continue;
        }
        long from = first;
        long to = previous;
        done = done.chain(() -> merge(connection, partition.getKey(), from, to, now));
        if (i < sorted.size()) {
          first = sorted.get(i);
          previous = first;
        }
      }
    }
    return done;
  }

  private static Uni<Void> merge(
      SqlConnection connection, int partition, long from, long to, OffsetDateTime now) {
    // LEAST/GREATEST ignore the NULLs that min/max give when no run is joined.
    return connection
        .preparedQuery(
            "WITH joined AS (DELETE FROM audit_offset_run WHERE kafka_partition = $1"
                + " AND last_offset >= $2 - 1 AND first_offset <= $3 + 1"
                + " RETURNING first_offset, last_offset)"
                + " INSERT INTO audit_offset_run (kafka_partition, first_offset, last_offset,"
                + " recorded_at) SELECT $1, LEAST($2, min(first_offset)),"
                + " GREATEST($3, max(last_offset)), $4 FROM joined")
        .execute(Tuple.of(partition, from, to, now))
        .replaceWithVoid();
  }

  private static Uni<Void> insertSkips(
      SqlConnection connection, List<Skip> skips, OffsetDateTime now) {
    if (skips.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return connection
        .preparedQuery(
            "INSERT INTO audit_offset_skip (kafka_partition, kafka_offset, outcome, event_id,"
                + " reason, recorded_at) SELECT s.*, $6 FROM unnest($1::int[], $2::bigint[],"
                + " $3::varchar[], $4::uuid[], $5::varchar[]) AS s ON CONFLICT DO NOTHING")
        .execute(
            Tuple.tuple()
                .addArrayOfInteger(skips.stream().map(Skip::partition).toArray(Integer[]::new))
                .addArrayOfLong(skips.stream().map(Skip::offset).toArray(Long[]::new))
                .addArrayOfString(skips.stream().map(Skip::outcome).toArray(String[]::new))
                .addArrayOfUUID(skips.stream().map(Skip::eventId).toArray(UUID[]::new))
                .addArrayOfString(skips.stream().map(Skip::reason).toArray(String[]::new))
                .addOffsetDateTime(now))
        .replaceWithVoid();
  }

  /**
   * The holes between recorded runs, first {@value #MAX_GAPS}, by partition and offset. A run
   * nested in another (two consumers briefly overlapping) is no gap.
   */
  public Uni<List<Gap>> gaps(SqlConnection connection) {
    return connection
        .preparedQuery(
            "SELECT kafka_partition, reached + 1 AS first_missing, first_offset - 1 AS last_missing"
                + " FROM (SELECT kafka_partition, first_offset, max(last_offset) OVER (PARTITION BY"
                + " kafka_partition ORDER BY first_offset ROWS BETWEEN UNBOUNDED PRECEDING AND"
                + " 1 PRECEDING) AS reached FROM audit_offset_run) runs"
                + " WHERE first_offset > reached + 1 ORDER BY kafka_partition, first_offset LIMIT $1")
        .execute(Tuple.of(MAX_GAPS))
        .map(
            rows -> {
              List<Gap> gaps = new ArrayList<>();
              for (Row row : rows) {
                gaps.add(
                    new Gap(
                        row.getInteger("kafka_partition"),
                        row.getLong("first_missing"),
                        row.getLong("last_missing")));
              }
              return gaps;
            });
  }
}
