#!/usr/bin/env bash
# The PostgreSQL rules for extension scripts, checked on the text of every
# built install and upgrade script (the catalog side is sql/install_script.sql):
#  - the psql guard comes first;
#  - no CREATE OR REPLACE (an object someone pre-created would be taken over);
#  - no SECURITY DEFINER, no search_path changes;
#  - no SQL or PL/pgSQL function bodies, which would resolve names through
#    the caller's search_path at run time (C functions only, or bodies that
#    schema-qualify with @extschema@);
#  - functions are created before the types, operators and aggregates using them;
#  - released scripts are byte for byte what they were when released.
set -euo pipefail
cd "$(dirname "$0")/../.."

scripts=$(ls abm--*.sql 2>/dev/null || true)
[ -n "$scripts" ] || { echo "script_hygiene: no built install script (run make)" >&2; exit 1; }
bad=0
complain() { echo "script_hygiene: $1" >&2; bad=1; }

for f in $scripts; do
	first=$(grep -m1 -vE '^[[:space:]]*(/\*|\*|--|$)' "$f")
	echo "$first" | grep -qE '^\\echo Use "(CREATE|ALTER) EXTENSION abm.*\\quit$' || complain "$f: the first statement is not the psql guard"
	grep -niE 'create[[:space:]]+or[[:space:]]+replace' "$f" && complain "$f: CREATE OR REPLACE"
	grep -niE 'security[[:space:]]+definer' "$f" && complain "$f: SECURITY DEFINER"
	grep -niE 'search_path' "$f" && complain "$f: touches search_path"
	grep -niE 'language[[:space:]]+(sql|plpgsql)' "$f" | grep -v '@extschema@' && complain "$f: SQL-language body without @extschema@"
	# in an install script, each function named as SFUNC/FINALFUNC/INPUT/...
	# is created earlier (upgrade scripts may use functions of older versions)
	case "$f" in abm--*--*.sql) continue ;; esac
	awk '
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
