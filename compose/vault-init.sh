#!/bin/sh
# One-shot after the compose Vault (dev mode) is healthy: what k8s/vault/keyvault-transit-policy.hcl
# asks an operator to do once, then a token for keyvault-service bound to that policy only (in
# Kubernetes the service logs in with its ServiceAccount instead, see k8s/vault/). Idempotent.
set -eu

vault secrets list | grep -q '^transit/' || vault secrets enable transit
vault read transit/keys/whispyrkeep-llm-keys >/dev/null 2>&1 \
  || vault write -f transit/keys/whispyrkeep-llm-keys derived=true type=aes256-gcm96
vault policy write keyvault-transit /opt/whispyrkeep/keyvault-transit-policy.hcl
vault token lookup "$WK_VAULT_KEYVAULT_TOKEN" >/dev/null 2>&1 \
  || vault token create -id="$WK_VAULT_KEYVAULT_TOKEN" -policy=keyvault-transit -no-default-policy=false \
       -period=24h -display-name=keyvault-service >/dev/null
echo "vault-init: transit, key whispyrkeep-llm-keys (derived), policy keyvault-transit, service token ready"
