#!/usr/bin/env bash
# auth-service benchmark. Starts the suite (./run-local.sh, data in a temp folder, rate limits
# raised because all load comes from one address), then measures in one run:
#   1. login throughput and latency under concurrent load (wrk), beside the bare argon2id
#      verification rate on the same number of threads (Argon2Baseline): the ratio is what the
#      service adds over the unavoidable hashing cost;
#   2. requests/s on a token-protected path vs the same response on a public path: the ratio is
#      the cost of JWT verification.
# Machines here are noisy: read the ratios, not the absolute figures.
# Usage: bench/auth/run.sh   (env: DURATION=20s CONNECTIONS=16)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "bench: needs wrk (apt-get install wrk)" >&2; exit 1; }
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16}
SECONDS_ONLY=${DURATION%s}

if [ ! -f bench/target/bench-classpath.txt ]; then
  mvn -B -q -ntp package -DskipTests -Dspotless.check.skip=true -Dspotbugs.skip=true -Dcyclonedx.skip=true
fi

export WK_LOCAL_DIR; WK_LOCAL_DIR=$(mktemp -d /tmp/wk-bench.XXXXXX)
export WHISPYRKEEP_AUTH_RATE_LIMIT_LOGIN_PER_MINUTE=100000000
export WHISPYRKEEP_AUTH_RATE_LIMIT_REGISTER_PER_MINUTE=100000000
./run-local.sh >"$WK_LOCAL_DIR/run-local.out" 2>&1 &
launcher=$!
trap 'kill $launcher 2>/dev/null; wait $launcher 2>/dev/null; rm -rf "$WK_LOCAL_DIR"' EXIT
until grep -q "WhispyrKeep suite is ready" "$WK_LOCAL_DIR/run-local.out"; do
  kill -0 $launcher 2>/dev/null || { cat "$WK_LOCAL_DIR/run-local.out"; exit 1; }
  sleep 1
done

auth=http://127.0.0.1:8081
curl -sf -o /dev/null -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"Correct-Horse-Battery-9!","displayName":"Bench"}' \
  "$auth/auth/register"
token=$(curl -sf -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"Correct-Horse-Battery-9!"}' "$auth/auth/login" \
  | sed -E 's/.*"access_token":"([^"]+)".*/\1/')

rate() { grep -E '^Requests/sec' | awk '{print $2}'; }
pct() { grep -E "^ +$1%" | awk '{print $2}'; }

echo "== warm-up"
wrk -t2 -c4 -d5s -s bench/auth/login.lua "$auth/auth/login" >/dev/null

echo "== login under load: wrk -t2 -c$CONNECTIONS -d$DURATION"
login_out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/auth/login.lua "$auth/auth/login")
echo "$login_out" | grep -E "Requests/sec|Non-2xx|Socket errors|  50%|  99%" || true

echo "== bare argon2id on 2 threads (the service hashes on 2: whispyrkeep.auth.hashing.max-concurrent)"
baseline_out=$(java -cp "bench/target/classes:$(cat bench/target/bench-classpath.txt)" \
  io.whispyrkeep.bench.Argon2Baseline 2 "$SECONDS_ONLY")
echo "$baseline_out"

echo "== token verification: protected path (valid JWT) vs public path, same 404 problem response"
protected_out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $token" "$auth/auth/bench-nothing")
public_out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$auth/.well-known/bench-nothing")

login_rate=$(echo "$login_out" | rate)
hash_rate=$(echo "$baseline_out" | sed -E 's/.*: ([0-9.]+) verifications.*/\1/')
protected_rate=$(echo "$protected_out" | rate)
public_rate=$(echo "$public_out" | rate)
echo
echo "RESULT login: ${login_rate} req/s (p50 $(echo "$login_out" | pct 50), p99 $(echo "$login_out" | pct 99))" \
  "vs bare argon2id ${hash_rate}/s -> login/hash ratio $(awk "BEGIN{printf \"%.2f\", $login_rate/$hash_rate}")"
echo "RESULT verification: protected ${protected_rate} req/s (p50 $(echo "$protected_out" | pct 50))" \
  "vs public ${public_rate} req/s (p50 $(echo "$public_out" | pct 50))" \
  "-> protected/public ratio $(awk "BEGIN{printf \"%.2f\", $protected_rate/$public_rate}")"
