-- The offset ledger: every record consumed from security.events is accounted for, in the same
-- transaction as the batch it came in. audit_offset_run holds, per Kafka partition, the ranges of
-- offsets consumed (adjacent or overlapping ranges are merged, so a partition read without a hole
-- has one row); any two runs of a partition leave a gap between them: offsets nobody here consumed
-- (committed by someone else, or lost), which GET /audit/verify reports. audit_offset_skip names
-- each consumed offset that was not stored: a duplicate of an event already stored, or a dead
-- letter with its reason. Every other offset of a run was stored in the trail.

CREATE TABLE audit_offset_run (
    kafka_partition integer     NOT NULL,
    first_offset    bigint      NOT NULL,
    last_offset     bigint      NOT NULL,
    recorded_at     timestamptz NOT NULL,
    PRIMARY KEY (kafka_partition, first_offset),
    CHECK (first_offset >= 0 AND last_offset >= first_offset)
);

CREATE TABLE audit_offset_skip (
    kafka_partition integer      NOT NULL,
    kafka_offset    bigint       NOT NULL,
    outcome         varchar(16)  NOT NULL CHECK (outcome IN ('duplicate', 'dead_letter')),
    event_id        uuid,
    reason          varchar(500),
    recorded_at     timestamptz  NOT NULL,
    PRIMARY KEY (kafka_partition, kafka_offset)
);

CREATE TRIGGER audit_offset_skip_append_only BEFORE UPDATE OR DELETE ON audit_offset_skip
    FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_offset_skip FROM PUBLIC;

DO $grants$
DECLARE
    runtime text := '${runtime_role}';
BEGIN
    IF runtime = 'none' THEN
        RETURN;
    END IF;
    -- Runs are merged as offsets arrive (delete the runs a batch joins, insert their union).
    EXECUTE format('GRANT SELECT, INSERT, DELETE ON audit_offset_run TO %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT ON audit_offset_skip TO %I', runtime);
END
$grants$;
