#!/usr/bin/env bash
# Builds the libFuzzer harnesses of abm's pure C core and fuzzes each one.
#
#   bash test/fuzz/run.sh [SECONDS_PER_HARNESS]     (default 20)
#
# No PostgreSQL server is needed: the harnesses link only the pure sources.
# Each invocation uses its own directories, so concurrent runs (test/run and
# a manual run) do not clobber each other:
#   test/fuzz/build/<pid>/<name>        the harness binaries
#   test/fuzz/work/<pid>/<name>/corpus  a fresh copy of the committed seeds
#   test/fuzz/work/<pid>/<name>/        crash, leak, timeout and OOM inputs,
#                                       and fuzz.log
# (both gitignored); they are removed at the end unless something was found,
# so the committed corpus never grows.  Prints one line per harness:
#   fuzz <name>: <executions> execs in <seconds> s, <n> crashes
# and exits non-zero if any harness fails to build or finds anything.
#
# Environment: ABM_FUZZ_CC (default clang-14), ABM_FUZZ_CFLAGS (extra flags,
# e.g. -DSOMETHING), ABM_FUZZ_KEEP=1 to keep the build and work directories
# anyway, ABM_FUZZ_HARNESSES to fuzz only some harnesses (e.g. "fuzz_enum").
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2

secs=${1:-20}
case "$secs" in
	'' | *[!0-9]*) echo "usage: $0 [SECONDS_PER_HARNESS]" >&2; exit 2 ;;
esac
cc=${ABM_FUZZ_CC:-clang-14}
read -r -a harnesses <<<"${ABM_FUZZ_HARNESSES:-fuzz_enum fuzz_state_text fuzz_state_binary fuzz_money}"
# the pure sources are the Makefile's CORE_OBJS (what the unit tests link), so
# a new one (src/health.c, ...) is fuzzed as soon as it is built
mapfile -t core < <(awk '/^CORE_OBJS[ \t]*=/ { on = 1; sub(/^[^=]*=/, "") }
	on { more = sub(/\\$/, ""); n = split($0, w); for (i = 1; i <= n; i++) print w[i]; on = more }' Makefile |
	sed -n 's/\.o$/.c/p')
if [ "${#core[@]}" -eq 0 ]; then
	echo "fuzz: could not read CORE_OBJS from the Makefile" >&2
	exit 2
fi
# shellcheck disable=SC2054  # commas inside one flag
flags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-fno-omit-frame-pointer -Wall -Wextra -Isrc)
fuzz=test/fuzz
build=$fuzz/build/$$
workroot=$fuzz/work/$$
status=0

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz: $cc not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
	exit 1
fi
rm -rf "$build" "$workroot"
mkdir -p "$build" "$workroot"
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
	if [ "$status" -eq 0 ] && [ "${ABM_FUZZ_KEEP:-0}" != 1 ]; then
		rm -rf "$build" "$workroot"
	else
		echo "fuzz: kept $build and $workroot" >&2
	fi
}
trap cleanup EXIT

for name in "${harnesses[@]}"; do
	bin=$build/$name
	work=$workroot/$name
	log=$work/fuzz.log

	# shellcheck disable=SC2086  # ABM_FUZZ_CFLAGS is a list of flags
	if ! "$cc" "${flags[@]}" ${ABM_FUZZ_CFLAGS:-} -o "$bin" "$fuzz/$name.c" "${core[@]}" -lm \
		>"$build/$name.build.log" 2>&1; then
		cat "$build/$name.build.log" >&2
		echo "fuzz $name: build failed"
		status=1
		continue
	fi

	mkdir -p "$work/corpus"
	cp "$fuzz/corpus/$name/"* "$work/corpus/" 2>/dev/null || true
	opts=(-max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
		-artifact_prefix="$work/")
	[ -f "$fuzz/$name.dict" ] && opts+=(-dict="$fuzz/$name.dict")

	start=$(date +%s)
	# the outer timeout only guards against a hung run; libFuzzer stops itself
	timeout --kill-after=10 $((secs * 2 + 120)) "$bin" "${opts[@]}" "$work/corpus" >"$log" 2>&1
	rc=$?
	elapsed=$(($(date +%s) - start))

	execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
	done_secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
	found=$(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
		-o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
	if [ "$rc" -ne 0 ] && [ "$found" -eq 0 ]; then
		found=1					# died without writing an input (e.g. killed)
	fi
	echo "fuzz $name: ${execs:-0} execs in ${done_secs:-$elapsed} s, $found crashes"
	if [ "$found" -ne 0 ] || [ -z "$execs" ]; then
		status=1
		{
			echo "---- $name (exit $rc): findings in $work/, log $log"
			grep -E -A12 'decoder returned|output rejected|printed back as|fuzz invariant failed|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log" | head -60
			for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
				[ -f "$f" ] || continue
				echo "input $f ($(wc -c <"$f") bytes), base64: $(base64 -w0 <"$f" | head -c 600)"
				echo "  as text: $(head -c 300 "$f" | cat -v)"
				echo "  reproduce: $bin $f"
			done
		} >&2
	fi
done
exit $status
