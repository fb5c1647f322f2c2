#!/usr/bin/env bash
# Install what the project needs from the system, only when it is missing:
# uv, a C compiler and libpq headers (to build CKAN's psycopg2), and, when the configured
# addresses are local and nothing answers there, PostgreSQL and Redis (installed and started).
# Idempotent: on a machine that has everything it changes nothing.
set -euo pipefail

UV_VERSION="0.13.9"
PG_HOST="${DULIEUMO_PG_HOST:-127.0.0.1}"
PG_PORT="${DULIEUMO_PG_PORT:-5432}"
REDIS_URL="${DULIEUMO_REDIS_URL:-redis://127.0.0.1:6379/3}"
redis_hostport="${REDIS_URL#redis://}"; redis_hostport="${redis_hostport%%/*}"
REDIS_HOST="${redis_hostport%%:*}"; REDIS_PORT="${redis_hostport##*:}"
[ "$REDIS_PORT" = "$REDIS_HOST" ] && REDIS_PORT=6379

say() { printf 'provision: %s\n' "$*" >&2; }
is_local() { case "$1" in 127.0.0.1|localhost|::1) return 0;; *) return 1;; esac; }
listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

apt_missing=()
command -v gcc >/dev/null 2>&1 || apt_missing+=(gcc)
[ -f /usr/include/postgresql/libpq-fe.h ] || apt_missing+=(libpq-dev)
command -v make >/dev/null 2>&1 || apt_missing+=(make)
python3 -c 'import sysconfig,os,sys; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"],"Python.h")) else 1)' \
  || apt_missing+=(python3-dev)

if is_local "$PG_HOST" && ! listening "$PG_HOST" "$PG_PORT"; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then apt_missing+=(postgresql); fi
fi
if is_local "$REDIS_HOST" && ! listening "$REDIS_HOST" "$REDIS_PORT"; then
  command -v redis-server >/dev/null 2>&1 || apt_missing+=(redis-server)
fi

uv_bin="$(command -v uv || true)"
[ -z "$uv_bin" ] && [ -x "$HOME/.local/bin/uv" ] && uv_bin="$HOME/.local/bin/uv"
if [ -z "$uv_bin" ] && ! python3 -m pip --version >/dev/null 2>&1; then
  apt_missing+=(python3-pip)
fi

if [ ${#apt_missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    say "missing system packages: ${apt_missing[*]}"
    say "install them as root: apt-get install -y ${apt_missing[*]}   then re-run make"
    exit 1
  fi
  say "installing ${apt_missing[*]} (apt-get)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi
installed_pg=0
case " ${apt_missing[*]:-} " in *" postgresql "*) installed_pg=1;; esac

if [ -z "$uv_bin" ]; then
  say "installing uv ${UV_VERSION} (pip --user)…"
  python3 -m pip install -q --user --break-system-packages "uv==${UV_VERSION}" 2>/dev/null \
    || python3 -m pip install -q --user "uv==${UV_VERSION}"
fi

# Start local PostgreSQL / Redis when installed but stopped.
if is_local "$PG_HOST" && ! listening "$PG_HOST" "$PG_PORT"; then
  for v in $(ls /etc/postgresql 2>/dev/null); do
    say "starting PostgreSQL $v…"
    pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || pg_ctlcluster "$v" main start || true
  done
  for _ in $(seq 1 30); do listening "$PG_HOST" "$PG_PORT" && break; sleep 0.5; done
fi
if [ "$installed_pg" = 1 ]; then
  # The cluster we just installed only lets the postgres superuser in through the socket
  # (peer): let it in over local TCP too; the portal's own roles use passwords.
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf 2>/dev/null | head -1)
  if [ -n "$hba" ] && ! grep -q 'dulieumo' "$hba"; then
    sed -i '1i host all postgres 127.0.0.1/32 trust  # dulieumo local portal' "$hba"
    su postgres -c "psql -qc 'select pg_reload_conf()'" >/dev/null 2>&1 || true
  fi
fi
if is_local "$REDIS_HOST" && ! listening "$REDIS_HOST" "$REDIS_PORT"; then
  say "starting Redis on port $REDIS_PORT…"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
fi
exit 0
