package io.whispyrkeep.platform.outbox;

import java.util.UUID;

/**
 * A claimed outbox row on its way to Kafka, with the W3C {@code traceparent} of the request that
 * wrote it (null when tracing is off), so the trace continues into the consumer.
 */
public record OutboxRow(
    UUID id, String topic, String messageKey, String payload, int attempts, String traceParent) {}
