#!/usr/bin/env bash
# Makes this machine ready to build, run and test wallet: system packages (NATS, PostgreSQL
# server, Java, Maven, HAProxy, PgBouncer, Patroni, etcd), node_modules, and the Kafka jars. Idempotent and quick when all is there,
# since `npm test` (pretest) and `npm start` (prestart) run it every time.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

say() { printf 'bootstrap: %s\n' "$*"; }

# --- system packages ------------------------------------------------------------------------
missing_packages=()

have_postgres_server() {
  command -v initdb >/dev/null 2>&1 && return 0
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

java_major() {
  # `java -version` prints e.g. openjdk version "17.0.15" 2025-04-15 on stderr.
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

command -v nats-server >/dev/null 2>&1 || missing_packages+=(nats-server)
have_postgres_server || missing_packages+=(postgresql)
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then
  missing_packages+=(openjdk-17-jre-headless)
fi
command -v mvn >/dev/null 2>&1 || missing_packages+=(maven)
# `npm start -- --replicas N`: HAProxy in front of the replicas, PgBouncer between them and
# PostgreSQL. `--ha`: Patroni runs PostgreSQL, etcd holds its leader lock.
# Debian puts the first two in /usr/sbin, which a non-root PATH may lack (the stack looks there).
have_daemon() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have_daemon haproxy || missing_packages+=(haproxy)
have_daemon pgbouncer || missing_packages+=(pgbouncer)
have_daemon patroni || missing_packages+=(patroni)
have_daemon etcd || missing_packages+=(etcd-server)
# The CLI's end-to-end test drives the dashboard in a real terminal.
command -v tmux >/dev/null 2>&1 || missing_packages+=(tmux)

if [ "${#missing_packages[@]}" -gt 0 ]; then
  say "installing ${missing_packages[*]} with apt-get"
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo)
  else
    say "missing ${missing_packages[*]} and not root: install them with apt-get, then run this again" >&2
    exit 1
  fi
  # Our stack runs its own PostgreSQL; the Debian package must not create and start a system
  # cluster on port 5432 on our behalf.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    "${as_root[@]}" mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' | "${as_root[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Nor may the packages start system daemons of their own (etcd on 2379, PgBouncer on 6432…)
  # where an init system runs: policy-rc.d answering 101 tells their install scripts not to.
  policy_rc_d=/usr/sbin/policy-rc.d
  if [ ! -e "$policy_rc_d" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy_rc_d" >/dev/null
    "${as_root[@]}" chmod 755 "$policy_rc_d"
    trap '"${as_root[@]}" rm -f "$policy_rc_d"' EXIT
  fi
  "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
  "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
    "${missing_packages[@]}" >/dev/null
  have_postgres_server || { say "PostgreSQL server binaries still missing after install" >&2; exit 1; }
fi

# --- node_modules -------------------------------------------------------------------------------
# npm writes node_modules/.package-lock.json on every install: older than the lock file means
# someone changed the dependencies since.
if [ ! -d node_modules ] || [ ! -e node_modules/.package-lock.json ] \
  || { [ -e package-lock.json ] && [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  if [ -e package-lock.json ]; then
    say "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  else
    say "npm install (no package-lock.json)"
    npm install --no-audit --no-fund --loglevel=error
  fi
  touch node_modules/.package-lock.json
fi

node_version="$(node_modules/.bin/node --version 2>/dev/null || true)"
case "$node_version" in
  v24.*) ;;
  *)
    say "node_modules/.bin/node is '${node_version:-missing}', expected v24 (devDependency node@^24)" >&2
    exit 1
    ;;
esac

# --- Kafka jars ---------------------------------------------------------------------------------
node_modules/.bin/node scripts/stack/main.ts jars --quiet
say "ready (node ${node_version}, java $(java_major), $(nats-server --version 2>/dev/null | head -n 1))"
