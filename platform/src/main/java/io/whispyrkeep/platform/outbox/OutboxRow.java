package io.whispyrkeep.platform.outbox;

import java.util.UUID;

/** A claimed outbox row on its way to Kafka. */
public record OutboxRow(UUID id, String topic, String messageKey, String payload, int attempts) {}
