-- auth-service schema. Times are written by the service from its injected clock, so lockout and
-- expiry rules can be tested; every replica shares this state (nothing lives in one JVM).

CREATE TABLE account (
    id                   uuid         PRIMARY KEY,
    email                varchar(254) NOT NULL UNIQUE,
    display_name         varchar(100) NOT NULL,
    password_hash        varchar(255) NOT NULL,
    created_at           timestamptz  NOT NULL,
    -- consecutive failures from any address; reset by a success
    consecutive_failures integer      NOT NULL DEFAULT 0,
    -- account-wide temporary lock (20 failures in 12 h); null when not locked
    locked_until         timestamptz,
    -- only when permanent lockout is configured: cleared by an admin
    locked_permanently   boolean      NOT NULL DEFAULT false,
    -- comma-separated roles from a fixed set (player, security, admin)
    roles                varchar(200) NOT NULL
);

-- Per account and client address: consecutive failures and the temporary lock for that address.
CREATE TABLE login_lock (
    account_id           uuid        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    client_ip            varchar(45) NOT NULL,
    consecutive_failures integer     NOT NULL,
    locked_until         timestamptz,
    PRIMARY KEY (account_id, client_ip)
);

-- Every failure, to count failures within the account-wide window (12 h by default).
CREATE TABLE login_failure (
    id         bigserial   PRIMARY KEY,
    account_id uuid        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    client_ip  varchar(45),
    failed_at  timestamptz NOT NULL
);
CREATE INDEX login_failure_account_time_idx ON login_failure (account_id, failed_at);

-- Refresh tokens: only a SHA-256 of the token is stored. One family per login.
CREATE TABLE refresh_token (
    id                  uuid        PRIMARY KEY,
    family_id           uuid        NOT NULL,
    account_id          uuid        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    token_hash          bytea       NOT NULL UNIQUE,
    issued_at           timestamptz NOT NULL,
    expires_at          timestamptz NOT NULL,
    family_expires_at   timestamptz NOT NULL,
    used_at             timestamptz,
    revoked_at          timestamptz
);
CREATE INDEX refresh_token_family_idx ON refresh_token (family_id);

-- Fixed-window request counters for rate limits, shared by all replicas.
CREATE TABLE rate_limit_window (
    bucket       varchar(200) NOT NULL,
    window_start timestamptz  NOT NULL,
    hits         integer      NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
