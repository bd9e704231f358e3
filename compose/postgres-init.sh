#!/usr/bin/env bash
# First start of the compose PostgreSQL only (docker-entrypoint-initdb.d): one database and one
# owner role per service, closed to the others, and audit-service's runtime role (granted its
# least privilege by audit-service's own migrations). Passwords come from the environment (.env),
# passed to psql as variables, never written into this file.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username postgres --dbname postgres \
  -v auth_pw="$WK_POSTGRES_WK_AUTH_PASSWORD" \
  -v keyvault_pw="$WK_POSTGRES_WK_KEYVAULT_PASSWORD" \
  -v turn_pw="$WK_POSTGRES_WK_TURN_PASSWORD" \
  -v audit_pw="$WK_POSTGRES_WK_AUDIT_PASSWORD" \
  -v audit_runtime_pw="$WK_POSTGRES_WK_AUDIT_RUNTIME_PASSWORD" <<'SQL'
CREATE ROLE wk_auth LOGIN PASSWORD :'auth_pw';
CREATE ROLE wk_keyvault LOGIN PASSWORD :'keyvault_pw';
CREATE ROLE wk_turn LOGIN PASSWORD :'turn_pw';
CREATE ROLE wk_audit LOGIN PASSWORD :'audit_pw';
CREATE ROLE wk_audit_runtime LOGIN PASSWORD :'audit_runtime_pw';
CREATE DATABASE auth OWNER wk_auth;
CREATE DATABASE keyvault OWNER wk_keyvault;
CREATE DATABASE turn OWNER wk_turn;
CREATE DATABASE audit OWNER wk_audit;
REVOKE ALL ON DATABASE auth, keyvault, turn, audit FROM PUBLIC;
GRANT CONNECT ON DATABASE auth TO wk_auth;
GRANT CONNECT ON DATABASE keyvault TO wk_keyvault;
GRANT CONNECT ON DATABASE turn TO wk_turn;
GRANT CONNECT ON DATABASE audit TO wk_audit, wk_audit_runtime;
SQL
