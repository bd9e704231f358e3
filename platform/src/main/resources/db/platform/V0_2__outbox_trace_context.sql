-- Trace context (W3C traceparent) of the transaction that wrote each outbox row, sent to Kafka as a
-- header so a trace follows a request through the outbox into the consumer. Versioned 0.2 like the
-- platform's other tables; services already past it apply it out of order (quarkus.flyway.out-of-order).
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS trace_parent varchar(55);
