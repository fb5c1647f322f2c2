#!/usr/bin/env bash
# Install what the project needs from the system, only when it is missing:
# uv, a C compiler and libpq headers (to build CKAN's psycopg2), Debian's chromium (browser
# tests), and, when the configured addresses are local and nothing answers there, PostgreSQL
# and Redis (installed and started).
# Idempotent: on a machine that has everything it changes nothing.
# `provision.sh worker` (make install-worker): only uv — a Prefect worker machine runs no
# portal, no PostgreSQL, no Redis, and builds nothing (every Python package is a wheel).
set -euo pipefail
ROLE="${1:-all}"

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
if [ "$ROLE" != worker ]; then
command -v gcc >/dev/null 2>&1 || apt_missing+=(gcc)
[ -f /usr/include/postgresql/libpq-fe.h ] || apt_missing+=(libpq-dev)
command -v make >/dev/null 2>&1 || apt_missing+=(make)
# CKAN uploads need libmagic (python-magic loads it at start-up)
/sbin/ldconfig -p 2>/dev/null | grep -q "libmagic\.so\.1 " || apt_missing+=(libmagic1)
command -v python3 >/dev/null 2>&1 && python3 -c 'import sysconfig,os,sys; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"],"Python.h")) else 1)' \
  || apt_missing+=(python3-dev)

# the browser tests (tests/portal/browser) drive Debian's chromium; Playwright's own browser
# download is not available here. Only installed as root; without it those tests say so.
CHROMIUM="${DULIEUMO_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ]; then apt_missing+=(chromium)
  else say "chromium is missing (browser tests): as root, apt-get install -y chromium"; fi
fi

if is_local "$PG_HOST" && ! listening "$PG_HOST" "$PG_PORT"; then
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || apt_missing+=(postgresql)
fi
if is_local "$REDIS_HOST" && ! listening "$REDIS_HOST" "$REDIS_PORT"; then
  command -v redis-server >/dev/null 2>&1 || apt_missing+=(redis-server)
fi
fi  # ROLE != worker

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
  # a new PostgreSQL cluster takes its encoding from the locale: UTF-8, never SQL_ASCII
  [ "$(locale charmap 2>/dev/null)" = UTF-8 ] || export LC_ALL=C.UTF-8
  # finish whatever an interrupted earlier run left half configured (no-op otherwise)
  dpkg --configure -a >/dev/null 2>&1 || true
  apt-get update -qq
  apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi
installed_pg=0
case " ${apt_missing[*]:-} " in *" postgresql "*) installed_pg=1;; esac

if [ -z "$uv_bin" ]; then
  say "installing uv ${UV_VERSION} (pip --user)…"
  pip_opts=(--user)  # Debian 12's pip refuses --user installs unless told (PEP 668)
  pip_help=$(python3 -m pip install --help 2>/dev/null || true)
  case "$pip_help" in *--break-system-packages*) pip_opts+=(--break-system-packages);; esac
  case "$pip_help" in *--root-user-action*) pip_opts+=(--root-user-action=ignore);; esac
  if ! python3 -m pip install -q "${pip_opts[@]}" "uv==${UV_VERSION}"; then
    say "could not install uv ${UV_VERSION} from PyPI (see pip's message above)."
    say "check the network to pypi.org, or install uv yourself, then re-run make"
    exit 1
  fi
fi
[ "$ROLE" = worker ] && exit 0

# Local PostgreSQL: use the cluster configured for PG_PORT, start it when it is stopped.
# A cluster that we install (or create) is set to PG_PORT before it starts: Debian's new
# cluster takes 5432 (or the next free port), which is not necessarily the configured one.
# Only a cluster this script installed or set up (and that is stopped) is ever re-ported.
MARK="# dulieumo local portal"
with_systemd() { [ -d /run/systemd/system ]; }
pg_ctl() {  # pg_ctl VERSION CLUSTER ACTION (supervised by systemd when it runs)
  if with_systemd; then pg_ctlcluster "$1" "$2" "$3"
  else pg_ctlcluster --skip-systemctl-redirect "$1" "$2" "$3"; fi
}
clusters() { pg_lsclusters -h 2>/dev/null | awk '{print $1, $2, $3, $4}'; }  # ver name port status
claim_cluster() {  # let the postgres superuser in over local TCP; the portal's roles use passwords
  local hba="/etc/postgresql/$1/$2/pg_hba.conf"
  if ! grep -qF "$MARK" "$hba"; then
    sed -i "1i host all postgres 127.0.0.1/32 trust  $MARK" "$hba"
  fi
}
if is_local "$PG_HOST" && ! listening "$PG_HOST" "$PG_PORT" && command -v pg_lsclusters >/dev/null; then
  target=$(clusters | awk -v p="$PG_PORT" '$3 == p {print $1, $2; exit}')
  if [ -z "$target" ]; then
    newest=$(ls /usr/lib/postgresql | sort -V | tail -1)
    ours=""
    if [ "$installed_pg" = 1 ] && clusters | grep -q "^$newest main "; then
      ours="$newest main"   # the cluster the package just created
    else                    # one we set up before (an interrupted run), if it is stopped
      while read -r v c _ st; do
        if [ "$st" = down ] && grep -qF "$MARK" "/etc/postgresql/$v/$c/pg_hba.conf" 2>/dev/null; then
          ours="$v $c"; break
        fi
      done < <(clusters)
    fi
    if [ -n "$ours" ]; then
      read -r v c <<<"$ours"
      say "setting PostgreSQL $v/$c to port $PG_PORT…"
      claim_cluster "$v" "$c"
      clusters | grep -q "^$v $c .* online" && pg_ctl "$v" "$c" stop
      pg_conftool "$v" "$c" set port "$PG_PORT"
    else
      c=main; clusters | grep -q "^$newest main " && c=dulieumo
      v=$newest
      say "creating PostgreSQL cluster $v/$c on port $PG_PORT…"
      pg_createcluster --port "$PG_PORT" --locale C.UTF-8 "$v" "$c" >/dev/null
      claim_cluster "$v" "$c"
    fi
    target="$v $c"
  fi
  read -r v c <<<"$target"
  say "starting PostgreSQL $v/$c on port $PG_PORT…"
  pg_ctl "$v" "$c" start || true
  for _ in $(seq 1 30); do listening "$PG_HOST" "$PG_PORT" && break; sleep 0.5; done
  listening "$PG_HOST" "$PG_PORT" || {
    say "PostgreSQL $v/$c did not start on port $PG_PORT; see /var/log/postgresql/postgresql-$v-$c.log"
    exit 1
  }
fi
if is_local "$REDIS_HOST" && ! listening "$REDIS_HOST" "$REDIS_PORT"; then
  say "starting Redis on port $REDIS_PORT…"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
fi
exit 0
