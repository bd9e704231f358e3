-- Transactional outbox shared by every service: a change and the security event that describes it
-- are written in one transaction; OutboxRelay publishes pending rows to Kafka.
CREATE TABLE outbox (
    id              uuid         PRIMARY KEY,
    topic           varchar(200) NOT NULL,
    message_key     varchar(200),
    payload         text         NOT NULL,
    created_at      timestamptz  NOT NULL,
    attempts        integer      NOT NULL DEFAULT 0,
    next_attempt_at timestamptz  NOT NULL,
    claimed_until   timestamptz,
    sent_at         timestamptz,
    last_error      varchar(500)
);

-- The relay's only query: pending rows that are due, oldest first.
CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at, created_at) WHERE sent_at IS NULL;
