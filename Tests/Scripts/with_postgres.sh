#!/usr/bin/env bash
# Runs a command with a private, throwaway PostgreSQL server, then removes every trace of it.
#
# Usage: bash Tests/Scripts/with_postgres.sh COMMAND [ARGS...]
#
# While COMMAND runs, these are exported:
#   TRIAGE_TEST_POSTGRES        postgresql://triage:PASSWORD@127.0.0.1:PORT/triage
#                               (role `triage`, LOGIN CREATEDB, owner of database `triage`)
#   TRIAGE_TEST_POSTGRES_ADMIN  postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres
#                               (the superuser, for tests that create extra databases)
# The server is stopped and its folder deleted whatever happens (exit, Ctrl-C, TERM), and the
# script exits with COMMAND's exit code.
#
# When PostgreSQL cannot be found or started, one line on stderr says so and why, and COMMAND
# runs without the variables: the PostgreSQL tests skip themselves and the SQLite ones still run.
# Set TRIAGE_REQUIRE_POSTGRES=1 to fail (exit 1) instead of running without it.
#
# TRIAGE_PG_BIN=DIR uses the initdb/pg_ctl in DIR and nothing else (no search, no install);
# `TRIAGE_PG_BIN=/nonexistent` exercises the "cannot start" path.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

say() { echo "with_postgres: $*" >&2; }

# A hex secret needs no escaping in a URL, a SQL literal or a pwfile.
random_hex() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# The newest Debian-style /usr/lib/postgresql/N/bin, else initdb on PATH (other distros).
find_pg_bin() {
  local dir
  while read -r dir; do
    if [[ -x $dir/initdb && -x $dir/pg_ctl ]]; then
      echo "$dir"
      return 0
    fi
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r)
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"
  fi
}

tmp=""          # the server's whole world: data, pwfile, socket, log
pg_bin=""
server_up=0
why=""          # why PostgreSQL is unavailable, for the one-line message
show_log=0      # the server failed to start: print its log's tail after that line

# initdb and postgres refuse to run as root, so as root the server tools run as the `postgres`
# OS user (created by Debian's package). From inside $tmp, because the caller's directory (say
# /root/...) may be unreadable to that user, which makes initdb fail.
as_server_user() {
  if [[ $EUID -ne 0 ]]; then
    (cd "$tmp" && "$@")
  elif command -v runuser >/dev/null; then
    (cd "$tmp" && runuser -u postgres -- "$@")
  else
    (cd "$tmp" && su -s /bin/sh postgres -c "$(printf '%q ' "$@")")
  fi
}

