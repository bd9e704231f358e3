-- Issue 8 hardening.

-- Emails are unique whatever their case, local part included: Bob@x.com and bob@x.com are one
-- mailbox for every provider players use, and two accounts on it would let one person hold two
-- identities (or squat a look-alike). The address is still stored as typed. An existing pair that
-- differs only by case stops the migration with a clear message: an operator must resolve it.
DO $$
BEGIN
    IF EXISTS (SELECT lower(email) FROM account GROUP BY lower(email) HAVING count(*) > 1) THEN
        RAISE EXCEPTION 'accounts whose emails differ only by case exist: merge or rename them first';
    END IF;
END
$$;
ALTER TABLE account DROP CONSTRAINT account_email_key;
CREATE UNIQUE INDEX account_email_lower_key ON account (lower(email));

-- Account-wide protection (the account is "under attack"): locked_until now means "until then,
-- only the owner's known devices may sign in". locked_at is when the protection last started;
-- failures are counted from then, so renewing it needs a fresh threshold of failures.
ALTER TABLE account ADD COLUMN locked_at timestamptz;

-- Per-address counters group IPv6 clients by /64, written as 2001:db8:1:2::/64 (fits in 45).

-- Rate limits: the limit each window was counted against, and whether its refusals have been
-- reported (one auth.rate_limited event per bucket per window, with the count).
ALTER TABLE rate_limit_window ADD COLUMN limit_per_window integer NOT NULL DEFAULT 0;
ALTER TABLE rate_limit_window ADD COLUMN reported boolean NOT NULL DEFAULT false;
CREATE INDEX rate_limit_window_unreported_idx ON rate_limit_window (window_start)
    WHERE NOT reported AND hits > limit_per_window;
