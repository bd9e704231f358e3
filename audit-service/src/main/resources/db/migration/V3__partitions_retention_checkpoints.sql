-- The audit trail becomes a table partitioned by month of storage, so that retention can remove old
-- events only by dropping a whole expired partition (never row by row), and only through
-- audit_drop_expired_partitions(), which records what it removed and where each chain resumes.
-- Signed checkpoints of the chain heads are stored next to the chains.

ALTER TABLE audit_event RENAME TO audit_event_v1;
ALTER TABLE audit_event_v1 RENAME CONSTRAINT audit_event_pkey TO audit_event_v1_pkey;
ALTER TABLE audit_event_v1 RENAME CONSTRAINT audit_event_event_id_key TO audit_event_v1_event_id_key;
ALTER INDEX audit_event_time_idx RENAME TO audit_event_v1_time_idx;
ALTER INDEX audit_event_type_idx RENAME TO audit_event_v1_type_idx;
ALTER INDEX audit_event_actor_idx RENAME TO audit_event_v1_actor_idx;
ALTER INDEX audit_event_subject_idx RENAME TO audit_event_v1_subject_idx;
ALTER INDEX audit_event_ip_idx RENAME TO audit_event_v1_ip_idx;

-- Rows are stored in chain order with a non-decreasing stored_at per chain (see the ingestor), so a
-- month partition holds, for every chain, one contiguous run of sequence numbers.
-- event_id cannot be UNIQUE across partitions; uniqueness is kept by the ingestor, which checks ids
-- under the chain head's row lock (an event always travels with the same key, so the same chain).
CREATE TABLE audit_event (
    chain        integer      NOT NULL,
    seq          bigint       NOT NULL,
    event_id     uuid         NOT NULL,
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
    PRIMARY KEY (chain, seq, stored_at)
) PARTITION BY RANGE (stored_at);

CREATE INDEX audit_event_id_idx ON audit_event (event_id);
CREATE INDEX audit_event_time_idx ON audit_event (occurred_at DESC, event_id DESC);
CREATE INDEX audit_event_type_idx ON audit_event (type text_pattern_ops, occurred_at DESC);
CREATE INDEX audit_event_actor_idx ON audit_event (actor, occurred_at DESC);
CREATE INDEX audit_event_subject_idx ON audit_event (subject, occurred_at DESC);
CREATE INDEX audit_event_ip_idx ON audit_event (client_ip, occurred_at DESC);
CREATE INDEX audit_event_severity_idx ON audit_event (severity, occurred_at DESC);

CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only();

-- The partition for the month of "at", created when missing (a monthly job and the ingestor call
-- it ahead of need). Row triggers are inherited from the parent; TRUNCATE triggers are not, so each
-- partition gets its own.
CREATE FUNCTION audit_ensure_partition(at timestamptz) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    month_start timestamptz := date_trunc('month', at, 'UTC');
    partition_name text := 'audit_event_' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM');
BEGIN
    IF to_regclass(partition_name) IS NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('audit_event_partitions'));
        IF to_regclass(partition_name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF audit_event FOR VALUES FROM (%L) TO (%L)',
                           partition_name, month_start, month_start + interval '1 month');
            EXECUTE format('CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON %I'
                           ' FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only()',
                           partition_name);
        END IF;
    END IF;
    RETURN partition_name;
END;
$$;

-- Move the rows of the first version into the partitioned table (same chains, same hashes).
SELECT audit_ensure_partition(month)
FROM (SELECT DISTINCT date_trunc('month', stored_at, 'UTC') AS month FROM audit_event_v1) months;
SELECT audit_ensure_partition(now());
INSERT INTO audit_event SELECT chain, seq, event_id, type, occurred_at, source, actor, subject,
    client_ip, severity, payload, prev_hash, hash, stored_at FROM audit_event_v1;
DROP TABLE audit_event_v1;

-- Where each chain resumes after retention dropped its oldest rows: the last dropped row's sequence
-- number and hash. Verification starts from the newest anchor of a chain instead of the genesis hash.
-- The head remembers when its last row was stored, so stored_at never goes backwards in a chain even
-- when a partition moves to a replica whose clock is slightly behind.
ALTER TABLE audit_chain_head ADD COLUMN stored_at timestamptz;

