-- The platform's RateLimiter (issue 9) keeps windows of any length: each row says how long its
-- window is, and buckets are named action|windowSeconds|address:<key>. Rows left by the earlier
-- one-minute limiter (bucket action:<key>) are renamed, so their refusals are still reported.
ALTER TABLE rate_limit_window ADD COLUMN window_seconds integer NOT NULL DEFAULT 60;
ALTER TABLE rate_limit_window ALTER COLUMN window_seconds DROP DEFAULT;
UPDATE rate_limit_window
   SET bucket = split_part(bucket, ':', 1) || '|60|address:' || substr(bucket, strpos(bucket, ':') + 1)
 WHERE strpos(bucket, '|') = 0 AND strpos(bucket, ':') > 0;
