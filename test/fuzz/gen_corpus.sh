#!/usr/bin/env bash
# Writes the committed seed corpora of the fuzz harnesses (test/fuzz/corpus/).
# The seeds are committed; run this only to regenerate them after a format
# change.  run.sh fuzzes copies of them, so fuzzing never grows this tree.
set -euo pipefail
cd "$(dirname "$0")/corpus"

# ---- fuzz_enum: labels, aliases, spellings, edge lengths ----
d=fuzz_enum
rm -rf "$d" && mkdir -p "$d"
n=0
enum_seed() { n=$((n + 1)); printf '%b' "$1" >"$d/$(printf 'seed-%02d' "$n")"; }
for w in target aware engaged opportunity onboarding active renewing expanding advocate churned \
	detractor passive promoter closed_won cross_sell; do
	enum_seed "$w"
done
enum_seed 'Closed Won'
enum_seed 'CLOSED-WON'
enum_seed '  \tOnboarding \n'
enum_seed '\xe3\x80\x80target\xe3\x80\x80'       # U+3000 around the word
enum_seed '目标'
enum_seed '流失'
enum_seed '\xe3\x80\x80商机 '
enum_seed '续\xe7'                               # cut inside a UTF-8 sequence
enum_seed 'tar\x00get'
enum_seed 'churned_'
enum_seed ''
enum_seed '\xe3\x80\x80'
enum_seed "$(printf 'a%.0s' $(seq 64))"          # longest accepted length
enum_seed "$(printf 'a%.0s' $(seq 65))"          # one byte too long
enum_seed "  $(printf 'x%.0s' $(seq 63))target  "
enum_seed 'adjusted-wald'
enum_seed 'wald'

