-- Alert rules are evaluated incrementally as events are stored: each matching event adds one hit,
-- and a rule fires from a range scan of its own recent hits, never from the audit table.

CREATE TABLE alert_hit (
    rule        varchar(64)  NOT NULL,
    group_key   varchar(200) NOT NULL,
    event_id    uuid         NOT NULL,
    occurred_at timestamptz  NOT NULL,
    PRIMARY KEY (rule, group_key, event_id)
);
CREATE INDEX alert_hit_window_idx ON alert_hit (rule, group_key, occurred_at);

-- For "first seen" rules: the values seen so far per group (say, services per key).
CREATE TABLE alert_first_seen (
    rule      varchar(64)  NOT NULL,
    group_key varchar(200) NOT NULL,
    value     varchar(200) NOT NULL,
    PRIMARY KEY (rule, group_key, value)
);

CREATE TABLE alert (
    id              uuid         PRIMARY KEY,
    rule            varchar(64)  NOT NULL,
    group_key       varchar(200) NOT NULL,
    severity        varchar(10)  NOT NULL,
    raised_at       timestamptz  NOT NULL,
    trigger_event   uuid         NOT NULL,
    hits            integer      NOT NULL,
    summary         varchar(500) NOT NULL,
    acknowledged_at timestamptz,
    acknowledged_by varchar(200)
);
CREATE INDEX alert_rule_group_idx ON alert (rule, group_key, raised_at DESC);
CREATE INDEX alert_raised_idx ON alert (raised_at DESC, id DESC);
