#!/bin/bash
# Every night at 01:30 (the container's clock): both databases (pg_dump, custom format) and the
# uploaded files, kept BACKUP_KEEP_DAYS days. Restore: deploy/README.md.
set -euo pipefail
while true; do
  now=$(date +%s); next=$(date -d "tomorrow 01:30" +%s 2>/dev/null || echo $((now + 86400)))
  [ "$(date +%H%M)" \< "0130" ] && next=$(date -d "today 01:30" +%s)
  sleep $((next - now))
  stamp=$(date +%Y%m%dT%H%M)
  mkdir -p "/backups/$stamp"
  pg_dump -Fc -d ckan -f "/backups/$stamp/ckan.dump"
  pg_dump -Fc -d datastore -f "/backups/$stamp/datastore.dump"
  tar -C /var/lib/ckan -czf "/backups/$stamp/storage.tar.gz" .
  find /backups -mindepth 1 -maxdepth 1 -type d -mtime "+${BACKUP_KEEP_DAYS}" -exec rm -rf {} +
done
