-- The embedded transit engine (whispyrkeep.keyvault.custody.engine=local): the named transit keys
-- and their versions. Each version is a random 256-bit key stored only wrapped (AES-256-GCM) under
-- a master key (KEK) that never enters the database; kek_id (a short hash of the KEK) says which
-- one opens the row. Unused, and empty, when the Vault engine is selected.

CREATE TABLE local_transit_key (
    name                   varchar(128) PRIMARY KEY,
    -- the version new ciphertexts are made with
    latest_version         integer      NOT NULL,
    -- ciphertexts of older versions are refused; never lowered by the service
    min_decryption_version integer      NOT NULL DEFAULT 1,
    created_at             timestamptz  NOT NULL,
    updated_at             timestamptz  NOT NULL,
    CONSTRAINT local_transit_key_versions_ck
        CHECK (latest_version >= 1 AND min_decryption_version >= 1
               AND min_decryption_version <= latest_version)
);

-- One row per version: (key_name, version) is unique, so two concurrent rotations cannot both
-- add the same version (rotation also holds the key row's lock).
CREATE TABLE local_transit_key_version (
    key_name    varchar(128) NOT NULL REFERENCES local_transit_key (name),
    version     integer      NOT NULL CHECK (version >= 1),
    -- nonce | AES-256-GCM(KEK, version key) | tag, with key name, version and kek id as AAD
    wrapped_key bytea        NOT NULL,
    kek_id      varchar(32)  NOT NULL,
    created_at  timestamptz  NOT NULL,
    PRIMARY KEY (key_name, version)
);

-- Start-up finds the versions still wrapped under a retired master key.
CREATE INDEX local_transit_key_version_kek_idx ON local_transit_key_version (kek_id);
