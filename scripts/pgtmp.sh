#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests: loopback only, trust auth, fsync off. Never for real data.
#
#   scripts/pgtmp.sh start           init + start on a free 127.0.0.1 port; prints `export …` lines to eval
#   scripts/pgtmp.sh stop            stop the cluster named by PGTMP_ROOT and delete everything it created
#   scripts/pgtmp.sh run -- CMD …    start, run CMD with DATABASE_URL set, always stop and delete; CMD's exit code
#
# Settings (env): PGTMP_PORT (default: a free port), PGTMP_ROOT (default: a new /tmp/latchkey-pg.XXXXXX),
# PGTMP_BIN (default: the newest /usr/lib/postgresql/*/bin), PGTMP_USER (as root: the unprivileged user
# that runs the server; default postgres, else a system user `pgtmp` is created).
# Exit code 3 from start: no PostgreSQL binaries on this machine.
set -euo pipefail

log() { echo "pgtmp: $*" >&2; }

find_bin() {
  if [[ -n "${PGTMP_BIN:-}" ]]; then echo "$PGTMP_BIN"; return; fi
  local d
  for d in /usr/lib/postgresql/*/bin; do [[ -x "$d/postgres" ]] && echo "$d"; done | sort -V | tail -n1
}

# The server refuses to run as root: as root, the server-side commands run as an unprivileged user.
RUNAS=()
setup_user() {
  [[ "$(id -u)" == 0 ]] || return 0
  PGUSER_OS="${PGTMP_USER:-}"
  if [[ -z "$PGUSER_OS" ]]; then
    if id postgres >/dev/null 2>&1; then PGUSER_OS=postgres; else PGUSER_OS=pgtmp; fi
  fi
  if ! id "$PGUSER_OS" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PGUSER_OS"
  fi
  RUNAS=(runuser -u "$PGUSER_OS" --)
}
as_pg() { "${RUNAS[@]}" "$@"; }

free_port() {
  node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# Is the postmaster named in postmaster.pid alive (and not a zombie awaiting its reaper)?
pm_alive() {
  local pid st
  pid="$(head -n1 "$1/postmaster.pid" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/stat" ]] || return 1
  st="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ "$st" != Z ]]
}

# Last resort after a failed stop: kill only the processes whose working directory is our data dir.
kill_leftovers() {
  local p
  for p in /proc/[0-9]*; do
    if [[ "$(readlink "$p/cwd" 2>/dev/null)" == "$1" ]]; then kill -9 "${p#/proc/}" 2>/dev/null || true; fi
  done
}

do_stop() {
  local root="${PGTMP_ROOT:-}"
  [[ -n "$root" && -d "$root" ]] || return 0
  local bin data="$root/data"
  bin="$(find_bin)"
  if pm_alive "$data"; then
    as_pg "$bin/pg_ctl" -D "$data" -m immediate -w -t 20 stop >/dev/null 2>&1 || kill_leftovers "$data"
  else
    kill_leftovers "$data"
  fi
  rm -rf -- "$root"
}

do_start() {
  local bin
  bin="$(find_bin)"
  if [[ -z "$bin" ]]; then log "no PostgreSQL server binaries (install postgresql-15)"; return 3; fi
  local root="${PGTMP_ROOT:-$(mktemp -d /tmp/latchkey-pg.XXXXXX)}"
  export PGTMP_ROOT="$root"
  local data="$root/data" attempt port
  mkdir -p "$root"
  chmod 700 "$root"
  if ((${#RUNAS[@]})); then chown "$PGUSER_OS": "$root"; fi
  as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync --no-instructions \
    >"$root/initdb.log" 2>&1 || { cat "$root/initdb.log" >&2; do_stop; return 1; }
  cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$root'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF
  # A port found free can be taken before the server binds it: try a few.
  for attempt in 1 2 3; do
    port="${PGTMP_PORT:-$(free_port)}"
    if as_pg "$bin/pg_ctl" -D "$data" -l "$root/server.log" -o "-p $port" -w -t 30 start >/dev/null; then
      log "PostgreSQL $("$bin/postgres" -V | awk '{print $3}') up on 127.0.0.1:$port, data in $data"
      echo "export PGTMP_ROOT=$root"
      echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
    log "start on port $port failed (attempt $attempt)"
  done
  cat "$root/server.log" >&2
  do_stop
  return 1
}

setup_user
cmd="${1:-}"
shift || true
case "$cmd" in
  start) do_start ;;
  stop) do_stop ;;
  run)
    [[ "${1:-}" == "--" ]] && shift
    [[ $# -gt 0 ]] || { log "usage: $0 run -- CMD ARGS"; exit 2; }
    trap do_stop EXIT
    out="$(do_start)" || exit $?
    eval "$out"
    set +e
    "$@"
    rc=$?
    set -e
    exit "$rc"
    ;;
  *) echo "usage: $0 start|stop|run -- CMD ARGS" >&2; exit 2 ;;
esac
