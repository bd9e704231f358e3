-- Event authenticity (issue 8): each stored event keeps the Ed25519 signature its publisher made
-- over the exact Kafka record value, the id of the key, and that value itself when it differs from
-- the canonical payload, so GET /audit/verify can re-check the signature at any time. Rows stored
-- before this migration have no signature and are reported by verify as unsigned.
ALTER TABLE audit_event
    ADD COLUMN signing_key_id text,
    ADD COLUMN signature bytea,
    ADD COLUMN signed_payload text;
