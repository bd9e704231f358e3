#!/usr/bin/env bash
# Token verification benchmark (AuthBench): starts PostgreSQL and Kafka as the tests do, runs the
# packaged auth-service on a free port (RSA-3072 signing key), and measures with wrk, in one run,
# requests/s on a token-protected path vs a public path answering the same 404 problem: once with
# the cache of verified tokens (default) and once without. Goal: protected/public >= 0.7 with it.
# Machines here are noisy: read the ratios, not the absolute figures.
# Usage: bench/auth/tokens.sh [seconds per measurement=15] [connections=16]
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "bench: needs wrk (apt-get install wrk)" >&2; exit 1; }
if [ ! -f bench/target/bench-classpath.txt ] || [ ! -f auth-service/target/quarkus-app/quarkus-run.jar ]; then
  mvn -B -q -ntp package -pl bench -am -DskipTests -Dspotless.check.skip=true -Dspotbugs.skip=true -Dcyclonedx.skip=true
fi
exec java -Xmx512m -Dwhispyrkeep.root="$PWD" \
  -cp "bench/target/classes:$(cat bench/target/bench-classpath.txt)" \
  io.whispyrkeep.bench.AuthBench "${1:-15}" "${2:-16}"
