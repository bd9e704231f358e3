#!/usr/bin/env bash
# Runs the whole WhispyrKeep suite on this machine, no Docker needed: PostgreSQL (15432), Kafka
# (19092), auth 8081, keyvault 8082, turn 8083, audit 8084 and the front door on 8080.
# Usage: ./run-local.sh [--reset] [--smoke]   (--reset wipes .local/data first; secrets are kept;
#        --smoke runs the end-to-end journey through the front door, on the suite already
#        running or on one it starts and stops, and exits 0 only if every step passed)
# Ctrl-C stops everything. Logs: .local/logs/. Admin credentials: .local/admin.env.
set -euo pipefail
cd "$(dirname "$0")"

command -v java >/dev/null || { echo "run-local: a JDK 17+ is required (java not found)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "run-local: Maven 3.8+ is required (mvn not found)" >&2; exit 1; }

needs_build=false
for artifact in kafka-broker/target/lib local-launcher/target/launcher-classpath.txt \
    local-launcher/target/classes/io/whispyrkeep/launcher/LocalSuite.class \
    auth-service/target/quarkus-app/quarkus-run.jar keyvault-service/target/quarkus-app/quarkus-run.jar \
    turn-service/target/quarkus-app/quarkus-run.jar audit-service/target/quarkus-app/quarkus-run.jar; do
  [ -e "$artifact" ] || needs_build=true
done
if $needs_build; then
  echo "==> Building the suite (first run; mvn package -DskipTests, a few minutes) ..."
  mvn -B -q -ntp package -DskipTests -Dspotless.check.skip=true -Dspotbugs.skip=true -Dcyclonedx.skip=true
fi

exec java -XX:+UseSerialGC -Xmx256m -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "local-launcher/target/classes:$(cat local-launcher/target/launcher-classpath.txt)" \
  io.whispyrkeep.launcher.LocalSuite "$@"
