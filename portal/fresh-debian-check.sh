#!/usr/bin/env bash
# Check the fresh-Debian path: in a clean Debian 12 (bookworm) root built with debootstrap,
# with no uv, PostgreSQL or Redis, a clean clone of this branch must install and start
# everything with `make demo`, then pass `make test`.
#
#   sudo portal/fresh-debian-check.sh            # or: make test-fresh (as root)
#
# The chroot shares this machine's network, so it uses its own ports (nothing may listen
# there yet): PostgreSQL 5439, Redis 6389, portal 5079 (override FRESH_PG_PORT,
# FRESH_REDIS_PORT, FRESH_PORTAL_PORT). Root: /work/fresh-root (FRESH_ROOT), outside any git
# tree. The pristine debootstrap result is cached as $FRESH_ROOT.base.tar.gz, so a rerun
# starts from a clean root in seconds (FRESH_REBUILD=1 runs debootstrap again;
# FRESH_REUSE=1 keeps the provisioned root and only re-clones). FRESH_FAULTS=1 also
# kills `make install` while dpkg runs, `portal up` during the CKAN install and again
# during the database migration, and checks that the re-runs converge. FRESH_SKIP_TEST=1 stops after `make demo`.
# At the end (whatever the outcome) it stops the chroot's processes — only those whose
# root is FRESH_ROOT — and unmounts what it mounted. Times go to $FRESH_ROOT.times.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="${FRESH_ROOT:-/work/fresh-root}"
ROOT="${ROOT%/}"
BASE_TAR="$ROOT.base.tar.gz"
TIMES="$ROOT.times"
PG_PORT="${FRESH_PG_PORT:-5439}"
REDIS_PORT="${FRESH_REDIS_PORT:-6389}"
PORTAL_PORT="${FRESH_PORTAL_PORT:-5079}"
BRANCH="${FRESH_BRANCH:-$(git -C "$REPO" rev-parse --abbrev-ref HEAD)}"
SUITE=bookworm
CLONE=/root/dulieumo

say() { printf '\n== fresh-debian: %s\n' "$*" >&2; }
die() { printf 'fresh-debian: %s\n' "$*" >&2; exit 2; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot and mounts need it)"
case "$ROOT" in /|/work|/root|/home|"") die "refusing FRESH_ROOT=$ROOT";; esac
if git -C "$(dirname "$ROOT")" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  die "FRESH_ROOT=$ROOT is inside a git work tree; choose a path outside"
fi
for p in "$PG_PORT" "$REDIS_PORT" "$PORTAL_PORT"; do
  if listening "$p" && [ "${FRESH_REUSE:-0}" != 1 ]; then
    die "port $p already answers on 127.0.0.1; the chroot needs it free (stop what runs \
there, or set FRESH_PG_PORT / FRESH_REDIS_PORT / FRESH_PORTAL_PORT)"
  fi
done

mounted_under_root() { awk -v r="$ROOT/" 'index($2 "/", r) == 1 {print $2}' /proc/self/mounts; }

# Processes whose root directory is the chroot (never the host's PostgreSQL, Redis, portals).
chroot_pids() {
  local d pid
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [ "$pid" = "$$" ] && continue
    [ "$(readlink "$d/root" 2>/dev/null)" = "$ROOT" ] && echo "$pid"
  done
  return 0
}

stop_chroot() {
  mountpoint -q "$ROOT/proc" || return 0
  # polite first: the portal, the PostgreSQL clusters, Redis (inside the chroot)
  chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root bash -c "
    cd $CLONE 2>/dev/null && [ -x .venv/bin/dulieumo ] && \
      DULIEUMO_PORTAL_PORT=$PORTAL_PORT .venv/bin/dulieumo portal down >/dev/null 2>&1
    command -v pg_lsclusters >/dev/null && pg_lsclusters -h | while read -r v c _; do
      pg_ctlcluster --skip-systemctl-redirect \$v \$c stop -m fast >/dev/null 2>&1; done
    command -v redis-cli >/dev/null && redis-cli -p $REDIS_PORT shutdown nosave >/dev/null 2>&1
    true" || true
  local pids left
  pids=$(chroot_pids)
  if [ -n "$pids" ]; then
    say "stopping chroot processes: $(echo $pids)"
    kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 1 20); do left=$(chroot_pids); [ -z "$left" ] && break; sleep 0.5; done
    left=$(chroot_pids)
    [ -n "$left" ] && kill -KILL $left 2>/dev/null || true
  fi
}

