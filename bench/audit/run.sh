#!/usr/bin/env bash
# audit-service benchmark (AuditBench): starts PostgreSQL and Kafka as the tests do (or uses
# WK_TEST_POSTGRES_URL / WK_TEST_KAFKA_BOOTSTRAP), runs the packaged audit-service, and prints in
# one run:
#   1. sustained ingestion from Kafka into the hash-chained trail, beside a plain JDBC batched
#      insert of the same rows (ratio);
#   2. query latency percentiles through the API over >= 1M rows, beside the point lookup by id.
# Machines here are noisy: read the ratios, not the absolute figures.
# Usage: bench/audit/run.sh [events=100000] [rows=1000000] [requests=200]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f bench/target/bench-classpath.txt ] || [ ! -f audit-service/target/quarkus-app/quarkus-run.jar ]; then
  mvn -B -q -ntp install -DskipTests -Dspotless.check.skip=true -Dspotbugs.skip=true -Dcyclonedx.skip=true
fi
exec java -Xmx1g -Dwhispyrkeep.root="$PWD" \
  -cp "bench/target/classes:$(cat bench/target/bench-classpath.txt)" \
  io.whispyrkeep.bench.AuditBench "${1:-100000}" "${2:-1000000}" "${3:-200}"
