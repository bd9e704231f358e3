-- Players' provider API keys, only ever as transit ciphertext (vault:vN:...), one per player and
-- provider. Deleting a key deletes its row: nothing is kept "flagged".
CREATE TABLE api_key (
    id           uuid PRIMARY KEY,
    owner_id     varchar(64)   NOT NULL,
    provider     varchar(40)   NOT NULL,
    ciphertext   text          NOT NULL,
    key_version  integer       NOT NULL,
    last4        varchar(4)    NOT NULL,
    fingerprint  varchar(80)   NOT NULL,
    base_url     varchar(2048),
    created_at   timestamptz   NOT NULL,
    updated_at   timestamptz   NOT NULL,
    CONSTRAINT api_key_owner_provider_key UNIQUE (owner_id, provider),
    CONSTRAINT api_key_ciphertext_framed CHECK (ciphertext LIKE 'vault:v%:%')
);
-- The rewrap job walks rows below the newest key version in id order.
CREATE INDEX api_key_version_idx ON api_key (key_version, id);

-- Rewrap runs: progress survives a crash; a run whose lease has expired is resumed by any replica.
CREATE TABLE rewrap_run (
    id              uuid PRIMARY KEY,
    target_version  integer      NOT NULL,
    state           varchar(16)  NOT NULL CHECK (state IN ('running', 'finished', 'failed')),
    total           integer      NOT NULL,
    rewrapped       integer      NOT NULL DEFAULT 0,
    started_by      varchar(64)  NOT NULL,
    worker          varchar(64),
    lease_until     timestamptz,
    started_at      timestamptz  NOT NULL,
    updated_at      timestamptz  NOT NULL,
    finished_at     timestamptz,
    last_error      varchar(200)
);
-- At most one run at a time.
CREATE UNIQUE INDEX rewrap_run_one_running_idx ON rewrap_run ((true)) WHERE state = 'running';

-- The platform's RateLimiter: windows shared by every replica (10 key changes per hour per player).
CREATE TABLE rate_limit_window (
    bucket            varchar(200) NOT NULL,
    window_start      timestamptz  NOT NULL,
    hits              integer      NOT NULL,
    limit_per_window  integer      NOT NULL,
    window_seconds    integer      NOT NULL,
    reported          boolean      NOT NULL DEFAULT false,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_limit_window_unreported_idx ON rate_limit_window (window_start)
    WHERE NOT reported AND hits > limit_per_window;