# ---- fuzz_state_text: valid, edge and malformed texts of every schema ----
d=fuzz_state_text
rm -rf "$d" && mkdir -p "$d"
n=0
text_seed() { n=$((n + 1)); printf '%b' "$1" >"$d/$(printf 'seed-%02d' "$n")"; }
M=9223372036854775807
text_seed 'v1 detractors=3 passives=5 promoters=12'
text_seed 'v1 detractors=0 passives=0 promoters=0'
text_seed "v1 detractors=$M passives=0 promoters=0"
text_seed 'v1 detractors=4611686018427387904 passives=0 promoters=0'    # doubles past INT64_MAX
text_seed 'v1 detractors=3074457345618258602 passives=3074457345618258602 promoters=3074457345618258603'
text_seed "v1 detractors=$M passives=1 promoters=0"                     # total overflows
text_seed 'v1 detractors=9223372036854775808 passives=0 promoters=0'    # past int64
text_seed 'v1 detractors=-1 passives=5 promoters=12'
text_seed 'v1 detractors=-9223372036854775808 passives=0 promoters=0'
text_seed 'v1 detractors=-9223372036854775809 passives=0 promoters=0'
text_seed 'v2 detractors=3 passives=5 promoters=12'
text_seed 'v0 detractors=3 passives=5 promoters=12'
text_seed 'v256 detractors=3 passives=5 promoters=12'
text_seed 'v01 detractors=007 passives=-0 promoters=12'
text_seed ' \tv1 detractors=3 passives=5 promoters=12\n'
text_seed 'v1 detractors=3 passives=5 promoters=12 '
text_seed 'v1 detractors=3 passives=5 promoters=12x'
text_seed 'v1 detractors=3 passives=5'
text_seed 'v1 detractors=3  passives=5 promoters=12'
text_seed 'v1 passives=5 detractors=3 promoters=12'
text_seed 'v1 detractors=+3 passives=5 promoters=12'
text_seed 'v1 satisfied=3 responses=4'
text_seed 'v1 satisfied=5 responses=4'
text_seed "v1 satisfied=$M responses=$M"
text_seed 'v1 subjects=5 first=1 last=7 rows=[1:2:0,3:1:1,7:0:1]'
text_seed 'v1 subjects=0 first=0 last=0 rows=[]'
text_seed "v1 subjects=1 first=-9223372036854775808 last=$M rows=[-9223372036854775808:$M:0,$M:0:$M]"
text_seed 'v1 subjects=2 first=0 last=0 rows=[0:0:0,1:4611686018427387904:0]'
text_seed 'v1 subjects=2 first=0 last=0 rows=[3:1:1,2:1:1]'              # keys not increasing
text_seed 'v1 subjects=2 first=0 last=0 rows=[3:1:1,3:1:1]'              # duplicate key
text_seed 'v1 subjects=2 first=0 last=0 rows=[3:-1:1]'
text_seed 'v1 subjects=2 first=0 last=0 rows=[3:1]'
text_seed 'v1 subjects=2 first=0 last=0 rows=[3:1:1,]'
text_seed 'v1 subjects=2 first=0 last=0 rows=[3:1:1'
text_seed 'v1 subjects=9 first=0 last=0 rows=[0:0:0,1:0:0,2:0:0,3:0:0,4:0:0,5:0:0,6:0:0,7:0:0,8:0:0]'
text_seed 'v1 detractors=3 passives=5 promoters=12 rows=[]'
# version 2: the same fields, and the optional parameter
text_seed 'v2 detractors=3 passives=5 promoters=12 confidence=0.9'
text_seed 'v2 detractors=3 passives=5 promoters=12 confidence=0.30000000000000004'
text_seed 'v2 detractors=3 passives=5 promoters=12 confidence=9.5e-1'
text_seed 'v2 detractors=3 passives=5 promoters=12 confidence=1e999'
text_seed 'v2 detractors=3 passives=5 promoters=12 confidence=-.5'
text_seed 'v2 detractors=3 passives=5 promoters=12 confidence=nan'
text_seed 'v1 detractors=3 passives=5 promoters=12 confidence=0.9'
text_seed 'v2 satisfied=3 responses=4'
text_seed 'v2 subjects=5 first=1 last=7 param=2.5 rows=[1:2:0,3:1:1,7:0:1]'
text_seed 'v2 subjects=5 first=1 last=7 rows=[1:2:0,3:1:1,7:0:1]'
text_seed 'v3 detractors=3 passives=5 promoters=12'
# survival_state: float time keys
text_seed 'v2 rows=[0:0:1,3:2:0,7.5:1:1]'
text_seed 'v2 rows=[0.1:1:0,0.30000000000000004:0:2,1e300:1:1]'
text_seed 'v2 rows=[3:0:0]'
text_seed 'v2 rows=[-1:1:0]'
text_seed 'v2 rows=[-0:1:0,0:1:0]'
text_seed 'v2 rows=[2.5e-324:1:0,5e-324:1:0]'
# churn_state: a period that every merged state shares
text_seed 'v2 period_start=789004800000000 period_end=796780800000000 active=7 churned=2'
text_seed 'v2 period_start=-9223372036854775808 period_end=-9223372036854775808 active=0 churned=0'
text_seed 'v2 period_start=10 period_end=5 active=1 churned=0'
text_seed 'v2 period_start=0 period_end=10 active=1 churned=2'
text_seed 'v2 period_start=0 period_end=10 rows=[1:1:0,2:2:1,9:0:1]'
text_seed 'v2 period_start=0 period_end=10 rows=[1:1:0,1:0:1]'
text_seed 'v2 customers=5 repeat_customers=2'
text_seed 'v2 customers=1 repeat_customers=2'
text_seed 'v'
text_seed 'v99999999999999999999 detractors=3 passives=5 promoters=12'  # version past int64: a version error
text_seed ''

