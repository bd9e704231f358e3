package io.whispyrkeep.audit.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness check {@code ingestion}: DOWN while a batch has stayed unstored past the limit. */
@Readiness
@ApplicationScoped
public class IngestionHealthCheck implements HealthCheck {

  private final IngestionMonitor monitor;

  IngestionHealthCheck(IngestionMonitor monitor) {
    this.monitor = monitor;
  }

  @Override
  public HealthCheckResponse call() {
    Instant since = monitor.inFlightSince();
    boolean stalled = monitor.isStalled();
    return HealthCheckResponse.named("ingestion")
        .status(!stalled)
        .withData("batchAgeSeconds", monitor.age().toSeconds())
        .withData("stalledSince", stalled && since != null ? since.toString() : "")
        .build();
  }
}
