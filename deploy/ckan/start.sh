#!/bin/bash
# Put the installation's secret into production.ini, migrate, then hand over to the image's start.
set -euo pipefail
: "${CKAN_SECRET_KEY:?CKAN_SECRET_KEY is not set (deploy/.env)}"
ckan config-tool "$CKAN_INI" "SECRET_KEY=${CKAN_SECRET_KEY}"
ckan -c "$CKAN_INI" db upgrade
ckan -c "$CKAN_INI" db upgrade -p activity
ckan -c "$CKAN_INI" datastore set-permissions | psql "${CKAN_SQLALCHEMY_URL%/ckan}/datastore" || true
exec /srv/app/start_ckan.sh
