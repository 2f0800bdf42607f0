#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster from Debian's packages:
# initdb in a temporary folder as an unprivileged user, a random loopback port,
# DATABASE_URL exported for the command, and the cluster stopped and removed after.
#   scripts/with-postgres.sh .venv/bin/pytest -m "not browser"
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "PostgreSQL is not installed: apt-get install postgresql" >&2
  exit 1
fi
dir=$(mktemp -d /tmp/ordinance-pg.XXXXXX)
chmod 755 "$dir"
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root: the cluster belongs to an unprivileged user.
  id ordinance-test >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin ordinance-test
  chown ordinance-test "$dir"
  as_owner=(runuser -u ordinance-test --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U ordinance --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U ordinance ordinance

export DATABASE_URL="postgresql+psycopg://ordinance@127.0.0.1:$port/ordinance"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
