#!/usr/bin/env bash
# keyvault-service custody benchmark (TransitCryptoBench): encrypt and decrypt operations per second
# of the embedded transit engine's crypto core (cached per-context HKDF key, AES-256-GCM with
# bound associated data, vault:v<N>: framing) beside raw JCA AES-256-GCM, in one run on the same
# threads; prints the ratio (goal: at least 0.5). The cryptography only: no key-state lookup, no
# hop to the engine's crypto threads, no HTTP. Machines here are noisy: read the ratios, not the absolute figures.
# Usage: bench/keyvault/run.sh [threads=2] [seconds=10] [users=1000] [plaintext bytes=64]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f bench/target/bench-classpath.txt ] || [ ! -f keyvault-service/target/classes/io/whispyrkeep/keyvault/custody/LocalTransitCrypto.class ]; then
  mvn -B -q -ntp install -DskipTests -Dspotless.check.skip=true -Dspotbugs.skip=true -Dcyclonedx.skip=true
fi
exec java -Xmx512m \
  -cp "bench/target/classes:keyvault-service/target/classes:$(cat bench/target/bench-classpath.txt)" \
  io.whispyrkeep.bench.TransitCryptoBench "${1:-2}" "${2:-10}" "${3:-1000}" "${4:-64}"
