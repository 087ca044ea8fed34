#!/bin/bash
# Entrypoint of the test PostgreSQL image built by scripts/build-pg-image. It mirrors what
# matters of the official postgres image's entrypoint:
#   POSTGRES_USER             superuser name (default: postgres)
#   POSTGRES_PASSWORD         its password; required unless POSTGRES_HOST_AUTH_METHOD=trust
#   POSTGRES_DB               database created on first start (default: $POSTGRES_USER)
#   POSTGRES_HOST_AUTH_METHOD auth for TCP connections (default: scram-sha-256)
#   PGDATA                    cluster directory (default: /var/lib/postgresql/data)
# An empty PGDATA is initialised; an existing cluster is just started. Either way postgres
# ends up as PID 1, running as the postgres user (uid 999), logging to stdout/stderr.
# Arguments are passed on to postgres (e.g. `docker run IMAGE -c fsync=off`).
set -euo pipefail

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

if [ "$EUID" = 0 ]; then
  # A mounted volume arrives owned by root: hand it (and the socket directory) to postgres,
  # then run this script again as postgres (uid 999, no supplementary groups).
  mkdir -p "$PGDATA" /var/run/postgresql
  chown 999:999 "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  chmod 3777 /var/run/postgresql
  exec setpriv --reuid=999 --regid=999 --clear-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initdb_args=(--username="$POSTGRES_USER" --encoding=UTF8 --locale=C.UTF-8
    --auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD")
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    # The password reaches initdb through a pipe (the process substitution only lives for
    # the command it is part of, hence no array element for it).
    initdb "${initdb_args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD")
  elif [ "$POSTGRES_HOST_AUTH_METHOD" = trust ]; then
    initdb "${initdb_args[@]}"
  else
    echo "error: POSTGRES_PASSWORD is not set (set it, or POSTGRES_HOST_AUTH_METHOD=trust)" >&2
    exit 1
  fi

  # Accept TCP connections from anywhere (the port is what docker publishes).
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  echo "host all all all $POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

  if [ "$POSTGRES_DB" != postgres ]; then
    # Single-user mode needs no server start; exit_on_error makes a failure fatal (exit 1).
    # Its prompts go to stdout, errors to stderr.
    echo "CREATE DATABASE \"${POSTGRES_DB//\"/\"\"}\";" |
      postgres --single -c exit_on_error=on -D "$PGDATA" postgres >/dev/null
  fi
  echo "PostgreSQL init process complete; ready for start up."
fi

# exec: postgres becomes PID 1, so `docker stop` signals it directly.
exec postgres "$@"
