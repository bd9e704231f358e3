package io.whispyrkeep.audit.support;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The spans audit-service finishes, kept in memory for the tests (tracing is on in the tests as
 * with {@code QUARKUS_OTEL_SDK_DISABLED=false} in production; the OTLP exporter is off).
 */
@ApplicationScoped
public class InMemorySpans {

  @Produces
  @Singleton
  InMemorySpanExporter spans() {
    return InMemorySpanExporter.create();
  }
}
