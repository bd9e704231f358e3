-- The audit trail: append-only and tamper-evident. Each Kafka partition of security.events is one
-- hash chain (only one consumer owns a partition at a time, so chains never fork); each row stores
-- SHA-256(previous hash || canonical JSON of the event).

CREATE TABLE audit_event (
    chain        integer      NOT NULL,
    seq          bigint       NOT NULL,
    event_id     uuid         NOT NULL UNIQUE,
    type         varchar(100) NOT NULL,
    occurred_at  timestamptz  NOT NULL,
    source       varchar(63)  NOT NULL,
    actor        varchar(200),
    subject      varchar(200),
    client_ip    varchar(45),
    severity     varchar(10)  NOT NULL,
    payload      text         NOT NULL,
    prev_hash    bytea        NOT NULL,
    hash         bytea        NOT NULL,
    stored_at    timestamptz  NOT NULL,
    PRIMARY KEY (chain, seq)
);

-- The query API's access paths: newest first, filtered by type prefix, actor, subject, address.
CREATE INDEX audit_event_time_idx ON audit_event (occurred_at DESC, event_id DESC);
CREATE INDEX audit_event_type_idx ON audit_event (type text_pattern_ops, occurred_at DESC);
CREATE INDEX audit_event_actor_idx ON audit_event (actor, occurred_at DESC);
CREATE INDEX audit_event_subject_idx ON audit_event (subject, occurred_at DESC);
CREATE INDEX audit_event_ip_idx ON audit_event (client_ip, occurred_at DESC);

-- Head of each chain: the only mutable audit state, locked while a batch is appended.
CREATE TABLE audit_chain_head (
    chain integer PRIMARY KEY,
    seq   bigint  NOT NULL,
    hash  bytea   NOT NULL
);

-- Append-only, enforced by the database whoever connects: no UPDATE, no DELETE of audit rows.
CREATE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only();
