#!/bin/bash
# First start of the database: the DataStore database and its read-only role.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE ROLE datastore_ro NOSUPERUSER NOCREATEDB NOCREATEROLE LOGIN PASSWORD '${DATASTORE_RO_PASSWORD}';
CREATE DATABASE datastore OWNER ckan ENCODING 'UTF8';
SQL
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname datastore -c "CREATE EXTENSION IF NOT EXISTS unaccent"
