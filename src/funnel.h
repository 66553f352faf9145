/*
 * funnel.h — the funnel over lifecycle_stage and time in stage, as SPEC.md
 * ("Funnel and pipeline") defines them.  Plain C.
 *
 * funnel_state counts accounts by their furthest stage; an account that
 * reached a stage passed every stage before it, so
 *   reached(s) = accounts whose furthest stage is s or later,
 *   conversion from the previous stage = reached(s) / reached(s - 1),
 *   conversion from the first stage   = reached(s) / reached(target).
 * churned is not a step: an account that churned is counted at the
 * furthest stage it reached before (when the caller knows it) and, apart,
 * among the churned.
 *
 * stage_path holds one account's first entry into each stage; time in a
 * stage runs from that entry to the first entry, at or after it, into any
 * later stage (lifecycle order, churned included).  A skipped stage has no
 * time; going back to an earlier stage changes no first entry; the stage an
 * account is in now has no end yet and counts as entered, not passed.
 * time_in_stage_state is the distribution of those times over accounts:
 * rows (stage, duration) with the number of accounts, so medians are exact.
 */
#ifndef ABM_FUNNEL_H
#define ABM_FUNNEL_H

#include <stdint.h>

#include "state.h"

/* Stages of the lifecycle, by position: target = 0 .. advocate = 8, churned = 9. */
#define ABM_FUNNEL_STEPS 9
#define ABM_FUNNEL_CHURNED 9
#define ABM_LIFECYCLE_STAGES 10

/* funnel_state fields: the nine steps (furthest stage), then these. */
enum
{
	FUNNEL_CHURNED = ABM_FUNNEL_STEPS,	/* placed accounts that churned */
	FUNNEL_CHURNED_UNPLACED = ABM_FUNNEL_STEPS + 1	/* given only as churned */
};

extern const abm_state_schema abm_funnel_schema;

/* Accounts that reached step s (0..8): furthest stage s or later. */
int64_t		abm_funnel_reached(const abm_state *s, int step);

/* ---- stage_path: one account's first entry into each stage ---- */

enum
{
	PATH_UNIT = 0,				/* ABM_TIME_DAYS or ABM_TIME_MICROSECONDS (SAME) */
	PATH_FIRST_ENTRY = 1		/* then one MIN field per stage, INT64_MAX = never */
};

#define ABM_TIME_DAYS 1
#define ABM_TIME_MICROSECONDS 2
#define ABM_PATH_NEVER INT64_MAX

extern const abm_state_schema abm_stage_path_schema;

/* ---- time_in_stage_state ---- */

/*
 * Rows (key, accounts) with key = stage << 58 | duration, duration in the
 * state's unit; stage 0..8 a step, ABM_VELOCITY_STAGE the time from the
 * first entry into target to the first into onboarding.  Scalars: the unit,
 * then how many accounts entered each step (passed or not).
 */
#define ABM_VELOCITY_STAGE 15
#define ABM_DURATION_BITS 58
#define ABM_DURATION_MAX ((INT64_C(1) << ABM_DURATION_BITS) - 1)

enum
{
	TIS_UNIT = 0,
	TIS_ENTERED = 1				/* then one SUM field per step */
};

extern const abm_state_schema abm_time_in_stage_schema;

/*
 * The durations of one path: for each step, entered[step] (0/1) and
 * duration[step] (-1: not passed), and the velocity (-1: none).  Returns
 * ABM_ERR_RANGE when a duration is past ABM_DURATION_MAX.
 */
typedef struct abm_path_times
{
	int			entered[ABM_FUNNEL_STEPS];
	int64_t		duration[ABM_FUNNEL_STEPS];
	int64_t		velocity;
} abm_path_times;

abm_status	abm_path_times_of(const abm_state *path, abm_path_times *out, abm_error *err);

static inline int64_t
abm_tis_key(int stage, int64_t duration)
{
	return ((int64_t) stage << ABM_DURATION_BITS) | duration;
}

static inline int
abm_tis_key_stage(int64_t key)
{
	return (int) (key >> ABM_DURATION_BITS);
}

static inline int64_t
abm_tis_key_duration(int64_t key)
{
	return key & ABM_DURATION_MAX;
}

/*
 * Statistics of one stage's durations (rows of a finished state, sorted):
 * accounts passed, the median (the mean of the two middle values for an
 * even count) and the mean, in the state's unit; NaN when none passed.
 */
typedef struct abm_duration_stats
{
	int64_t		passed;
	double		median;
	double		mean;
} abm_duration_stats;

void		abm_time_in_stage_stats(const abm_state *s, int stage, abm_duration_stats *out);

#endif							/* ABM_FUNNEL_H */
