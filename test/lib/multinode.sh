# shellcheck shell=bash
# test/lib/multinode.sh — three PostgreSQL 15 servers on loopback, a
# coordinator and two shards joined by postgres_fdw; shared by
# test/integration/multinode.sh and test/bench/multinode_bench.sh.
#
#   . test/lib/pg.sh; . test/lib/multinode.sh
#   mn_start PORT0 PORT1 PORT2 [postgresql.conf lines]   # node 0 coordinator, 1 and 2 shards
#   mn_psql N [psql args]                                 # psql on node N, database abm
#   mn_fdw_setup                                          # postgres_fdw servers shard1, shard2
#   mn_distribute TABLE...                                # single.TABLE -> dist.TABLE on the shards
#   mn_state_views NAME SQL                               # per-shard state views, single-node twin
#
# Every node has a database abm with abm installed in public.  On the
# coordinator, schema single holds every row (the single-node answer),
# schema dist the partitioned tables (PARTITION BY HASH (account_id),
# MODULUS 2: remainder 0 on shard1, 1 on shard2) whose partitions are
# foreign tables, and schema shards the foreign tables over the shards'
# state views.  The servers stop and their directories go in an EXIT trap.

MN_DIRS=()
MN_PORTS=()

mn_stop() {
	local d
	for d in "${MN_DIRS[@]}"; do
		abm_cluster_stop "$d"
		[ -z "${ABM_KEEP_CLUSTER:-}" ] && rm -rf "$d"
	done
	MN_DIRS=()
}

mn_start() {
	local i d port
	trap 'mn_stop' EXIT
	for i in 0 1 2; do
		port=${1:?mn_start PORT0 PORT1 PORT2}
		shift
		d=$(mktemp -d /tmp/abm-node.XXXXXX)
		MN_DIRS[i]=$d
		MN_PORTS[i]=$port
	done
	for i in 0 1 2; do
		abm_cluster_create "${MN_DIRS[i]}" "${MN_PORTS[i]}" "listen_addresses = '127.0.0.1'" "$@" || {
			echo "multinode: could not start node $i on port ${MN_PORTS[i]} (in use? set the ports by env)" >&2
			return 1
		}
		"$ABM_PGBIN/createdb" -h "${MN_DIRS[i]}" -p "${MN_PORTS[i]}" -U postgres abm || return 1
		mn_psql "$i" -c 'CREATE EXTENSION abm' || return 1
	done
	abm_log "coordinator on 127.0.0.1:${MN_PORTS[0]}, shards on ${MN_PORTS[1]} and ${MN_PORTS[2]}"
}

mn_psql() {
	local i=$1
	shift
	abm_psql -h "${MN_DIRS[i]}" -p "${MN_PORTS[i]}" -U postgres -d abm "$@"
}

# mn_fdw_setup: on the coordinator, postgres_fdw, one server per shard (TCP to
# 127.0.0.1, abm's functions and operators shippable, async scans), a user
# mapping each, and the schemas single, dist and shards.
mn_fdw_setup() {
	mn_psql 0 -v p1="${MN_PORTS[1]}" -v p2="${MN_PORTS[2]}" <<'SQL'
CREATE EXTENSION postgres_fdw;
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw
	OPTIONS (host '127.0.0.1', port :'p1', dbname 'abm', extensions 'abm', async_capable 'true', fetch_size '10000');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw
	OPTIONS (host '127.0.0.1', port :'p2', dbname 'abm', extensions 'abm', async_capable 'true', fetch_size '10000');
CREATE USER MAPPING FOR postgres SERVER shard1 OPTIONS (user 'postgres');
CREATE USER MAPPING FOR postgres SERVER shard2 OPTIONS (user 'postgres');
CREATE SCHEMA IF NOT EXISTS single;
CREATE SCHEMA dist;
CREATE SCHEMA shards;
SQL
}

# mn_distribute TABLE...: for each table of schema single on the coordinator
# (with an account_id column): the same columns as a table on both shards,
# dist.TABLE partitioned by hash of account_id with a foreign table on each
# shard as its partitions, and the rows copied to the shard whose partition
# holds them (the coordinator's own hash partitioning decides, through
# satisfies_hash_partition, so the rows are where the partition bounds say).
mn_distribute() {
	local t i ddl
	for t in "$@"; do
		ddl=$(mn_psql 0 -At -v t="$t" <<'SQL'
SELECT format('CREATE TABLE %I (%s)', c.relname,
              string_agg(format('%I %s%s', a.attname, format_type(a.atttypid, a.atttypmod),
                                CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END), ', ' ORDER BY a.attnum))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = 'single' AND c.relname = :'t'
GROUP BY c.relname;
SQL
)
		[ -n "$ddl" ] || { echo "multinode: no table single.$t" >&2; return 1; }
		for i in 1 2; do mn_psql "$i" -c "$ddl" || return 1; done
		mn_psql 0 -v t="$t" <<'SQL' || return 1
SELECT format('CREATE TABLE dist.%1$I (LIKE single.%1$I) PARTITION BY HASH (account_id)', :'t') \gexec
SELECT format('CREATE FOREIGN TABLE dist.%1$I PARTITION OF dist.%2$I FOR VALUES WITH (MODULUS 2, REMAINDER %3$s)
               SERVER shard%4$s OPTIONS (schema_name %5$L, table_name %2$L)',
              :'t' || '_shard' || r + 1, :'t', r, r + 1, 'public')
FROM generate_series(0, 1) r \gexec
SQL
		for i in 1 2; do
			mn_psql 0 -c "COPY (SELECT * FROM single.$t WHERE satisfies_hash_partition('dist.$t'::regclass, 2, $((i - 1)), account_id)) TO STDOUT" |
				mn_psql "$i" -c "COPY $t FROM STDIN" || return 1
			mn_psql "$i" -c "ANALYZE $t" || return 1
		done
		mn_psql 0 -c "ANALYZE dist.$t" || return 1
	done
}

# mn_state_views NAME SQL: the query SQL (unqualified table names) as view
# NAME on each shard, as view single.NAME on the coordinator over the
# single-node copy, and on the coordinator foreign tables shards.NAME_shard1
# and shards.NAME_shard2 over the shards' views (the same columns and types,
# so states arrive in their text form and are read by the type's input
# function) with shards.NAME, their UNION ALL.
mn_state_views() {
	local name=$1 sql=$2 i
	for i in 1 2; do
		mn_psql "$i" -c "CREATE VIEW $name AS $sql" || return 1
	done
	mn_psql 0 -v name="$name" <<SQL || return 1
SET search_path = single, public;
CREATE VIEW single.$name AS $sql;
SELECT format('CREATE FOREIGN TABLE shards.%I (%s) SERVER %s OPTIONS (schema_name %L, table_name %L)',
              :'name' || '_' || s, string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum),
              s, 'public', :'name')
FROM pg_attribute a, unnest(ARRAY['shard1', 'shard2']) s
WHERE a.attrelid = ('single.' || :'name')::regclass AND a.attnum > 0
GROUP BY s \gexec
SELECT format('CREATE VIEW shards.%1\$I AS SELECT * FROM shards.%2\$I UNION ALL SELECT * FROM shards.%3\$I',
              :'name', :'name' || '_shard1', :'name' || '_shard2') \gexec
SQL
}
