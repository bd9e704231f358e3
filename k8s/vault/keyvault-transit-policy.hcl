# Vault (or OpenBao) policy of keyvault-service: least privilege on ONE transit key,
# "whispyrkeep-llm-keys" on the mount "transit" (whispyrkeep.keyvault.custody.key-name and
# .vault.mount; change every path below if those differ).
#
# Set up once by an operator with a broader token (this policy can create, delete, export, back up
# or trim no key):
#   vault secrets enable transit
#   vault write transit/keys/whispyrkeep-llm-keys derived=true type=aes256-gcm96
#   vault policy write keyvault-transit k8s/vault/keyvault-transit-policy.hcl
#   vault write auth/kubernetes/role/keyvault-service \
#       bound_service_account_names=keyvault-service bound_service_account_namespaces=whispyrkeep \
#       token_policies=keyvault-transit token_ttl=1h token_max_ttl=4h
# and run the service with WHISPYRKEEP_KEYVAULT_CUSTODY_ENGINE=vault, QUARKUS_VAULT_URL and
# QUARKUS_VAULT_AUTHENTICATION_KUBERNETES_ROLE=keyvault-service.
#
# derived=true is what makes a ciphertext copied onto another user's row useless: each call
# carries the owner's user id as the derivation context. The service reads the key before first
# use and refuses one that is not derived, or is convergent (convergent_encryption must stay off:
# it would make equal plaintexts of one user visible).
#
# Decision: rotation and the minimum decryption version are in THIS policy, not in a separate
# admin policy. The admin endpoints that rotate, rewrap and retire versions are part of this
# service (behind its admin role), so a second Vault identity would only move the same power to a
# second secret in the same pod. What they add to a stolen service token is availability, not
# confidentiality: the token can already decrypt everything; "rotate" only adds a version;
# min_decryption_version can lock old ciphertexts out, which an operator reverses by lowering it
# again, because no path below can trim or delete key versions. Config is limited to that one
# parameter: deletion_allowed, exportable (irreversible) and allow_plaintext_backup are refused.
# Operators who want rotation out of the service's reach drop the last two paths and run those
# operations with their own token; encrypt, decrypt and rewrap keep working.
#
# Token renewal and lookup of its own token come from Vault's "default" policy, which Kubernetes
# auth attaches unless token_no_default_policy is set.

# Encrypt, decrypt, rewrap (single and batch_input). "update" only: without "create", encrypting
# under a missing key fails instead of silently creating a non-derived one (Vault's upsert).
path "transit/encrypt/whispyrkeep-llm-keys" {
  capabilities = ["update"]
}

path "transit/decrypt/whispyrkeep-llm-keys" {
  capabilities = ["update"]
}

path "transit/rewrap/whispyrkeep-llm-keys" {
  capabilities = ["update"]
}

# The key's metadata: latest_version, min_decryption_version, derived, type. "read" only: an
# update on this path would create or overwrite key settings.
path "transit/keys/whispyrkeep-llm-keys" {
  capabilities = ["read"]
}

# Admin operation of the service: add a key version.
path "transit/keys/whispyrkeep-llm-keys/rotate" {
  capabilities = ["update"]
}

# Admin operation of the service: raise the minimum decryption version (the service never lowers
# it; Vault would allow it). No other key setting may be changed.
path "transit/keys/whispyrkeep-llm-keys/config" {
  capabilities = ["update"]
  allowed_parameters = {
    "min_decryption_version" = []
  }
}
