#!/usr/bin/env bash
# Vault (or OpenBao) side of keyvault-service, run once by an operator with a token that may manage
# auth methods, policies and the transit mount (never the service's token). Idempotent.
#   VAULT_ADDR, VAULT_TOKEN   the operator's Vault and token
#   NAMESPACE                 the suite's namespace (default whispyrkeep)
#   SERVICE_ACCOUNT           keyvault-service's ServiceAccount (default keyvault-service: the chart's
#                             name for it with the default release name; see `helm get manifest`)
# Kubernetes auth needs Vault to call the TokenReview API: with Vault inside the cluster, its own
# ServiceAccount bound to system:auth-delegator (the official Vault chart does this) and
# `vault write auth/kubernetes/config kubernetes_host=https://kubernetes.default.svc`.
set -euo pipefail
NAMESPACE=${NAMESPACE:-whispyrkeep}
SERVICE_ACCOUNT=${SERVICE_ACCOUNT:-keyvault-service}
here=$(cd "$(dirname "$0")" && pwd)

vault secrets list | grep -q '^transit/' || vault secrets enable transit
vault read transit/keys/whispyrkeep-llm-keys >/dev/null 2>&1 \
  || vault write -f transit/keys/whispyrkeep-llm-keys derived=true type=aes256-gcm96
vault policy write keyvault-transit "$here/keyvault-transit-policy.hcl"
vault auth list | grep -q '^kubernetes/' || vault auth enable kubernetes
# Bound to exactly one ServiceAccount in one namespace; short-lived tokens with only this policy
# (plus "default": renewal and lookup of its own token). The audience is the one the chart's
# projected token asks for (keyvault.vault.audience in values.yaml).
vault write auth/kubernetes/role/keyvault-service \
  bound_service_account_names="$SERVICE_ACCOUNT" \
  bound_service_account_namespaces="$NAMESPACE" \
  audience=vault \
  token_policies=keyvault-transit \
  token_ttl=1h token_max_ttl=4h
