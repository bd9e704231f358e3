#!/usr/bin/env bash
# One-shot after the compose Kafka is healthy: the suite's topics and ACLs, the same as
# k8s/kafka/topics.yaml and k8s/kafka/users.yaml (io.whispyrkeep.devinfra.kafka.KafkaAcls):
# every service writes security.events; only audit-service reads it, in group audit-service, and
# writes security.events.dlq and security.alerts. Literal names only. Re-running changes nothing.
set -euo pipefail

admin=/tmp/admin.properties
cat > "$admin" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="${WK_KAFKA_BROKER_PASSWORD}";
PROPS
chmod 600 "$admin"
bin=/opt/kafka/bin
server=kafka:9092

for topic in security.events security.events.dlq security.alerts; do
  "$bin/kafka-topics.sh" --bootstrap-server "$server" --command-config "$admin" \
    --create --if-not-exists --topic "$topic" --partitions 3 --replication-factor 1
done

acl() {
  "$bin/kafka-acls.sh" --bootstrap-server "$server" --command-config "$admin" --add \
    --allow-principal "User:$1" --operation "$2" --resource-pattern-type literal "${@:3}"
}
for service in auth-service keyvault-service turn-service audit-service; do
  acl "$service" Write --topic security.events
done
acl audit-service Read --topic security.events
acl audit-service Read --group audit-service
acl audit-service Write --topic security.events.dlq
acl audit-service Write --topic security.alerts
