-- Least privilege in the database itself. With a runtime role configured (WK_AUDIT_RUNTIME_ROLE,
-- an existing login role), the service connects as that role while Flyway migrates as the owner
-- (quarkus.flyway.username): the runtime role can read and append the trail but has no privilege
-- to change or remove any of it, and it reaches partition upkeep and retention only through the
-- two SECURITY DEFINER functions. The append-only triggers stay in force for every role, owner
-- included. Without a runtime role ('none', the local default) the service runs as the owner.

DO $grants$
DECLARE
    runtime text := '${runtime_role}';
    schema_name text := current_schema();
BEGIN
    IF runtime = 'none' THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = runtime) THEN
        RAISE EXCEPTION 'runtime role % does not exist: create it before migrating', runtime;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', schema_name, runtime);
    EXECUTE format('GRANT SELECT, INSERT ON audit_event, audit_checkpoint, alert_first_seen TO %I',
                   runtime);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON audit_chain_head TO %I', runtime);
    EXECUTE format('GRANT SELECT ON audit_chain_anchor, audit_retention TO %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT, DELETE ON alert_hit TO %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT ON alert TO %I', runtime);
    EXECUTE format('GRANT UPDATE (acknowledged_at, acknowledged_by) ON alert TO %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON outbox TO %I', runtime);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO %I', schema_name, runtime);
    EXECUTE format('GRANT EXECUTE ON FUNCTION audit_ensure_partition(timestamptz),'
                   ' audit_drop_expired_partitions(timestamptz, text) TO %I', runtime);
END
$grants$;

-- Functions are executable by PUBLIC by default; these two only by the owner and the runtime role.
REVOKE EXECUTE ON FUNCTION audit_ensure_partition(timestamptz),
    audit_drop_expired_partitions(timestamptz, text) FROM PUBLIC;