unmount_all() {
  local m
  for m in dev/shm dev/pts dev sys proc; do
    if mountpoint -q "$ROOT/$m"; then umount "$ROOT/$m" || umount -l "$ROOT/$m"; fi
  done
  [ -z "$(mounted_under_root)" ] || echo "fresh-debian: still mounted: $(mounted_under_root)" >&2
}

teardown() {
  local rc=$?
  say "teardown"
  stop_chroot
  unmount_all
  exit $rc
}

mount_all() {
  mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  mountpoint -q "$ROOT/sys" || mount -t sysfs sysfs "$ROOT/sys"
  if ! mountpoint -q "$ROOT/dev"; then
    mount --bind /dev "$ROOT/dev"
    mount --make-private "$ROOT/dev"  # nothing mounted below it reaches the host's /dev
  fi
  mountpoint -q "$ROOT/dev/pts" || mount --bind /dev/pts "$ROOT/dev/pts"
  mountpoint -q "$ROOT/dev/shm" || mount -t tmpfs -o mode=1777,size=512m shm "$ROOT/dev/shm"
}

timed() {  # timed LABEL CMD... : run, record wall-clock seconds
  local label=$1 t0 rc; shift
  t0=$(date +%s)
  set +e; "$@"; rc=$?; set -e
  printf '%-28s %5ss  exit %s\n' "$label" "$(( $(date +%s) - t0 ))" "$rc" | tee -a "$TIMES" >&2
  return $rc
}

