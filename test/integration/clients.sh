#!/usr/bin/env bash
# Real client drivers read abm as applications and BI tools do: Python
# (psycopg2, Debian's python3-psycopg2), Java (PgJDBC, Debian's
# libpostgresql-jdbc-java) and Node.js (node-postgres, `pg` from npm, pinned
# by test/clients/node/package-lock.json).  Each client, against the demo's
# sample CRM over TCP, checks report queries (NPS by industry and quarter,
# NRR and GRR, quarterly churn) and their driver types against plain SQL, the
# text and binary forms of nps_state, csat_state, revenue_state and
# survival_state against the README's layouts and plain-SQL counts, and the
# SQLSTATEs of bad input as the driver exposes them (see test/clients/).
#
# Runs inside test/run, but starts its own throwaway server listening on
# 127.0.0.1 (JDBC needs TCP) at port $ABM_CLIENTS_PORT (default 54351),
# stopped and removed on exit.  Exits non-zero if any client fails.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

port=${ABM_CLIENTS_PORT:-54351}
dir=$(mktemp -d /tmp/abm-clients.XXXXXX)
trap 'abm_cluster_stop "$dir"; rm -rf "$dir"' EXIT

abm_cluster_create "$dir" "$port" "listen_addresses = '127.0.0.1'" || {
	echo "not ok - clients: could not start a server on 127.0.0.1:$port (ABM_CLIENTS_PORT chooses another)" >&2
	exit 1
}
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=abm_clients
unset PGSERVICE PGOPTIONS

abm_log "clients: loading the demo CRM into $PGDATABASE on 127.0.0.1:$port"
abm_psql -d postgres -c "CREATE DATABASE $PGDATABASE" &&
	abm_psql -c 'CREATE EXTENSION abm' &&
	abm_psql -f test/demo/crm_data.sql >/dev/null || {
	echo "not ok - clients: could not load test/demo/crm_data.sql" >&2
	exit 1
}

failed=()

# Python: Debian's interpreter, where python3-psycopg2 is installed.
abm_log "clients: python (psycopg2)"
/usr/bin/python3 test/clients/python_client.py || failed+=(python)

# Java: compiled at test time against Debian's PgJDBC.
abm_log "clients: java (PgJDBC)"
jar=/usr/share/java/postgresql.jar
mkdir -p "$dir/java"
if javac -Xlint:all -Werror -cp "$jar" -d "$dir/java" test/clients/JdbcClient.java; then
	java -cp "$dir/java:$jar" JdbcClient || failed+=(jdbc)
else
	echo "not ok - jdbc: JdbcClient.java does not compile"
	failed+=(jdbc)
fi

# Node.js: `pg` installed from the lockfile by the machine's npm (not
# Debian's), again only when the lockfile changed since the last install.
abm_log "clients: node (node-postgres)"
node_dir=test/clients/node
lock_sum=$(sha256sum "$node_dir/package-lock.json" | cut -d' ' -f1)
stamp=$node_dir/node_modules/.abm-lock-sha256
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
	if (cd "$node_dir" && /usr/bin/npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
		echo "$lock_sum" >"$stamp"
	else
		echo "not ok - node: npm ci failed"
	fi
fi
if [ -f "$stamp" ]; then
	/usr/bin/node "$node_dir/client.js" || failed+=(node)
else
	failed+=(node)
fi

if [ ${#failed[@]} -gt 0 ]; then
	echo "clients: failed: ${failed[*]}"
	exit 1
fi
echo "clients: python, jdbc and node passed"
