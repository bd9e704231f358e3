-- Checkpoints form a chain of their own. Version 2 of the signed statement also signs
-- "previous", the SHA-256 of the signature of the checkpoint stored just before (by id), so removing,
-- reordering or inserting a checkpoint breaks the chain of signatures; version 1 rows (no previous)
-- stay verifiable as they were signed. Signers serialise on an advisory lock, and no two
-- checkpoints may follow the same one, so replicas never fork the chain. A head may be signed again
-- (a heartbeat when no chain moved), so one row per head is no longer the rule.

ALTER TABLE audit_checkpoint ADD COLUMN version smallint NOT NULL DEFAULT 1;
ALTER TABLE audit_checkpoint ADD COLUMN previous bytea;
ALTER TABLE audit_checkpoint ADD CONSTRAINT audit_checkpoint_version_check
    CHECK ((version = 1 AND previous IS NULL) OR version = 2);
DROP INDEX audit_checkpoint_head_idx;
CREATE INDEX audit_checkpoint_chain_idx ON audit_checkpoint (chain, seq DESC, id DESC);
CREATE UNIQUE INDEX audit_checkpoint_previous_idx ON audit_checkpoint (previous);

