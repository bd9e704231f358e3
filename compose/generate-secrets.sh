#!/usr/bin/env bash
# Writes the compose run's secrets once: passwords and tokens into .env, key files into
# .local/compose/ (both git-ignored, owner-only). Never overwrites what exists; delete both to
# start again (and `docker compose down -v`: PostgreSQL and Kafka keep the first passwords).
# Needs openssl and sha256sum.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077

keys=.local/compose
mkdir -p "$keys/event-keys"
[ -f "$keys/jwt-signing-key.pem" ] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$keys/jwt-signing-key.pem"
[ -f "$keys/audit-checkpoint-key.pem" ] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$keys/audit-checkpoint-key.pem"
[ -f "$keys/keyvault-fingerprint.key" ] || openssl rand -base64 32 > "$keys/keyvault-fingerprint.key"
for service in auth-service keyvault-service turn-service audit-service; do
  if [ ! -f "$keys/event-keys/$service.pem" ]; then
    openssl genpkey -algorithm ED25519 -out "$keys/event-keys/$service.pem"
    openssl pkey -in "$keys/event-keys/$service.pem" -pubout -out "$keys/event-keys/$service.pub.pem"
  fi
done
# The containers run as uid 1000 and read the files as Compose secrets (bind mounts).
chmod 0644 "$keys"/*.pem "$keys"/*.key "$keys"/event-keys/*.pem
chmod 0755 "$keys" "$keys/event-keys"

if [ -f .env ]; then
  echo ".env exists: kept"
  exit 0
fi
token() { openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n' | cut -c1-32; }
turn_secret=$(token)
audit_secret=$(token)
{
  echo "WK_POSTGRES_POSTGRES_PASSWORD=$(token)"
  for role in WK_AUTH WK_KEYVAULT WK_TURN WK_AUDIT WK_AUDIT_RUNTIME; do
    echo "WK_POSTGRES_${role}_PASSWORD=$(token)"
  done
  for principal in BROKER AUTH_SERVICE KEYVAULT_SERVICE TURN_SERVICE AUDIT_SERVICE; do
    echo "WK_KAFKA_${principal}_PASSWORD=$(token)"
  done
  echo "WK_VAULT_DEV_ROOT_TOKEN=$(token)"
  echo "WK_VAULT_KEYVAULT_TOKEN=$(token)"
  echo "WK_CLIENT_TURN_SERVICE_SECRET=$turn_secret"
  echo "WK_CLIENT_TURN_SERVICE_SECRET_SHA256=$(printf '%s' "$turn_secret" | sha256sum | cut -d' ' -f1)"
  echo "WK_CLIENT_AUDIT_SERVICE_SECRET=$audit_secret"
  echo "WK_CLIENT_AUDIT_SERVICE_SECRET_SHA256=$(printf '%s' "$audit_secret" | sha256sum | cut -d' ' -f1)"
  echo "WK_ADMIN_EMAIL=admin@whispyrkeep.local"
  echo "WK_ADMIN_PASSWORD=$(token)!7aZ"
  grep -E '^WK_(IMAGE_REGISTRY|FRONTEND_ORIGIN|[A-Z_]+_DIGEST)=' .env.example
} > .env
echo "wrote .env and $keys/: set the image digests in .env after building the images"
