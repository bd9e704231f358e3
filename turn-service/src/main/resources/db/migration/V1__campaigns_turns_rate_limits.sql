-- Campaigns: one player's story, its state document (JSON text, at most 1 MiB by the patch limits)
-- and in-game clock. The row is locked (SELECT ... FOR UPDATE) for every change, so turns of one
-- campaign are numbered and applied one after the other.
CREATE TABLE campaign (
    id                 uuid PRIMARY KEY,
    owner_id           varchar(64)  NOT NULL,
    name               varchar(200) NOT NULL,
    provider           varchar(40)  NOT NULL,
    state              text         NOT NULL,
    state_version      bigint       NOT NULL CHECK (state_version >= 1),
    game_time_seconds  bigint       NOT NULL CHECK (game_time_seconds >= 0),
    turn_count         integer      NOT NULL DEFAULT 0 CHECK (turn_count >= 0),
    created_at         timestamptz  NOT NULL,
    updated_at         timestamptz  NOT NULL
);
-- GET /campaigns: the owner's campaigns, newest first (ids are time-ordered).
CREATE INDEX campaign_owner_idx ON campaign (owner_id, id DESC);

-- Turns: stored before the narrator is called; one per (campaign, player, Idempotency-Key), so a
-- retried request finds its first attempt instead of calling the narrator again.
CREATE TABLE turn (
    id                 uuid PRIMARY KEY,
    campaign_id        uuid         NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
    player_id          varchar(64)  NOT NULL,
    sequence           integer      NOT NULL CHECK (sequence >= 1),
    idempotency_key    varchar(100) NOT NULL,
    request_hash       varchar(64)  NOT NULL,
    user_input         text         NOT NULL,
    prompt_boundary    varchar(64)  NOT NULL,
    status             varchar(16)  NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    attempts           integer      NOT NULL DEFAULT 1,
    lease_until        timestamptz,
    narrative          text,
    patch_applied      boolean,
    patch_reason       varchar(300),
    state_version      bigint,
    failure_reason     varchar(100),
    created_at         timestamptz  NOT NULL,
    updated_at         timestamptz  NOT NULL,
    CONSTRAINT turn_idempotency_key UNIQUE (campaign_id, player_id, idempotency_key),
    CONSTRAINT turn_campaign_sequence UNIQUE (campaign_id, sequence)
);

-- The platform's RateLimiter: windows shared by every replica (60 turns a minute per player).
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
