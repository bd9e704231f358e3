#!/usr/bin/env bash
# The compose Kafka: one combined KRaft node. Clients use SASL SCRAM-SHA-512 as their own principal
# (named like the service); the controller listener uses SASL PLAIN as the broker's super user (a
# PLAINTEXT controller would run as User:ANONYMOUS and need cluster rights). Everything not allowed
# by an ACL is denied. SCRAM users are created when the storage is formatted (first start only);
# passwords come from the environment (.env) and are written only to /tmp (a tmpfs).
set -euo pipefail

data=/var/lib/kafka/data
config=/tmp/server.properties
cat > "$config" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=CLIENT://0.0.0.0:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=CLIENT://kafka:9092
inter.broker.listener.name=CLIENT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="${WK_KAFKA_BROKER_PASSWORD}" user_broker="${WK_KAFKA_BROKER_PASSWORD}";
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="${WK_KAFKA_BROKER_PASSWORD}";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:broker
auto.create.topics.enable=false
log.dirs=${data}
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
PROPS
chmod 600 "$config"

if [ ! -f "$data/meta.properties" ]; then
  # A cluster id starting with '-' would be read as an option: draw again.
  cluster=-
  while [ "${cluster#-}" != "$cluster" ]; do cluster=$(/opt/kafka/bin/kafka-storage.sh random-uuid); done
  /opt/kafka/bin/kafka-storage.sh format -t "$cluster" -c "$config" \
    --add-scram "SCRAM-SHA-512=[name=broker,password=${WK_KAFKA_BROKER_PASSWORD}]" \
    --add-scram "SCRAM-SHA-512=[name=auth-service,password=${WK_KAFKA_AUTH_SERVICE_PASSWORD}]" \
    --add-scram "SCRAM-SHA-512=[name=keyvault-service,password=${WK_KAFKA_KEYVAULT_SERVICE_PASSWORD}]" \
    --add-scram "SCRAM-SHA-512=[name=turn-service,password=${WK_KAFKA_TURN_SERVICE_PASSWORD}]" \
    --add-scram "SCRAM-SHA-512=[name=audit-service,password=${WK_KAFKA_AUDIT_SERVICE_PASSWORD}]"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$config"
