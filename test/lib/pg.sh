# test/lib/pg.sh — shared by the test runner, the demo and the benchmarks.
#
#   . test/lib/pg.sh
#   abm_install_deps     # apt-get what is missing (as root)
#   abm_build_install    # make && make install, warnings are errors
#   abm_pg_start         # throwaway PostgreSQL 15 as user postgres; sets PGHOST PGPORT PGUSER
#   abm_pg_stop          # also run by the EXIT trap abm_pg_start sets
#
# The cluster lives in a private directory, listens only on a Unix socket
# there (no TCP), and never touches a system cluster or port 5432.

ABM_PGBIN=${ABM_PGBIN:-/usr/lib/postgresql/15/bin}
ABM_ROOT=${ABM_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

abm_log() { printf '%s\n' "== $*" >&2; }

abm_install_deps() {
	local need=() p
	for p in postgresql-15 postgresql-server-dev-15 build-essential clang-14 libclang-rt-14-dev sqlsmith \
		r-base-core r-cran-survival; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
	done
	if [ ${#need[@]} -gt 0 ]; then
		abm_log "installing ${need[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
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

abm_pg_stop() {
	if [ -n "${ABM_PGDATA:-}" ] && [ -f "$ABM_PGDATA/postmaster.pid" ]; then
		runuser -u postgres -- "$ABM_PGBIN/pg_ctl" -D "$ABM_PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
	fi
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
	chown postgres: "$ABM_PGDIR"
	chmod 700 "$ABM_PGDIR"
	trap 'abm_pg_stop' EXIT
	runuser -u postgres -- "$ABM_PGBIN/initdb" -D "$ABM_PGDATA" -A trust -U postgres \
		--no-sync -E UTF8 --locale=C >"$ABM_PGDIR/initdb.log" 2>&1 || {
		cat "$ABM_PGDIR/initdb.log" >&2
		return 1
	}
	{
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$ABM_PGDIR'"
		echo "port = $PGPORT"
		echo "fsync = off"
		echo "logging_collector = off"
		echo "log_min_messages = warning"
		local line
		for line in "$@"; do echo "$line"; done
	} >>"$ABM_PGDATA/postgresql.conf"
	runuser -u postgres -- "$ABM_PGBIN/pg_ctl" -D "$ABM_PGDATA" -l "$ABM_PGDIR/server.log" -w start >/dev/null || {
		cat "$ABM_PGDIR/server.log" >&2
		return 1
	}
	export ABM_SERVER_LOG=$ABM_PGDIR/server.log
	abm_log "PostgreSQL $("$ABM_PGBIN/postgres" -V | awk '{print $3}') on socket $PGHOST port $PGPORT"
}

abm_psql() { "$ABM_PGBIN/psql" -X -v ON_ERROR_STOP=1 -q "$@"; }