CREATE TABLE audit_chain_anchor (
    chain          integer     NOT NULL,
    seq            bigint      NOT NULL,
    hash           bytea       NOT NULL,
    partition_name text        NOT NULL,
    anchored_at    timestamptz NOT NULL,
    PRIMARY KEY (chain, seq)
);

-- One row per partition removed by retention: the audited record of the step itself.
CREATE TABLE audit_retention (
    partition_name text        PRIMARY KEY,
    range_start    timestamptz NOT NULL,
    range_end      timestamptz NOT NULL,
    rows_removed   bigint      NOT NULL,
    dropped_at     timestamptz NOT NULL,
    dropped_by     text        NOT NULL
);

-- Signed checkpoints: the head of a chain at a moment, signed with a key the database never sees,
-- so rewriting a chain and recomputing its hashes is still detected.
CREATE TABLE audit_checkpoint (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chain     integer     NOT NULL,
    seq       bigint      NOT NULL,
    hash      bytea       NOT NULL,
    signed_at timestamptz NOT NULL,
    key_id    varchar(64) NOT NULL,
    signature bytea       NOT NULL
);
-- One checkpoint per head and key, however many replicas sign at the same moment.
CREATE UNIQUE INDEX audit_checkpoint_head_idx ON audit_checkpoint (chain, seq DESC, key_id);

CREATE TRIGGER audit_anchor_append_only BEFORE UPDATE OR DELETE ON audit_chain_anchor
    FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();
CREATE TRIGGER audit_retention_append_only BEFORE UPDATE OR DELETE ON audit_retention
    FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();

-- Drops, oldest first, every partition whose whole month ends at or before the cutoff, recording
-- for each one the retention row and, per chain, the anchor where the chain now resumes. Refuses
-- (raises) when a chain's rows in the partition are not strictly older than its remaining rows,
-- since dropping would then cut a chain in the middle. Returns the partitions dropped.
CREATE FUNCTION audit_drop_expired_partitions(cutoff timestamptz, dropped_by text)
    RETURNS TABLE (partition_name text, rows_removed bigint)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    candidate record;
    range_start timestamptz;
    range_end timestamptz;
    removed bigint;
    overlap integer;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit_event_partitions'));
    FOR candidate IN
        SELECT c.relname::text AS name
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'audit_event'::regclass
          AND c.relname ~ '^audit_event_[0-9]{4}_[0-9]{2}$'
        ORDER BY c.relname
    LOOP
        range_start := to_date(substr(candidate.name, 13), 'YYYY_MM')::timestamp AT TIME ZONE 'UTC';
        range_end := range_start + interval '1 month';
        EXIT WHEN range_end > cutoff;

        EXECUTE format(
            'SELECT count(*) FROM (SELECT chain, max(seq) AS last FROM %I GROUP BY chain) dropped'
            ' WHERE EXISTS (SELECT 1 FROM audit_event e WHERE e.chain = dropped.chain'
            ' AND e.seq <= dropped.last AND e.stored_at >= %L)', candidate.name, range_end)
            INTO overlap;
        IF overlap > 0 THEN
            RAISE EXCEPTION 'partition % holds rows newer in chain order than later partitions',
                candidate.name;
        END IF;

        EXECUTE format(
            'INSERT INTO audit_chain_anchor (chain, seq, hash, partition_name, anchored_at)'
            ' SELECT DISTINCT ON (chain) chain, seq, hash, %L, now() FROM %I'
            ' ORDER BY chain, seq DESC', candidate.name, candidate.name);
        EXECUTE format('SELECT count(*) FROM %I', candidate.name) INTO removed;
        INSERT INTO audit_retention VALUES
            (candidate.name, range_start, range_end, removed, now(), dropped_by);
        EXECUTE format('ALTER TABLE audit_event DETACH PARTITION %I', candidate.name);
        EXECUTE format('DROP TABLE %I', candidate.name);
        partition_name := candidate.name;
        rows_removed := removed;
        RETURN NEXT;
    END LOOP;
END;
$$;

REVOKE UPDATE, DELETE, TRUNCATE ON audit_event, audit_chain_anchor, audit_retention,
    audit_checkpoint FROM PUBLIC;
