# test/lib/pg.sh — shared by the test runner, the demo and the benchmarks.
#
#   . test/lib/pg.sh
#   abm_install_deps     # apt-get what is missing (as root)
#   abm_build_install    # make && make install, warnings are errors
#   abm_pg_start         # throwaway PostgreSQL 15 as user postgres; sets PGHOST PGPORT PGUSER
#   abm_pg_stop          # also run by the EXIT trap abm_pg_start sets
#   abm_cluster_create DIR PORT [conf lines]   # one more server (several nodes)
#   abm_cluster_stop DIR
#   abm_as_postgres CMD...                      # run a server tool as postgres, from /
#
# The cluster lives in a private directory, listens only on a Unix socket
# there (no TCP), and never touches a system cluster or port 5432.

ABM_PGBIN=${ABM_PGBIN:-/usr/lib/postgresql/15/bin}
ABM_ROOT=${ABM_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

abm_log() { printf '%s\n' "== $*" >&2; }

abm_install_deps() {
	local need=() p
	for p in postgresql-15 postgresql-server-dev-15 build-essential clang-14 libclang-rt-14-dev sqlsmith \
		r-base-core r-cran-survival \
		postgresql-15-cron python3-psycopg2 libpostgresql-jdbc-java; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
	done
	if [ ${#need[@]} -gt 0 ]; then
		abm_log "installing ${need[*]}"
		export DEBIAN_FRONTEND=noninteractive
		# quiet unless it fails (debconf's notes on stderr are not problems)
		local log
		log=$(mktemp)
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$log" 2>&1 || {
			cat "$log" >&2
			rm -f "$log"
			return 1
		}
		rm -f "$log"
	fi
}

abm_build_install() {
	abm_log "building abm"
	make -C "$ABM_ROOT" -s clean >/dev/null
	make -C "$ABM_ROOT" -s PG_CONFIG="$ABM_PGBIN/pg_config" >/dev/null 2>"$ABM_ROOT/build.log" || {
		cat "$ABM_ROOT/build.log" >&2
		return 1
	}
	make -C "$ABM_ROOT" -s PG_CONFIG="$ABM_PGBIN/pg_config" install >/dev/null
}

# Server tools run as postgres, from / so that a caller's directory that
# postgres cannot enter (a clone in /root) is not a warning.
abm_as_postgres() { (cd / && runuser -u postgres -- "$@"); }

# abm_cluster_create DIR PORT [extra postgresql.conf lines...]
# initdb in DIR/data (DIR owned by postgres), Unix socket in DIR, no TCP unless
# a line sets listen_addresses, then start; the log is DIR/server.log.
abm_cluster_create() {
	local dir=$1 port=$2 line
	shift 2
	mkdir -p "$dir"
	chown postgres: "$dir"
	chmod 700 "$dir"
	abm_as_postgres "$ABM_PGBIN/initdb" -D "$dir/data" -A trust -U postgres \
		--no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		return 1
	}
	{
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$dir'"
		echo "port = $port"
		echo "fsync = off"
		echo "logging_collector = off"
		echo "log_min_messages = warning"
		for line in "$@"; do echo "$line"; done
	} >>"$dir/data/postgresql.conf"
	abm_as_postgres "$ABM_PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null || {
		cat "$dir/server.log" >&2
		return 1
	}
}

# abm_cluster_stop DIR: stop the server in DIR/data if it runs, keep the files.
abm_cluster_stop() {
	if [ -f "$1/data/postmaster.pid" ]; then
		abm_as_postgres "$ABM_PGBIN/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
}

abm_pg_stop() {
	[ -n "${ABM_PGDIR:-}" ] && abm_cluster_stop "$ABM_PGDIR"
	if [ -n "${ABM_PGDIR:-}" ] && [ -d "$ABM_PGDIR" ] && [ -z "${ABM_KEEP_CLUSTER:-}" ]; then
		rm -rf "$ABM_PGDIR"
	fi
	ABM_PGDATA=
}

# abm_pg_start [extra postgresql.conf lines...]
abm_pg_start() {
	ABM_PGDIR=$(mktemp -d /tmp/abm-pg.XXXXXX)
	ABM_PGDATA=$ABM_PGDIR/data
	export PGPORT=${ABM_PGPORT:-54329}
	export PGHOST=$ABM_PGDIR
	export PGUSER=postgres
	trap 'abm_pg_stop' EXIT
	abm_cluster_create "$ABM_PGDIR" "$PGPORT" "$@" || return 1
	export ABM_SERVER_LOG=$ABM_PGDIR/server.log
	abm_log "PostgreSQL $("$ABM_PGBIN/postgres" -V | awk '{print $3}') on socket $PGHOST port $PGPORT"
}

abm_psql() { "$ABM_PGBIN/psql" -X -v ON_ERROR_STOP=1 -q "$@"; }
