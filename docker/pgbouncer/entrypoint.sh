#!/bin/sh
# PgBouncer reads passwords from a file only; this writes it from the environment into the tmpfs at
# /run/pgbouncer (never into the image or a volume), then hands PID 1's child over to pgbouncer.
set -eu
: "${PGBOUNCER_USER:?PGBOUNCER_USER is required}"
: "${PGBOUNCER_PASSWORD:?PGBOUNCER_PASSWORD is required}"
umask 077
# The userlist format quotes with ", doubling any " inside.
quote() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }
printf '%s %s\n' "$(quote "$PGBOUNCER_USER")" "$(quote "$PGBOUNCER_PASSWORD")" > /run/pgbouncer/userlist.txt
exec pgbouncer "$@"