# ---- fuzz_state_binary: valid, truncated, wrong-version and partial forms ----
d=fuzz_state_binary
rm -rf "$d" && mkdir -p "$d"
n=0
bin_seed() { n=$((n + 1)); printf '%b' "$1" >"$d/$(printf 'seed-%02d' "$n")"; }
hexbytes() { # hex digits -> \x escapes
	local h=$1 out='' k
	for ((k = 0; k < ${#h}; k += 2)); do out+="\\x${h:k:2}"; done
	printf '%s' "$out"
}
i64() { hexbytes "$(printf '%016x' "$1")"; } # big-endian int64 of a decimal (also negative)
u32() { hexbytes "$(printf '%08x' "$1")"; }
Z=$(i64 0)
MAXB=$(i64 9223372036854775807)
MINB=$(i64 -9223372036854775808)
HALF=$(i64 4611686018427387904)
NPS="\x01$(i64 3)$(i64 5)$(i64 12)"
CSAT="\x01$(i64 3)$(i64 4)"
SURV="\x01$(i64 5)$(i64 1)$(i64 7)$(u32 3)$(i64 1)$(i64 2)$Z$(i64 3)$(i64 1)$(i64 1)$(i64 7)$Z$(i64 1)"
bin_seed "$NPS"                                   # nps golden (README)
bin_seed "\x01$Z$Z$Z"
bin_seed "\x01$MAXB$Z$Z"
bin_seed "\x01$HALF$Z$Z"                          # self-merge overflows
bin_seed "\x01$MAXB$(i64 1)$Z"                    # total past INT64_MAX
bin_seed "\x01$(i64 -1)$(i64 5)$(i64 12)"         # negative
bin_seed "\x02$(i64 3)$(i64 5)$(i64 12)"          # wrong version
bin_seed "\x00$(i64 3)$(i64 5)$(i64 12)"
bin_seed "$(printf '%b' "$NPS" | head -c 24 | od -An -v -tx1 | sed 's/ \(..\)/\\x\1/g' | tr -d '\n')"  # truncated
bin_seed "${NPS}\x00"                             # one byte too many
bin_seed '\x01'
bin_seed ''
bin_seed "$CSAT"
bin_seed "\x01$(i64 5)$(i64 4)"                   # satisfied > responses
bin_seed "\x01$MAXB$MAXB"
bin_seed "$SURV"
bin_seed "\x01$Z$MAXB$MINB$(u32 0)"               # rows schema, no rows
bin_seed "\x01$Z$Z$Z$(u32 1)$MINB$MAXB$Z"
bin_seed "\x01$Z$Z$Z$(u32 2)$(i64 3)$Z$Z$(i64 2)$Z$Z"           # keys decreasing
bin_seed "\x01$Z$Z$Z$(u32 2)$(i64 3)$Z$Z"                       # count says 2, one row
bin_seed "\x01$Z$Z$Z$(u32 4294967295)$(i64 3)$Z$Z"              # huge count
bin_seed "\x01$Z$Z$Z$(u32 1)$(i64 3)$HALF$Z"
bin_seed "\x01$(i64 3)$(i64 1)$(i64 7)\x00\x00"                 # truncated row count
# version 2 binary forms: flags byte, optional parameter
NPS2="\x02\x00$(i64 3)$(i64 5)$(i64 12)"
bin_seed "$NPS2"                                  # nps golden v2 (README)
bin_seed "\x02\x01\x3f\xec\xcc\xcc\xcc\xcc\xcc\xcd$(i64 3)$(i64 5)$(i64 12)"   # confidence 0.9
bin_seed "\x02\x01$(i64 3)$(i64 5)$(i64 12)"         # flagged, no parameter
bin_seed "\x02\x80$(i64 3)$(i64 5)$(i64 12)"         # unknown flag
bin_seed "\x02\x00$(i64 3)$(i64 4)"                  # csat v2
bin_seed "\x02\x01\x40\x04\x00\x00\x00\x00\x00\x00$Z$MAXB$MINB$(u32 1)$(i64 3)$(i64 1)$Z"   # rows, param 2.5
bin_seed "\x03\x00$(i64 3)$(i64 5)$(i64 12)"         # version from the future
# native payloads (little-endian, as the datum on this machine)
le64() { local v=$1 i out=''; for i in 0 1 2 3 4 5 6 7; do out="$out$(printf '\\x%02x' $(( (v >> (8 * i)) & 255 )))"; done; printf '%s' "$out"; }
bin_seed "\x02\x01\x00\x00$(le64 3)$(le64 5)$(le64 12)"     # native nps_state
bin_seed "\x02\x01\x01\x00$(le64 3)$(le64 5)$(le64 12)\x9a\x99\x99\x99\x99\x99\xe9\x3f"  # with confidence 0.8
bin_seed "\x02\x02\x00\x00$(le64 3)$(le64 4)"               # native csat_state
bin_seed "\x02\x01\x00\x01$(le64 3)$(le64 5)$(le64 12)"     # reserved byte set
bin_seed "\x02\x00$(u32 2)\x40\x08\x00\x00\x00\x00\x00\x00$(i64 2)$Z\x40\x1e\x00\x00\x00\x00\x00\x00$(i64 1)$(i64 1)"   # survival v2
bin_seed "\x02\x03\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00$(le64 4613937818241073152)$(le64 2)$(le64 0)$(le64 4620693217682128896)$(le64 1)$(le64 1)"  # native survival
bin_seed "\x02\xc9\x00\x00$(le64 5)$(le64 1)$(le64 7)\x01\x00\x00\x00\x00\x00\x00\x00$(le64 3)$(le64 1)$(le64 0)"  # native rows
