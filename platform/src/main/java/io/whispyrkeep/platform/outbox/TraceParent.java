package io.whispyrkeep.platform.outbox;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import java.util.HashMap;
import java.util.Map;

/**
 * The W3C Trace Context ({@code traceparent}) of the current span, stored with each outbox row and
 * sent as a Kafka header, so a trace follows a request through the outbox into the consumer
 * (SmallRye's Kafka connector continues it from the header). Null when tracing is off ({@code
 * quarkus.otel.sdk.disabled}, the default) or there is no span.
 */
final class TraceParent {

  /** The W3C header name, as the Kafka instrumentation reads it. */
  static final String HEADER = "traceparent";

  private TraceParent() {}

  static String current() {
    Map<String, String> carrier = new HashMap<>(2);
    W3CTraceContextPropagator.getInstance().inject(Context.current(), carrier, Map::put);
    return carrier.get(HEADER);
  }
}
