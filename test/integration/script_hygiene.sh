#!/usr/bin/env bash
# The PostgreSQL rules for extension scripts, checked on the text of every
# built install and upgrade script (the catalog side is sql/install_script.sql):
#  - the psql guard comes first;
#  - no CREATE OR REPLACE (an object someone pre-created would be taken
#    over), except in an upgrade step for a function a released script
#    created (PostgreSQL 15 replaces only the extension's own members);
#  - no SECURITY DEFINER, no search_path changes;
#  - no SQL or PL/pgSQL function bodies, which would resolve names through
#    the caller's search_path at run time (C functions only, or bodies that
#    schema-qualify with @extschema@); a released upgrade step that has one
#    passes only if a later step replaces that function;
#  - functions are created before the types, operators and aggregates using them;
#  - released scripts are byte for byte what they were when released.
set -euo pipefail
cd "$(dirname "$0")/../.."

scripts=$(ls abm--*.sql 2>/dev/null || true)
[ -n "$scripts" ] || { echo "script_hygiene: no built install script (run make)" >&2; exit 1; }
bad=0
complain() { echo "script_hygiene: $1" >&2; bad=1; }
# Functions a script creates with CREATE OR REPLACE.
replaced_functions() {
	grep -ioE 'create[[:space:]]+or[[:space:]]+replace[[:space:]]+function[[:space:]]+[a-z0-9_]+' "$1" | awk '{ print tolower($NF) }'
}
# Functions whose body is SQL or PL/pgSQL and does not name @extschema@.
sql_bodied_functions() {
	awk '
		{ line = tolower($0) }
		match(line, /create( or replace)? function [a-z0-9_]+/) {
			name = substr(line, RSTART, RLENGTH); sub(/.* /, "", name)
		}
		line ~ /language[ \t]+(sql|plpgsql)/ && line !~ /@extschema@/ { print name }' "$1"
}
# Is a script one of the released ones (pinned in released_scripts.sha256)?
released() { grep -q "  $1\$" test/integration/released_scripts.sha256; }
# Did a released script create the function?
created_by_release() {
	local r
	for r in $(awk '{ print $2 }' test/integration/released_scripts.sha256); do
		grep -qiE "^create function $1\(" "$r" && return 0
	done
	return 1
}
# Does an upgrade step after script $2 replace function $1?
replaced_later() {
	local from=${2#abm--} u
	from=${from%.sql}
	from=${from#*--}			# the version script $2 leads to
	for u in abm--*--*.sql; do
		[ "${u#abm--$from--}" != "$u" ] || continue
		replaced_functions "$u" | grep -qx "$1" && return 0
	done
	return 1
}

for f in $scripts; do
	first=$(grep -m1 -vE '^[[:space:]]*(/\*|\*|--|$)' "$f")
	echo "$first" | grep -qE '^\\echo Use "(CREATE|ALTER) EXTENSION abm.*\\quit$' || complain "$f: the first statement is not the psql guard"
	for name in $(replaced_functions "$f"); do
		case "$f" in
			abm--*--*.sql) created_by_release "$name" || complain "$f: CREATE OR REPLACE of $name, which no released script created" ;;
			*) complain "$f: CREATE OR REPLACE of $name in an install script" ;;
		esac
	done
	grep -niE 'security[[:space:]]+definer' "$f" && complain "$f: SECURITY DEFINER"
	grep -niE 'search_path' "$f" && complain "$f: touches search_path"
	for name in $(sql_bodied_functions "$f"); do
		if released "$f" && replaced_later "$name" "$f"; then
			echo "script_hygiene: $f: $name has an SQL body; a later step replaces it" >&2
		else
			complain "$f: $name has an SQL-language body without @extschema@"
		fi
	done
	# in an install script, each function named as SFUNC/FINALFUNC/INPUT/...
	# is created earlier (upgrade scripts may use functions of older versions)
	case "$f" in abm--*--*.sql) continue ;; esac
	awk '
		BEGIN { defined["float8pl"] = 1 }	# PostgreSQL'"'"'s own (engagement_as_of combines with it)
		{
			line = tolower($0)
			if (match(line, /^create function [a-z0-9_]+\(/)) {
				name = substr(line, 17, RLENGTH - 17); defined[name] = 1
			}
			while (match(line, /(sfunc|finalfunc|combinefunc|serialfunc|deserialfunc|msfunc|minvfunc|mfinalfunc|input|output|receive|send|procedure) *= *[a-z0-9_]+/)) {
				ref = substr(line, RSTART, RLENGTH); sub(/.*= */, "", ref)
				if (!(ref in defined)) { printf "%s:%d: %s used before it is created\n", FILENAME, NR, ref; status = 1 }
				line = substr(line, RSTART + RLENGTH)
			}
		}
		END { exit status }' "$f" || complain "$f: object used before its function is created"
done
# released scripts never change: an installed version must stay what its
# script says (a new version adds an upgrade step and a line here)
sha256sum --quiet -c test/integration/released_scripts.sha256 ||
	complain "a released install or upgrade script changed (test/integration/released_scripts.sha256)"

[ "$bad" -eq 0 ] && echo "script_hygiene: $(echo $scripts | wc -w) script(s) follow the extension-script rules"
exit $bad
