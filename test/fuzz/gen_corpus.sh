#!/usr/bin/env bash
# Writes the committed seed corpora of the fuzz harnesses (test/fuzz/corpus/).
# The seeds are committed; run this only to regenerate them after a format
# change.  run.sh fuzzes copies of them, so fuzzing never grows this tree.
# Needs bc (the powers of two of the widest amounts).
set -euo pipefail
cd "$(dirname "$0")/corpus"

# exact big integers, on one line
big() { echo "$1" | BC_LINE_LENGTH=0 bc; }
P127=$(big '2^127')
P127M1=$(big '2^127 - 1')
P126=$(big '2^126')
P4094=$(big '2^4094')
P4094M1=$(big '2^4094 - 1')
P4095=$(big '2^4095')
P4095M1=$(big '2^4095 - 1')
P4096=$(big '2^4096')
P4096M1=$(big '2^4096 - 1')
zeros() { printf '%*s' "$1" '' | tr ' ' 0; }
# a revenue_state text: the seven counts, then the six amounts
rev() {
	printf 'v2 starting_accounts=%s new_accounts=%s reactivated_accounts=%s expanded_accounts=%s contracted_accounts=%s churned_accounts=%s flat_accounts=%s starting=%s new=%s reactivation=%s expansion=%s contraction=%s churn=%s' "$@"
}

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
# mrr_movement and health_band
enum_seed 'new_business'
enum_seed 'Cancelled'
enum_seed 'unchanged'
enum_seed 'At Risk'
enum_seed 'amber'
enum_seed 'healthy'

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
# revenue_state: counts, then amounts at one scale in the fewest words
text_seed "$(rev 4 1 1 1 1 1 1 148.50 7.25 50.00 20.50 6.00 30.50)"        # golden (unit test)
text_seed "$(rev 0 0 0 0 0 0 0 0 0 0 0 0 0)"
text_seed "$(rev 0 0 0 0 0 0 0 0.0000 0.0000 0.0000 0.0000 0.0000 0.0000)"
text_seed "$(rev 1 0 0 0 0 0 1 "$P127M1" 0 0 0 0 0)"                        # two words
text_seed "$(rev 1 0 0 0 0 0 1 "$P127" 0 0 0 0 0)"                          # three words
text_seed "$(rev 334 1 1 0 0 0 334 334000000000000000000000000000000.0000000000 0.5000000000 1000000000000000000000000000000.0000000000 0.0000000000 0.0000000000 0.0000000000)"
text_seed "$(rev 4 1 1 1 1 1 1 148.5 7.25 50 20.50 6 30.5)"                # decimals differ: printed at one scale
text_seed "$(rev 4 1 1 1 1 1 1 0148.50 7.25 50.00 20.50 6.00 30.50)"       # leading zero
text_seed "$(rev 1 0 0 0 0 0 1 1.0001 -0 0 0 0 0)"                          # -0
text_seed "$(rev 4 1 1 1 1 1 1 148.50 7.25 50.00 20.50 6.00 -30.50)"       # negative
text_seed "$(rev 4 0 1 1 1 1 1 148.50 7.25 50.00 20.50 6.00 30.50)"        # an amount without its count
text_seed "$(rev 4 1 1 1 1 1 1 148.50 0.00 50.00 20.50 6.00 30.50)"        # a count without its amount
text_seed "$(rev 4 1 1 1 1 1 1 148.50 7.25 50.00 20.50 118.00 30.50)"      # contraction + churn = starting
text_seed "$(rev 4 1 1 1 1 1 1 148.50 7.25 50.00 20.50 118.01 30.50)"      # contraction + churn > starting
text_seed "$(rev 4 1 1 1 1 1 2 148.50 7.25 50.00 20.50 6.00 30.50)"        # more movements than the cohort
text_seed "$(rev 4 1 1 1 1 1 1 148.50 7.25e0 50.00 20.50 6.00 30.50)"      # exponent
text_seed "$(rev 4 1 1 1 1 1 1 148.50 7. 50.00 20.50 6.00 30.50)"
text_seed "$(rev 0 1 0 0 0 0 0 0 "$P4094M1" 0 0 0 0)"                      # 64 words; doubled fits
text_seed "$(rev 0 1 0 0 0 0 0 0 "$P4094" 0 0 0 0)"                        # 64 words; doubled is too wide
text_seed "$(rev 0 1 0 0 0 0 0 0 "$P4095M1" 0 0 0 0)"                      # the widest amount
text_seed "$(rev 0 1 0 0 0 0 0 0 "$P4095" 0 0 0 0)"                        # 65 words: too wide
text_seed "$(rev 0 1 0 0 0 0 0 0 "0.$(zeros 999)1" 0 0 0 0)"                # scale 1000
text_seed "$(rev 0 1 0 0 0 0 0 0 "0.$(zeros 1000)1" 0 0 0 0)"               # scale 1001
text_seed "$(rev 9223372036854775807 0 0 0 0 0 9223372036854775807 1 0 0 0 0 0)"   # counts double past int64
text_seed "$(rev 4 1 1 1 1 1 1 148.50 7.25 50.00 20.50 6.00 30.50 | sed 's/^v2/v1/')"
# mrr_schedule: (month, change) rows, the running MRR never below zero
text_seed 'v2 rows=[300:120.50,303:-20.50]'                                # golden (unit test)
text_seed 'v2 rows=[]'
text_seed 'v2 rows=[1:5.00,2:-5.00]'                                        # closed
text_seed 'v2 rows=[1:5.00,3:-2.50,7:0.75,9:-3.25]'                         # churn, return, open
text_seed 'v2 rows=[1:5.5,2:-0.50]'                                         # decimals differ: printed at one scale
text_seed 'v2 rows=[1:-0.50]'                                               # MRR below zero
text_seed 'v2 rows=[1:5.00,2:-6.00]'
text_seed 'v2 rows=[1:5.00,2:0.00,3:-5.00]'                                 # a row of zeros
text_seed 'v2 rows=[1:5.00,2:-0.00,3:-5.00]'
text_seed 'v2 rows=[3:5.00,1:1.00]'                                         # keys not increasing
text_seed 'v2 rows=[3:5.00,3:1.00]'
text_seed 'v2 rows=[1:5.00:1]'
text_seed 'v2 rows=[1:5e2]'
text_seed 'v1 rows=[1:5]'                                                   # no version 1 with amounts
text_seed "v2 rows=[0:$P127,1:-$P127]"                                      # three words, then two
text_seed "v2 rows=[0:$P126,5:$P126,9:-$P127]"                              # the MRR passes 127 bits in 128-bit rows
text_seed "v2 rows=[1:$P4095M1]"                                            # the widest amount
text_seed "v2 rows=[1:$P4095M1,2:$P4095M1]"                                 # an MRR of 2^4096 - 2; doubled too wide
text_seed "v2 rows=[1:$P4095M1,2:$P4095M1,3:$P4095M1]"                      # MRR past 4096 bits
text_seed "v2 rows=[1:$P4095M1,2:1,3:-$P4095]"                              # -2^4095: doubled has no magnitude
text_seed "v2 rows=[1:$P4095]"                                              # 65 words
text_seed "v2 rows=[1:0.$(zeros 999)1]"                                     # scale 1000
text_seed "v2 rows=[-9223372036854775808:1,9223372036854775807:-1]"         # months no date has
text_seed 'v2 rows=[-1:1,0:1,1:-2]'
# cohort_state: period, through, rows (cohort * 4096 + k, customers, retained, starting, mrr)
COH='v2 period_months=3 through=293 rows=['
text_seed "${COH}1179648:2:2:150.00:150.00,1179649:2:1:150.00:120.50]"     # golden (unit test)
text_seed 'v2 period_months=-9223372036854775808 through=-9223372036854775808 rows=[]'
text_seed 'v2 period_months=1 through=0 rows=[0:1:0:5:0]'
text_seed 'v2 period_months=2 through=293 rows=[]'                         # months or quarters only
text_seed "${COH}1183744:1:1:1.0:1.00]"                                     # not a quarter's first month
text_seed "${COH}-12287:1:1:1:1]"                                           # negative cohort month, k = 1
text_seed 'v2 period_months=3 through=289 rows=[1179648:2:2:150.00:150.00]'  # the quarter ends after through
text_seed "${COH}1179648:2:3:150.00:150.00]"                                # retained > customers
text_seed "${COH}1179648:0:0:0.00:0]"                                       # a row of zeros
text_seed "${COH}1179648:0:0:-5.00:0]"
text_seed 'v2 period_months=3 through=-9223372036854775808 rows=[]'        # set apart
text_seed 'v2 period_months=-9223372036854775808 through=-9223372036854775808 rows=[0:1:1:1:1]'
text_seed "${COH}1179648:4611686018427387904:0:1:1]"                        # customers double past int64
text_seed "${COH}1179648:1:1:$P127:$P127M1,1179649:1:0:$P127:0]"             # three words
text_seed "${COH}1179648:1:1:$P4095M1:1]"                                   # 64 words
text_seed 'v1 period_months=3 through=293 rows=[]'
# funnel_state: nine steps by furthest stage, churned (among the placed) and churned_unplaced
STEPS() { printf 'target=%s aware=%s engaged=%s opportunity=%s onboarding=%s active=%s renewing=%s expanding=%s advocate=%s' "$@"; }
text_seed "v2 $(STEPS 220 451 1000 70000 5 0 1 2 75) churned=168 churned_unplaced=4294967296"   # golden (unit test)
text_seed "v2 $(STEPS 0 0 0 0 0 0 0 0 0) churned=0 churned_unplaced=0"
text_seed "v2 $(STEPS 1 0 0 0 0 0 0 0 1) churned=2 churned_unplaced=0"             # churned = placed
text_seed "v2 $(STEPS 1 0 0 0 0 0 0 0 1) churned=3 churned_unplaced=0"             # churned > placed
text_seed "v2 $(STEPS 0 0 0 0 0 0 0 0 0) churned=0 churned_unplaced=$M"
text_seed "v2 $(STEPS 0 3074457345618258602 3074457345618258602 0 0 0 0 0 3074457345618258602) churned=1 churned_unplaced=0"   # placed doubles past int64
text_seed "v2 $(STEPS 0 $M 1 0 0 0 0 0 0) churned=0 churned_unplaced=0"            # placed past int64
text_seed "v2 $(STEPS 0 -1 0 0 0 0 0 0 0) churned=0 churned_unplaced=0"
text_seed "v1 $(STEPS 3 2 1 0 0 0 0 0 0) churned=1 churned_unplaced=1"
# stage_path: the unit, then first entries; 9223372036854775807 = never
N=9223372036854775807
text_seed "v2 unit=1 $(STEPS 8766 8775 $N 8800 -3 $N $N $N $N) churned=9000"       # golden (unit test)
text_seed "v2 unit=-9223372036854775808 $(STEPS $N $N $N $N $N $N $N $N $N) churned=$N"   # empty: no unit, no entry
text_seed "v2 unit=-9223372036854775808 $(STEPS 5 $N $N $N $N $N $N $N $N) churned=$N"    # an entry without its unit
text_seed "v2 unit=3 $(STEPS 5 $N $N $N $N $N $N $N $N) churned=$N"
text_seed "v2 unit=2 $(STEPS 10 5 12 12 40 $N 3 $N $N) churned=45"                 # backward moves, ties, churned
text_seed "v2 unit=2 $(STEPS -9223372036854775808 9223372036854775806 $N $N 288230376151711743 $N $N $N $N) churned=$N"   # times past ABM_DURATION_MAX
text_seed "v2 unit=1 $(STEPS 0 288230376151711743 $N $N 288230376151711744 $N $N $N $N) churned=$N"   # the longest time, and the velocity one more
# time_in_stage_state: the unit, entered per step, rows stage<<58|duration:accounts (15: the velocity)
TIS="v2 unit=1 $(STEPS 5 5 5 5 5 5 5 5 5)"
text_seed "v2 unit=1 $(STEPS 2 1 0 0 0 0 0 0 0) rows=[9:2,288230376151711746:1,4323455642275676167:1]"   # golden (unit test)
text_seed "v2 unit=-9223372036854775808 $(STEPS 0 0 0 0 0 0 0 0 0) rows=[]"        # empty: no unit, no row
text_seed "$TIS rows=[]"
text_seed "$TIS rows=[0:1,1:2,7:2,288230376151711743:0]"                           # a row of no accounts
text_seed "$TIS rows=[0:1,1:2,288230376151711743:2,2305843009213693952:5,4323455642275676160:5]"
text_seed "$TIS rows=[0:1,3:1,7:2,288230376151711746:1,288230376151711750:1]"        # even counts: medians between two values
text_seed "$TIS rows=[2594073385365405696:1]"                                      # stage 9: churned is no step
text_seed "$TIS rows=[4611686018427387904:1]"                                      # stage 16
text_seed "$TIS rows=[3:3,4:3]"                                                    # more passed than entered
text_seed "$TIS rows=[4323455642275676160:3,4323455642275676161:3]"                # velocity past target's entered
text_seed "v2 unit=2 $(STEPS 4611686018427387904 0 0 0 0 0 0 0 0) rows=[5:4611686018427387904]"   # doubles past int64
text_seed "v2 unit=-9223372036854775808 $(STEPS 1 0 0 0 0 0 0 0 0) rows=[5:1]"     # rows without the unit
# proportion_state: successes out of trials
text_seed 'v2 successes=2 trials=3'
text_seed 'v2 successes=0 trials=0'
text_seed 'v2 successes=4 trials=3'
text_seed "v2 successes=$M trials=$M"
text_seed 'v2 successes=1 trials=9223372036854775807'
text_seed 'v2 successes=-1 trials=3'
text_seed 'v1 successes=2 trials=3'
# engagement_state (kind 14): rows day:weight, days since 2000-01-01 within PostgreSQL's dates, weights >= 0
text_seed 'v2 rows=[9648:3.50,9667:3.00]'                                   # golden (unit test)
text_seed 'v2 rows=[-2451545:0.5,2145031948:12.0]'                          # the first and last dates
text_seed 'v2 rows=[-2451546:1]'                                            # a day before the first date
text_seed 'v2 rows=[2145031949:1]'                                          # a day after the last
text_seed 'v2 rows=[9648:-1]'                                               # a negative weight
text_seed 'v2 rows=[9648:3.50,9649:-0.01]'
text_seed 'v2 rows=[9600:1.25,9607:1.25,9614:2.5,9621:2.5,9628:2.50]'      # a flat weekly baseline
text_seed 'v2 rows=[9600:0.1,9607:0.1,9614:0.1,9621:0.1,9628:0.2]'         # weeks not exact in binary
text_seed "v2 rows=[9648:0.$(zeros 29)1,9649:12345678901234567890.$(zeros 30)]"   # scale 30
text_seed "v2 rows=[9648:$P4094,9649:$P4094M1]"                             # weights past DBL_MAX
text_seed 'v2 rows=[9648:1,9648:2]'
text_seed 'v1 rows=[9648:1]'

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
# revenue_state: seven counts, the money word (scale | width << 16), each amount's words
zn() { local k out=''; for ((k = 0; k < $1; k++)); do out+=$2; done; printf '%s' "$out"; }
RC="$(i64 4)$(i64 1)$(i64 1)$(i64 1)$(i64 1)$(i64 1)$(i64 1)"
REV="\x02\x00$RC$(i64 131074)$(i64 14850)$Z$(i64 725)$Z$(i64 5000)$Z$(i64 2050)$Z$(i64 600)$Z$(i64 3050)$Z"
bin_seed "$REV"                                                             # golden (unit test)
bin_seed "\x02\x00$(zn 7 "$Z")$(i64 131072)$(zn 12 "$Z")"                   # empty
bin_seed "\x02\x00$(i64 1)$(zn 5 "$Z")$(i64 1)$(i64 196608)$Z$Z$(i64 1)$(zn 15 "$Z")"   # 2^128: three words
bin_seed "\x02\x00$RC$(i64 196610)$(i64 14850)$Z$Z$(i64 725)$Z$Z$(i64 5000)$Z$Z$(i64 2050)$Z$Z$(i64 600)$Z$Z$(i64 3050)$Z$Z"  # three words where two hold them
bin_seed "\x02\x00$RC$(i64 131074)$(i64 14850)$Z$(i64 725)$Z$(i64 5000)$Z$(i64 2050)$Z$(i64 600)$Z$(i64 -3050)$(i64 -1)"  # negative
bin_seed "\x02\x00$RC$(i64 131074)$(i64 14850)$Z$(i64 725)$Z$(i64 5000)$Z$(i64 2050)$Z$(i64 600)$Z$(i64 14251)$Z"  # contraction + churn > starting
bin_seed "\x02\x00$RC$(i64 4295098370)$(i64 14850)$Z$(i64 725)$Z$(i64 5000)$Z$(i64 2050)$Z$(i64 600)$Z$(i64 3050)$Z"  # unused bits of the money word
bin_seed "\x02\x00$RC$(i64 132072)$(i64 14850)$Z$(i64 725)$Z$(i64 5000)$Z$(i64 2050)$Z$(i64 600)$Z$(i64 3050)$Z"  # scale 1000
bin_seed "\x02\x00$RC$(i64 132073)$(i64 14850)$Z$(i64 725)$Z$(i64 5000)$Z$(i64 2050)$Z$(i64 600)$Z$(i64 3050)$Z"  # scale 1001
bin_seed "\x02\x00$RC$(i64 65538)$(i64 14850)$(i64 725)$(i64 5000)$(i64 2050)$(i64 600)$(i64 3050)"   # one word
bin_seed "\x02\x00$Z$(i64 1)$(zn 5 "$Z")$(i64 4194304)$(zn 64 "$Z")$(zn 63 "$Z")$(i64 4611686018427387904)$(zn 256 "$Z")"   # 2^4094: 64 words, doubled too wide
bin_seed "\x02\x00$Z$(i64 1)$(zn 5 "$Z")$(i64 4194304)$(zn 64 "$Z")$(zn 63 "$(i64 -1)")$(i64 4611686018427387903)$(zn 256 "$Z")"   # 2^4094 - 1: doubled fits
bin_seed "\x02\x00$Z$(i64 1)$(zn 5 "$Z")$(i64 4259840)$(zn 65 "$Z")$(zn 64 "$Z")$(i64 1)$(zn 260 "$Z")"   # 65 words
bin_seed "\x01$RC$(i64 131074)$(i64 14850)$Z$(i64 725)$Z$(i64 5000)$Z$(i64 2050)$Z$(i64 600)$Z$(i64 3050)$Z"   # no version 1 with money
bin_seed "\x02\x07\x00\x00$(le64 4)$(le64 1)$(le64 1)$(le64 1)$(le64 1)$(le64 1)$(le64 1)$(le64 131074)$(le64 14850)$(le64 0)$(le64 725)$(le64 0)$(le64 5000)$(le64 0)$(le64 2050)$(le64 0)$(le64 600)$(le64 0)$(le64 3050)$(le64 0)"   # native golden
bin_seed "\x02\x07\x00\x00$(le64 1)$(zn 5 "$(le64 0)")$(le64 1)$(le64 196608)$(le64 0)$(le64 0)$(le64 1)$(zn 15 "$(le64 0)")"   # native, three words
# mrr_schedule: the money word, the row count, rows (month, change's words)
W2=$(i64 131074)                                                            # scale 2, two words
bin_seed "\x02\x00$W2$(u32 2)$(i64 300)$(i64 12050)$Z$(i64 303)$(i64 -2050)$(i64 -1)"   # golden (unit test)
bin_seed "\x02\x08\x00\x00$(le64 131074)\x02\x00\x00\x00\x00\x00\x00\x00$(le64 300)$(le64 12050)$(le64 0)$(le64 303)$(le64 -2050)$(le64 -1)"   # native golden
bin_seed "\x02\x00$(i64 131072)$(u32 0)"                                     # no rows
bin_seed "\x02\x00$W2$(u32 0)"                                               # no rows at scale 2
bin_seed "\x02\x00$(i64 196608)$(u32 2)$Z$Z$(i64 -9223372036854775808)$Z$(i64 1)$Z$(i64 -9223372036854775808)$(i64 -1)"   # 2^127, -2^127: three words
bin_seed "\x02\x00$(i64 196610)$(u32 2)$(i64 300)$(i64 12050)$Z$Z$(i64 303)$(i64 -2050)$(i64 -1)$(i64 -1)"   # three words where two hold them
bin_seed "\x02\x00$W2$(u32 2)$(i64 300)$(i64 12050)$Z$(i64 303)$Z$Z"        # a row of zeros
bin_seed "\x02\x00$W2$(u32 2)$(i64 300)$(i64 12050)$Z$(i64 303)$(i64 -12051)$(i64 -1)"   # MRR below zero
bin_seed "\x02\x00$W2$(u32 2)$(i64 303)$(i64 12050)$Z$(i64 300)$(i64 -2050)$(i64 -1)"   # keys decreasing
bin_seed "\x02\x00$(i64 4194304)$(u32 1)$(i64 1)$(zn 63 "$(i64 -1)")$(i64 9223372036854775807)"   # 2^4095 - 1: 64 words
bin_seed "\x01$W2$(u32 2)$(i64 300)$(i64 12050)$Z$(i64 303)$(i64 -2050)$(i64 -1)"   # no version 1 with amounts
# cohort_state: period, through, the money word, rows (key, customers, retained, starting, mrr)
C3="\x02\x00$(i64 3)$(i64 293)"
bin_seed "$C3$W2$(u32 2)$(i64 1179648)$(i64 2)$(i64 2)$(i64 15000)$Z$(i64 15000)$Z$(i64 1179649)$(i64 2)$(i64 1)$(i64 15000)$Z$(i64 12050)$Z"   # golden (unit test)
bin_seed "\x02\x09\x00\x00$(le64 3)$(le64 293)$(le64 131074)\x02\x00\x00\x00\x00\x00\x00\x00$(le64 1179648)$(le64 2)$(le64 2)$(le64 15000)$(le64 0)$(le64 15000)$(le64 0)$(le64 1179649)$(le64 2)$(le64 1)$(le64 15000)$(le64 0)$(le64 12050)$(le64 0)"   # native golden
bin_seed "\x02\x00$MINB$MINB$(i64 131072)$(u32 0)"                        # settings unset
bin_seed "$C3$W2$(u32 1)$(i64 1183744)$(i64 1)$(i64 1)$(i64 100)$Z$(i64 100)$Z"   # not a quarter's first month
bin_seed "$C3$W2$(u32 1)$(i64 1179649)$(i64 1)$(i64 2)$(i64 100)$Z$(i64 100)$Z"   # retained > customers
bin_seed "\x02\x00$(i64 3)$(i64 289)$W2$(u32 1)$(i64 1179648)$(i64 1)$(i64 1)$(i64 100)$Z$(i64 100)$Z"   # ends after through
bin_seed "$C3$(i64 196610)$(u32 1)$(i64 1179648)$(i64 1)$(i64 1)$(i64 100)$Z$Z$(i64 100)$Z$Z"   # three words where two hold them
bin_seed "$C3$(i64 196608)$(u32 1)$(i64 1179648)$(i64 1)$(i64 1)$Z$Z$(i64 1)$Z$Z$Z"   # 2^128 starting: three words
# funnel_state (kind 10): eleven counts
bin_seed "\x02\x00$(i64 220)$(i64 451)$(i64 1000)$(i64 70000)$(i64 5)$Z$(i64 1)$(i64 2)$(i64 75)$(i64 168)$(i64 4294967296)"   # golden (unit test)
bin_seed "\x02\x0a\x00\x00$(le64 220)$(le64 451)$(le64 1000)$(le64 70000)$(le64 5)$(le64 0)$(le64 1)$(le64 2)$(le64 75)$(le64 168)$(le64 4294967296)"   # native golden
bin_seed "\x02\x00$(i64 1)$(zn 7 "$Z")$(i64 1)$(i64 3)$Z"                         # churned > placed
bin_seed "\x02\x00$Z$HALF$HALF$(zn 6 "$Z")$Z$Z"                                      # placed past int64
bin_seed "\x01$(i64 3)$(i64 2)$(i64 1)$(zn 6 "$Z")$(i64 1)$(i64 1)"                   # version 1
# stage_path (kind 11): unit, ten first entries
NEV=$MAXB
bin_seed "\x02\x00$(i64 1)$(i64 8766)$(i64 8775)$NEV$(i64 8800)$(i64 -3)$NEV$NEV$NEV$NEV$(i64 9000)"   # golden (unit test)
bin_seed "\x02\x0b\x00\x00$(le64 1)$(le64 8766)$(le64 8775)$(le64 9223372036854775807)$(le64 8800)$(le64 -3)$(zn 4 "$(le64 9223372036854775807)")$(le64 9000)"   # native golden
bin_seed "\x02\x00$MINB$(zn 10 "$NEV")"                                              # empty: no unit
bin_seed "\x02\x00$(i64 2)$MINB$(i64 9223372036854775806)$(zn 8 "$NEV")"              # a time past ABM_DURATION_MAX
bin_seed "\x02\x00$(i64 3)$(i64 5)$(zn 9 "$NEV")"                                     # unit 3
# time_in_stage_state (kind 12): unit, nine entered, rows (key, accounts)
bin_seed "\x02\x00$(i64 1)$(i64 2)$(i64 1)$(zn 7 "$Z")$(u32 3)$(i64 9)$(i64 2)$(i64 288230376151711746)$(i64 1)$(i64 4323455642275676167)$(i64 1)"   # golden (unit test)
bin_seed "\x02\x0c\x00\x00$(le64 1)$(le64 2)$(le64 1)$(zn 7 "$(le64 0)")\x03\x00\x00\x00\x00\x00\x00\x00$(le64 9)$(le64 2)$(le64 288230376151711746)$(le64 1)$(le64 4323455642275676167)$(le64 1)"   # native golden
bin_seed "\x02\x00$MINB$(zn 9 "$Z")$(u32 0)"                                          # empty: no unit
bin_seed "\x02\x00$(i64 1)$(zn 9 "$(i64 5)")$(u32 2)$(i64 288230376151711743)$(i64 5)$(i64 2594073385365405696)$(i64 1)"   # stage 9
bin_seed "\x02\x00$(i64 2)$(zn 9 "$HALF")$(u32 1)$(i64 4323455642275676160)$HALF"     # velocity, doubles past int64
# proportion_state (kind 13): successes, trials
bin_seed "\x02\x00$(i64 2)$(i64 3)"                                                    # golden (unit test)
bin_seed "\x02\x0d\x00\x00$(le64 2)$(le64 3)"                                         # native golden
bin_seed "\x02\x00$(i64 4)$(i64 3)"                                                    # successes > trials
bin_seed "\x02\x00$MAXB$MAXB"
# engagement_state (kind 14): the money word, the row count, rows (day, weight's words)
bin_seed "\x02\x00$W2$(u32 2)$(i64 9648)$(i64 350)$Z$(i64 9667)$(i64 300)$Z"   # golden (unit test)
bin_seed "\x02\x0e\x00\x00$(le64 131074)\x02\x00\x00\x00\x00\x00\x00\x00$(le64 9648)$(le64 350)$(le64 0)$(le64 9667)$(le64 300)$(le64 0)"   # native golden
bin_seed "\x02\x00$(i64 131073)$(u32 2)$(i64 -2451545)$(i64 5)$Z$(i64 2145031948)$(i64 120)$Z"   # the first and last dates
bin_seed "\x02\x00$W2$(u32 1)$(i64 -2451546)$(i64 100)$Z"                 # a day before the first date
bin_seed "\x02\x00$W2$(u32 1)$(i64 2145031949)$(i64 100)$Z"               # a day after the last
bin_seed "\x02\x00$W2$(u32 1)$(i64 9648)$(i64 -100)$(i64 -1)"             # a negative weight
bin_seed "\x02\x00$(i64 196608)$(u32 1)$(i64 9648)$Z$Z$(i64 1)"           # 2^128: three words
bin_seed "\x02\x0e\x00\x00$(le64 131074)\x01\x00\x00\x00\x00\x00\x00\x00$(le64 9648)$(le64 -100)$(le64 -1)"   # native, negative

