#!/usr/bin/env bash
# Turn validation benchmark (ValidatorBench, turn-service test sources): no services needed. Prints,
# in one run, 10,000-char turns per second through TurnInputCleaner + InjectionDetector beside a
# plain strip+toLowerCase pass over the same turns, and narrator patches per second through
# NarratorAnswerParser + PatchValidator + StatePatcher beside a plain Jackson parse of the same
# patch. Machines here are noisy: read the ratios, not the absolute figures.
# Usage: bench/turn/validator.sh [seconds per measurement=5]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -ntp test-compile dependency:build-classpath -pl turn-service -am \
  -Dquarkus.build.skip=true -Dspotless.check.skip=true -Dspotbugs.skip=true -Dcyclonedx.skip=true \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
exec java -Xmx512m \
  -cp "turn-service/target/test-classes:turn-service/target/classes:$(cat turn-service/target/bench-classpath.txt)" \
  io.whispyrkeep.turn.bench.ValidatorBench "${1:-5}"
