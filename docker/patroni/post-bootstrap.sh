#!/bin/sh
# Patroni runs this once, on the node that initialised the cluster, with a superuser connection string as
# $1. It does what the postgres image's entrypoint does for the single `postgres` service: the services'
# role, and the databases docker/postgres/init/01-create-databases.sql names (mounted at the same path, so
# the two setups cannot drift apart). The databases are created as `wallet`, so it owns them and their public
# schema, as it does on the single server; it does not need to be a superuser here.
set -eu
: "${WALLET_POSTGRES_PASSWORD:?WALLET_POSTGRES_PASSWORD is required}"
{
  echo "CREATE ROLE wallet LOGIN CREATEDB PASSWORD :'password';"
  echo 'SET ROLE wallet;'
  cat /docker-entrypoint-initdb.d/01-create-databases.sql
  echo 'RESET ROLE;'
  echo 'ALTER ROLE wallet NOCREATEDB;'
} | psql -v ON_ERROR_STOP=1 -v password="$WALLET_POSTGRES_PASSWORD" "$1"