# ---- fuzz_money: amounts' text, and numeric's digits (sign, weight, dscale, int16 LE digits) ----
d=fuzz_money
rm -rf "$d" && mkdir -p "$d"
n=0
money_seed() { n=$((n + 1)); printf '%b' "$1" >"$d/$(printf 'seed-%02d' "$n")"; }
for t in 0 0.00 -12.345 1 -1 0.0001 -0.5 100.10 -0 -0.000 007 00.10 '' - 1. .5 1e5 +1 '1 ' --1 ' 1' 1.2.3 \
	9223372036854775807 -9223372036854775808 18446744073709551615 18446744073709551616 \
	"$P127M1" "$P127" "-$P127" "-$P127M1" "$P4094" "$P4095M1" "$P4095" "-$P4095" "$P4096M1" "$P4096" "-$P4096M1" \
	"0.$(zeros 999)1" "0.$(zeros 1000)1" "-4321.$(zeros 1000)" "$(zeros 300)1.5" \
	"$(printf '123456789%.0s' $(seq 34))"; do
	money_seed "$t"
done
money_seed '\x00\x00\x01\x00\x01\x00\x88\x13'           # 1.5: weight 0, {1, 5000}, dscale 1
money_seed '\x00\x00\x00\x00\x01\x00\x88\x13'           # dscale 0: a nonzero digit past it
money_seed '\x00\xff\x04\x00\x01\x00'                   # 0.0001: weight -1, {1}
money_seed '\x01\x02\x02\x00\x01\x00'                   # -100000000.00
money_seed '\x00\x00\x00\x00\xff\xff'                   # digit -1
money_seed '\x00\x00\x00\x00\x90\x27'                   # digit 10128
money_seed '\x00\x7f\x00\x00\x01\x00'                   # 10^508
money_seed '\x00\x80\xe8\x03\x01\x00'                   # weight -128, dscale 1000
money_seed '\x00\x00\xe9\x03\x01\x00'                   # dscale 1001
money_seed "\x00\x08\x00\x00$(printf '\\x0f\\x27%.0s' $(seq 9))"   # nine 9999s: 10^36 - 1
