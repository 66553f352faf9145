#!/usr/bin/env bash
# README examples: every fenced ```sql block of README.md runs as written on
# the demo's sample CRM data.  Creates a fresh database abm_readme with abm
# installed and test/demo/crm_data.sql loaded, then runs each block, in README
# order and in that one database (a block may use what an earlier one
# created, e.g. a materialized view), with psql ON_ERROR_STOP=1.
#   - Only blocks fenced at the start of a line with ```sql (the language
#     exactly "sql") count; ```sh, bare ``` and other languages, and indented
#     blocks are not run.
#   - The extension is already installed when the blocks run (the data needs
#     its types), so a line of a block that is exactly `CREATE EXTENSION abm;`
#     (blanks around it aside) runs as `CREATE EXTENSION IF NOT EXISTS abm;`.
#     Nothing else is changed: `CREATE EXTENSION abm SCHEMA x;` would fail.
# Prints "ok N <first line>" or "FAILED N <first line>" and the psql error
# (its line numbers are README.md's) per block, then
# "readme_examples: N blocks ran, M failed".  Fails if a block fails, or if
# no block is found.
# Runs inside test/run (PGHOST/PGPORT/PGUSER point at the throwaway cluster),
# or alone with its own cluster: bash test/integration/readme_examples.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

if [ -z "${ABM_SERVER_LOG:-}" ]; then
	abm_install_deps
	abm_build_install
	export ABM_PGPORT=${ABM_PGPORT:-54341}
	abm_pg_start
fi

db=abm_readme
readme=README.md
work=$(mktemp -d)
trap 'rm -rf "$work"; abm_pg_stop' EXIT   # abm_pg_stop: only a cluster this script started

# Split the ```sql blocks out of the README: $work/NNN.sql, and in
# $work/blocks one line per block: "NNN README-line-of-the-opening-fence".
awk -v dir="$work" '
	infence {
		if ($0 ~ "^" fence "`*[ \t]*$") {
			infence = 0
			if (issql) close(file)
		} else if (issql) {
			print > file
		}
		next
	}
	/^```/ {
		match($0, /^`+/)
		fence = substr($0, 1, RLENGTH)
		info = substr($0, RLENGTH + 1)
		gsub(/^[ \t]+|[ \t]+$/, "", info)
		infence = 1
		issql = (info == "sql")
		if (issql) {
			n++
			file = sprintf("%s/%03d.sql", dir, n)
			printf "" > file
			printf "%03d %d\n", n, NR > (dir "/blocks")
		}
		next
	}
	END {
		if (infence && issql) {
			printf "readme_examples: the ```sql block opened at README.md line %d is never closed\n", NR > "/dev/stderr"
			exit 1
		}
	}
' "$readme"
touch "$work/blocks"
if [ ! -s "$work/blocks" ]; then
	echo "readme_examples: 0 blocks ran, 0 failed"
	echo "readme_examples: no \`\`\`sql block found in $readme" >&2
	exit 1
fi

"$ABM_PGBIN/dropdb" --if-exists "$db" 2>/dev/null
"$ABM_PGBIN/createdb" "$db"
abm_psql -d "$db" -c 'CREATE EXTENSION abm'
abm_psql -d "$db" -f test/demo/crm_data.sql >/dev/null

ran=0
failed=0
while read -r id fence_line; do
	ran=$((ran + 1))
	n=$((10#$id))
	block=$work/$id.sql
	first=$(head -n 1 "$block")
	sed -E 's/^[[:space:]]*CREATE EXTENSION abm;[[:space:]]*$/CREATE EXTENSION IF NOT EXISTS abm;/' "$block" >"$work/run.sql"
	if PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" "$ABM_PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$work/run.sql" </dev/null >/dev/null 2>"$work/err"; then
		echo "ok $n $first"
	else
		failed=$((failed + 1))
		echo "FAILED $n $first"
		# psql:FILE:LINE: -> README.md:LINE: (the line in the README)
		awk -v f="psql:$work/run.sql:" -v base="$fence_line" '
			index($0, f) == 1 {
				rest = substr($0, length(f) + 1)
				k = index(rest, ":")
				$0 = "README.md:" (base + substr(rest, 1, k - 1)) substr(rest, k)
			}
			{ print "    " $0 }
		' "$work/err"
	fi
done <"$work/blocks"

"$ABM_PGBIN/dropdb" "$db" 2>/dev/null || true
echo "readme_examples: $ran blocks ran, $failed failed"
[ "$failed" -eq 0 ] && [ "$ran" -gt 0 ]
