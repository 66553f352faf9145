/*
 * engagement.h — time-decayed account engagement, as SPEC.md ("Engagement
 * and campaign influence") defines it.  Plain C.
 *
 *   engagement as of a day = sum over touches up to that day of
 *                            weight x 2^(-(as_of - day) / half_life)
 *
 * engagement_state keeps the touches' weights summed per day: rows (day,
 * weight), days since 2000-01-01, weights exact decimals (money columns of
 * the state schema).  So states merge exactly (daily states roll up to any
 * period), and the as-of day and the half-life are chosen when the state is
 * read, not when it is built: the decayed sum is computed then, over the
 * days.  Touches after the as-of day are not counted.
 *
 * A surge compares the last 7 days' weight with the account's own trailing
 * weeks: z = (last week - mean of the baseline weeks) / their standard
 * deviation (sample, n - 1).
 */
#ifndef ABM_ENGAGEMENT_H
#define ABM_ENGAGEMENT_H

#include <stdint.h>

#include "state.h"

enum
{
	ENGAGEMENT_DAY = 0,
	ENGAGEMENT_WEIGHT = 1,
	ENGAGEMENT_NCOLS = 2
};

extern const abm_state_schema abm_engagement_schema;

/* Days of PostgreSQL's dates, relative to 2000-01-01. */
#define ABM_DAY_MIN (-2451545 + 0)	/* 4713-11-24 BC */
#define ABM_DAY_MAX 2145031948		/* 5874897-12-31 */

/* Baselines are at most this many weeks (ten years). */
#define ABM_MAX_BASELINE_WEEKS 520

/* Row r's weight as the nearest double. */
double		abm_engagement_row_weight(const abm_state *s, uint32_t r);

/* The factor of a touch age_days (>= 0) old: 2^(-age_days / half_life_days). */
double		abm_engagement_decay(int64_t age_days, double half_life_days);

/*
 * The decayed sum as of a day with a half-life in days (> 0); weights of
 * days after as_of are left out.  0 for no touch up to as_of.
 */
double		abm_engagement_at(const abm_state *s, int64_t as_of, double half_life_days);

/*
 * The z-score of the 7 days ending on as_of against the baseline_weeks
 * weeks before them (2 .. ABM_MAX_BASELINE_WEEKS).  NaN when the baseline does not vary and the
 * last week equals it; +-infinity when it does not vary and the week
 * differs.
 */
double		abm_engagement_zscore(const abm_state *s, int64_t as_of, int baseline_weeks);

#endif							/* ABM_ENGAGEMENT_H */