mirror() {
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

bootstrap() {
  debootstrap --variant=minbase "$SUITE" "$ROOT" "$(mirror)" >"$ROOT.debootstrap.log" 2>&1
}

build_root() {
  [ -z "$(mounted_under_root)" ] || die "something is still mounted under $ROOT: $(mounted_under_root)"
  if [ -e "$ROOT" ]; then
    say "removing the previous root $ROOT"
    rm -rf --one-file-system "$ROOT"
  fi
  if [ "${FRESH_REBUILD:-0}" != 1 ] && [ -s "$BASE_TAR" ]; then
    say "unpacking the cached debootstrap result $BASE_TAR"
    mkdir -p "$ROOT"
    timed "unpack cached base" tar -xzpf "$BASE_TAR" -C "$ROOT"
  else
    command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
    say "debootstrap $SUITE (minbase) from $(mirror)"
    timed "debootstrap" bootstrap || die "debootstrap failed; see $ROOT.debootstrap.log"
    tar -czpf "$BASE_TAR" -C "$ROOT" .
  fi
  # the machine's apt sources (with updates and security), no service starts during apt
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    cp /etc/apt/sources.list.d/debian.sources "$ROOT/etc/apt/sources.list.d/"
    rm -f "$ROOT/etc/apt/sources.list"
  fi
  printf '#!/bin/sh\n# fresh-debian check: no daemons start during apt in this chroot\nexit 101\n' \
    >"$ROOT/usr/sbin/policy-rc.d"
  chmod 755 "$ROOT/usr/sbin/policy-rc.d"
}

in_root() {  # a login-like root shell in the clone, with the chroot's ports
  chroot "$ROOT" /usr/bin/env -i HOME=/root TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DULIEUMO_PG_PORT="$PG_PORT" DULIEUMO_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/3" \
    DULIEUMO_PORTAL_PORT="$PORTAL_PORT" \
    ${SSL_CERT_FILE:+SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt} \
    bash -c "cd $CLONE && $1"
}

interrupt_provision() {  # a power cut during the apt step of `make install`, then a re-run
  in_root 'make install' >"$ROOT.interrupted-install.log" 2>&1 &
  local pid=$! p seen=0
  for _ in $(seq 1 1500); do
    for p in $(chroot_pids); do
      [ "$(cat "/proc/$p/comm" 2>/dev/null)" = dpkg ] && seen=1 && break
    done
    [ "$seen" = 1 ] && break
    sleep 0.2
  done
  sleep "${FRESH_INTERRUPT_AFTER:-4}"
  say "interrupting make install while dpkg runs (SIGKILL to every chroot process)"
  kill -KILL $(chroot_pids) 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

interrupt_up() {  # interrupt_up PATTERN WHAT DELAY: kill `portal up` (SIGKILL) once a chroot
  # process matching PATTERN has run for DELAY s; PostgreSQL and Redis stay up
  local pattern=$1 what=$2 delay=$3 pid p seen=0
  in_root '.venv/bin/dulieumo portal up' >>"$ROOT.interrupted-up.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1500); do
    for p in $(chroot_pids); do
      tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qE -- "$pattern" && seen=1 && break
    done
    [ "$seen" = 1 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  [ "$seen" = 1 ] || { echo "fresh-debian: warning: never saw $what; nothing interrupted" >&2; return 0; }
  sleep "$delay"
  say "interrupting portal up during $what (SIGKILL)"
  for p in $(chroot_pids); do  # only processes rooted in $ROOT, and only this run's
    case "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" in
      *"dulieumo portal up"*|*"uv pip install"*|*"uv venv"*|*".portal/venv/bin/ckan "*)
        kill -KILL "$p" 2>/dev/null || true;;
    esac
  done
  wait "$pid" 2>/dev/null || true
}

main() {
  : >"$TIMES"
  rm -f "$ROOT.interrupted-install.log" "$ROOT.interrupted-up.log"
  if [ "${FRESH_REUSE:-0}" = 1 ] && [ -x "$ROOT/bin/bash" ]; then
    say "reusing $ROOT"
  else
    build_root
  fi
  cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
  trap teardown EXIT
  trap 'exit 130' INT TERM
  mount_all
  # This machine reaches PyPI through a TLS-inspecting egress proxy: give the chroot the
  # host's extra CA certificates (the ca-certificates package adds them to the system bundle
  # when it is installed) and, in in_root, SSL_CERT_FILE. A real fresh machine needs neither.
  if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    mkdir -p "$ROOT/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
  fi
  # what a new user does first on a bare Debian: get git and make, clone
  if ! chroot "$ROOT" sh -c 'command -v git && command -v make' >/dev/null 2>&1; then
    say "apt-get install git make (the user's own first step)"
    chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
      sh -c 'apt-get update -qq && apt-get install -y -qq git make >/dev/null'
  fi
  rm -rf --one-file-system "$ROOT$CLONE"
  git clone -q --branch "$BRANCH" "$REPO" "$ROOT$CLONE"
  say "clone of $BRANCH at $(git -C "$ROOT$CLONE" log -1 --format='%h %s' | cut -c1-70)"

  if [ "${FRESH_FAULTS:-0}" = 1 ]; then
    interrupt_provision
    timed "make install after interrupt" in_root 'make install'
  else
    timed "make install (provision)" in_root 'make install'
  fi
  if [ "${FRESH_FAULTS:-0}" = 1 ]; then
    interrupt_up "uv pip install .*requirements-ckan" "the CKAN install" 4
    interrupt_up "/bin/ckan -c .* db (init|upgrade)" "the database migration" 1
    timed "portal up after interrupts" in_root '.venv/bin/dulieumo portal up'
  else
    timed "first portal up" in_root '.venv/bin/dulieumo portal up'
  fi
  in_root '.venv/bin/dulieumo portal status --json'
  timed "make demo" in_root 'make demo'
  if [ "${FRESH_SKIP_TEST:-0}" != 1 ]; then
    timed "make test" in_root 'make test 2>&1 | tee /root/make-test.log; exit ${PIPESTATUS[0]}'
    tail -3 "$ROOT/root/make-test.log" >>"$TIMES"
  fi
  say "times ($TIMES):"
  cat "$TIMES" >&2
}

main "$@"; exit $?  # one line: bash never reads past it, even if this file changes meanwhile
