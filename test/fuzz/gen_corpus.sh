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
# serialized partials: kind, 8 bytes of parameter, the state
bin_seed "\x01\x3f\xee\x66\x66\x66\x66\x66\x66$NPS"
bin_seed "\x02\x00\x00\x00\x00\x00\x00\x00\x00$CSAT"
bin_seed "\x01\x00\x00\x00\x00\x00\x00\x00\x00$CSAT"          # kind and payload disagree
bin_seed "\x03\x00\x00\x00\x00\x00\x00\x00\x00$NPS"           # unknown kind
bin_seed "\x01\x00\x00\x00\x00\x00\x00\x00"                   # 8 bytes: too short
