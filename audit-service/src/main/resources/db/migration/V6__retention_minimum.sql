-- Retention enforces its own minimum. audit_drop_expired_partitions took a cutoff from its caller,
-- so whoever could call it (the runtime role, or anyone able to run SQL as the service) could drop
-- last week's evidence; the 30-day floor lived only in the Java caller. It now takes the retention
-- period, refuses anything shorter than 30 days, and computes the cutoff from the database's own
-- clock, so no caller can shorten retention or move "now" forward.

DROP FUNCTION audit_drop_expired_partitions(timestamptz, text);

CREATE FUNCTION audit_drop_expired_partitions(keep interval, dropped_by text)
    RETURNS TABLE (partition_name text, rows_removed bigint, cutoff timestamptz)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    candidate record;
    range_start timestamptz;
    range_end timestamptz;
    removed bigint;
    overlap integer;
    expired_before timestamptz;
BEGIN
    -- A month of evidence at least (interval comparison counts a month as 30 days).
    IF keep IS NULL OR keep < interval '30 days' THEN
        RAISE EXCEPTION 'audit retention must keep at least 30 days, not %', keep
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    expired_before := now() - keep;
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
        EXIT WHEN range_end > expired_before;

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
        cutoff := expired_before;
        RETURN NEXT;
    END LOOP;
END;
$$;

REVOKE EXECUTE ON FUNCTION audit_drop_expired_partitions(interval, text) FROM PUBLIC;

DO $grants$
DECLARE
    runtime text := '${runtime_role}';
BEGIN
    IF runtime = 'none' THEN
        RETURN;
    END IF;
    EXECUTE format('GRANT EXECUTE ON FUNCTION audit_drop_expired_partitions(interval, text) TO %I',
                   runtime);
END
$grants$;