stop_server() {
  [[ $server_up -eq 1 ]] || return 0
  server_up=0
  local pid
  pid=$(head -n1 "$tmp/data/postmaster.pid" 2>/dev/null || true)
  [[ $pid =~ ^[0-9]+$ ]] || pid=""
  # Immediate mode: nothing in a throwaway server is worth a checkpoint.
  if ! as_server_user "$pg_bin/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1; then
    # pg_ctl could not stop it: kill the postmaster we started, by its recorded pid.
    if [[ -n $pid ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  # pg_ctl daemonized the postmaster, so it is not our child: after it exits, init reaps it a
  # moment later. Wait (up to 3 s) so that no postgres process outlives this script.
  for _ in {1..30}; do
    [[ -n $pid && -e /proc/$pid ]] || break
    sleep 0.1
  done
  return 0
}

# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  local status=$?
  stop_server
  if [[ -n $tmp ]]; then
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
# Exiting from INT/TERM runs the EXIT trap, which stops the server.
trap 'exit 130' INT
trap 'exit 143' TERM

# Is anything listening on 127.0.0.1:$1? (bash's /dev/tcp: no ss/netstat needed)
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sets up and starts the server; on failure sets $why and returns 1. Every step checks its own
# result: `set -e` does not apply inside a function called from `if`.
start_postgres() {
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/triage-pg.XXXXXX") || { why="mktemp failed"; return 1; }

  if [[ -n ${TRIAGE_PG_BIN:-} ]]; then
    pg_bin=$TRIAGE_PG_BIN
    if [[ ! -x $pg_bin/initdb || ! -x $pg_bin/pg_ctl ]]; then
      why="no initdb/pg_ctl in TRIAGE_PG_BIN=$pg_bin"
      return 1
    fi
  else
    pg_bin=$(find_pg_bin)
    if [[ -z $pg_bin && $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
      # A fresh CI container has no PostgreSQL. Debian's post-install may start a default
      # cluster on 5432; harmless, and nothing here relies on it.
      say "installing PostgreSQL with apt-get"
      if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } \
        >"$tmp/apt.log" 2>&1; then
        why="apt-get install postgresql failed: $(tail -n1 "$tmp/apt.log")"
        return 1
      fi
      pg_bin=$(find_pg_bin)
      [[ -n $pg_bin ]] || why=" (even after apt-get install postgresql)"
    elif [[ -z $pg_bin ]]; then
      why=" (and not root with apt-get to install it)"
    fi
    if [[ -z $pg_bin ]]; then
      why="initdb/pg_ctl not found under /usr/lib/postgresql/*/bin or on PATH$why"
      return 1
    fi
  fi

  local psql=$pg_bin/psql
  [[ -x $psql ]] || psql=$(command -v psql) || { why="psql not found"; return 1; }

  if [[ $EUID -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || { why="running as root and there is no 'postgres' OS user to run the server"; return 1; }
    chown postgres: "$tmp" || { why="cannot chown $tmp to postgres"; return 1; }
  fi

  local super_pw triage_pw
  super_pw=$(random_hex)
  triage_pw=$(random_hex)
  (umask 077 && echo "$super_pw" >"$tmp/pwfile")
  [[ $EUID -eq 0 ]] && chown postgres: "$tmp/pwfile"

  # --no-sync: a test server's files need not survive a power cut; this saves seconds.
  if ! as_server_user "$pg_bin/initdb" -D "$tmp/data" -U postgres --pwfile="$tmp/pwfile" \
    --auth=scram-sha-256 -E UTF8 --locale=C --no-sync >"$tmp/initdb.log" 2>&1; then
    why="initdb failed: $(grep -v '^$' "$tmp/initdb.log" | tail -n1)"
    return 1
  fi

  # Settings go in the config file rather than `pg_ctl -o`, which goes through a shell.
  # TCP on 127.0.0.1 only; the socket inside $tmp so it clashes with no other server.
  # fsync/synchronous_commit/full_page_writes off: durability is worthless here, speed is not.
  cat >>"$tmp/data/postgresql.conf" <<EOF

# with_postgres.sh: a private, throwaway test server
listen_addresses = '127.0.0.1'
unix_socket_directories = '$tmp'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
EOF

  # A random free port in 20000-40000. Another process can take it between the check and the
  # bind, so a bind failure picks another port, a few times.
  local port started=0
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20001))
    port_in_use "$port" && continue
    if as_server_user "$pg_bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -o "-p $port" \
      -w -t 60 start >"$tmp/pg_ctl.log" 2>&1; then
      started=1
      break
    fi
    # pg_ctl may have given up while a postmaster still runs: make sure it is gone.
    server_up=1
    stop_server
    grep -qiE 'could not bind|address already in use' "$tmp/server.log" 2>/dev/null || break
  done
  if [[ $started -ne 1 ]]; then
    # The server's own complaint if it made one, else pg_ctl's.
    local reason
    reason=$(grep -hE 'FATAL|PANIC|ERROR' "$tmp/server.log" 2>/dev/null | tail -n1 | sed 's/^.*\(FATAL\|PANIC\|ERROR\): *//')
    [[ -n $reason ]] || reason=$(grep -hv '^$' "$tmp/pg_ctl.log" 2>/dev/null | tail -n1)
    why="pg_ctl start failed on port $port: $reason"
    show_log=1
    return 1
  fi
  server_up=1

  # Over TCP with the password, exactly as the tests will connect: this also proves the URL works.
  if ! PGPASSWORD=$super_pw PGCONNECT_TIMEOUT=10 "$psql" -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE triage LOGIN CREATEDB PASSWORD '$triage_pw'" \
    -c "CREATE DATABASE triage OWNER triage" >"$tmp/setup.log" 2>&1; then
    why="creating role/database triage failed: $(tail -n1 "$tmp/setup.log")"
    return 1
  fi

  export TRIAGE_TEST_POSTGRES="postgresql://triage:$triage_pw@127.0.0.1:$port/triage"
  export TRIAGE_TEST_POSTGRES_ADMIN="postgresql://postgres:$super_pw@127.0.0.1:$port/postgres"
}

# Never inherit a server from the caller's environment: the tests use this one or none.
unset TRIAGE_TEST_POSTGRES TRIAGE_TEST_POSTGRES_ADMIN
if ! start_postgres; then
  if [[ ${TRIAGE_REQUIRE_POSTGRES:-} == 1 ]]; then
    say "PostgreSQL unavailable ($why) and TRIAGE_REQUIRE_POSTGRES=1: not running the command"
  else
    say "PostgreSQL unavailable ($why); running without TRIAGE_TEST_POSTGRES, its tests will skip"
  fi
  if [[ $show_log -eq 1 && -s $tmp/server.log ]]; then
    tail -n 20 "$tmp/server.log" | sed 's/^/with_postgres: server.log: /' >&2
  fi
  [[ ${TRIAGE_REQUIRE_POSTGRES:-} == 1 ]] && exit 1
  # Stop anything half-started now rather than leave it running alongside COMMAND.
  stop_server
  unset TRIAGE_TEST_POSTGRES TRIAGE_TEST_POSTGRES_ADMIN
fi

# COMMAND runs in the background so that a TERM/INT sent to this script is handled at once
# (bash runs traps only between foreground commands) and passed on to COMMAND; the script then
# waits for COMMAND to end and exits with its code, after the EXIT trap stops the server.
# `<&0` keeps our stdin: a background command would otherwise read /dev/null. A background
# command also starts with SIGINT ignored; GNU env can restore it, else INT is passed on as TERM.
if env --default-signal=INT true 2>/dev/null; then
  launch=(env --default-signal=INT) int_as=INT
else
  launch=() int_as=TERM
fi
${launch[@]+"${launch[@]}"} "$@" <&0 &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' TERM
trap 'kill -"$int_as" "$child" 2>/dev/null || true' INT
status=0
wait "$child" || status=$?
# A trapped signal ends `wait` early (status > 128): wait again until COMMAND has really ended.
while kill -0 "$child" 2>/dev/null; do
  status=0
  wait "$child" || status=$?
done
exit "$status"
