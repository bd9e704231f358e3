package io.whispyrkeep.audit.query;

import io.smallrye.mutiny.Multi;
import io.whispyrkeep.audit.config.AuditConfig;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Streams exports of the trail, at most {@code whispyrkeep.audit.export.max-concurrent} at once.
 * Each export holds one database connection until its reader has taken the last line, so without a
 * cap a few slow (or stalled) readers could hold every connection of the pool that ingestion and
 * queries share; over the cap an export is refused at once with 503 and {@code Retry-After}.
 */
@ApplicationScoped
public class Exports {

  /** Seconds a refused export is asked to wait before trying again. */
  static final String RETRY_AFTER_SECONDS = "10";

  private final AuditEventRepository events;
  private final QueryAudit audit;
  private final Semaphore running;

  Exports(AuditEventRepository events, QueryAudit audit, AuditConfig config) {
    int cap = config.export().maxConcurrent();
    if (cap < 1) {
      throw new IllegalStateException(
          "whispyrkeep.audit.export.max-concurrent must be at least 1, not " + cap);
    }
    this.events = events;
    this.audit = audit;
    this.running = new Semaphore(cap);
  }

  /**
   * The lines of the export (a header line first for CSV), recorded as {@code audit.queried} with
   * its filters before the first row is read. Takes a slot now, or refuses; the slot is freed when
   * the stream ends, fails or is cancelled (the reader went away).
   */
  public Multi<String> export(AuditQuery query, ExportFormat format, Map<String, String> filters) {
    if (!running.tryAcquire()) {
      throw new ProblemException(
          ProblemType.SERVICE_UNAVAILABLE.uri(),
          ProblemType.SERVICE_UNAVAILABLE.title(),
          ProblemType.SERVICE_UNAVAILABLE.status(),
          "Too many exports are running; retry shortly.",
          null,
          Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release =
        () -> {
          if (released.compareAndSet(false, true)) {
            running.release();
          }
        };
    try {
      boolean csv = format == ExportFormat.CSV;
      Multi<String> body =
          audit
              .record("export", null, filters)
              .onItem()
              .transformToMulti(
                  ignored -> {
                    Multi<String> rows =
                        events.stream(query)
                            .map(event -> csv ? CsvLines.line(event) : event.toString() + "\n");
                    return csv
                        ? Multi.createBy()
                            .concatenating()
                            .streams(Multi.createFrom().item(CsvLines.HEADER), rows)
                        : rows;
                  });
      return body.onTermination().invoke(release);
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
  }
}
