/*
 * funnel.c — funnel_state, stage_path and time_in_stage_state (see funnel.h).
 */
#include "funnel.h"

#include <math.h>

/*
 * One field per funnel step, named by its lifecycle_stage label (the
 * fields of three schemas, each with its own merge rule).
 */
#define STEP_FIELDS(merge, nonnegative) \
	{"target", merge, nonnegative}, {"aware", merge, nonnegative}, \
	{"engaged", merge, nonnegative}, {"opportunity", merge, nonnegative}, \
	{"onboarding", merge, nonnegative}, {"active", merge, nonnegative}, \
	{"renewing", merge, nonnegative}, {"expanding", merge, nonnegative}, \
	{"advocate", merge, nonnegative}

static const abm_state_field funnel_fields[] = {
	STEP_FIELDS(ABM_MERGE_SUM, 1),
	{"churned", ABM_MERGE_SUM, 1},
	{"churned_unplaced", ABM_MERGE_SUM, 1},
};

/* The placed accounts that churned are among the placed accounts. */
static abm_status
funnel_check(const abm_state *s, abm_error *err)
{
	int64_t		placed = abm_funnel_reached(s, 0);

	if (placed < 0)
		return abm_fail(err, ABM_ERR_RANGE, "funnel_state has more accounts than a bigint holds.");
	if (s->scalar[FUNNEL_CHURNED] > placed)
		return abm_fail(err, ABM_ERR_RANGE, "churned (%lld) must not exceed the accounts placed at a stage (%lld).",
						(long long) s->scalar[FUNNEL_CHURNED], (long long) placed);
	return ABM_OK;
}

const abm_state_schema abm_funnel_schema = {
	.type_name = "funnel_state",
	.kind = 10,
	.nscalars = ABM_FUNNEL_STEPS + 2,
	.scalars = funnel_fields,
	.check = funnel_check,
};

/* -1 when the sum passes INT64_MAX (the check reports it). */
int64_t
abm_funnel_reached(const abm_state *s, int step)
{
	int64_t		n = 0;

	for (int t = step; t < ABM_FUNNEL_STEPS; t++)
		if (__builtin_add_overflow(n, s->scalar[t], &n))
			return -1;
	return n;
}

/* ---- stage_path ---- */

static const abm_state_field path_fields[] = {
	{"unit", ABM_MERGE_SAME, 0},
	STEP_FIELDS(ABM_MERGE_MIN, 0),
	{"churned", ABM_MERGE_MIN, 0},
};

/* A unit is unset, days or microseconds. */
static abm_status
unit_check(int64_t unit, const char *type_name, abm_error *err)
{
	if (unit != ABM_UNSET && unit != ABM_TIME_DAYS && unit != ABM_TIME_MICROSECONDS)
		return abm_fail(err, ABM_ERR_SYNTAX, "%s unit must be %d (days) or %d (microseconds).",
						type_name, ABM_TIME_DAYS, ABM_TIME_MICROSECONDS);
	return ABM_OK;
}

/* A path with an entry knows its unit. */
static abm_status
path_check(const abm_state *s, abm_error *err)
{
	int			any = 0;

	for (int i = 0; i < ABM_LIFECYCLE_STAGES; i++)
		any |= s->scalar[PATH_FIRST_ENTRY + i] != ABM_PATH_NEVER;
	if (any && s->scalar[PATH_UNIT] == ABM_UNSET)
		return abm_fail(err, ABM_ERR_SYNTAX, "stage_path with an entry needs its unit.");
	return unit_check(s->scalar[PATH_UNIT], "stage_path", err);
}

const abm_state_schema abm_stage_path_schema = {
	.type_name = "stage_path",
	.kind = 11,
	.nscalars = 1 + ABM_LIFECYCLE_STAGES,
	.scalars = path_fields,
	.check = path_check,
};

abm_status
abm_path_times_of(const abm_state *path, abm_path_times *out, abm_error *err)
{
	const int64_t *first = &path->scalar[PATH_FIRST_ENTRY];
	int64_t		onboarding = first[4];

	for (int s = 0; s < ABM_FUNNEL_STEPS; s++)
	{
		int64_t		left = ABM_PATH_NEVER;

		out->entered[s] = first[s] != ABM_PATH_NEVER;
		out->duration[s] = -1;
		if (!out->entered[s])
			continue;
		/* the first entry, at or after this one, into any later stage */
		for (int t = s + 1; t < ABM_LIFECYCLE_STAGES; t++)
			if (first[t] != ABM_PATH_NEVER && first[t] >= first[s] && first[t] < left)
				left = first[t];
		if (left == ABM_PATH_NEVER)
			continue;
		if ((uint64_t) left - (uint64_t) first[s] > (uint64_t) ABM_DURATION_MAX)
			return abm_fail(err, ABM_ERR_RANGE, "a time in stage is longer than %lld units.",
							(long long) ABM_DURATION_MAX);
		out->duration[s] = left - first[s];
	}
	out->velocity = -1;
	if (first[0] != ABM_PATH_NEVER && onboarding != ABM_PATH_NEVER && onboarding >= first[0])
	{
		if ((uint64_t) onboarding - (uint64_t) first[0] > (uint64_t) ABM_DURATION_MAX)
			return abm_fail(err, ABM_ERR_RANGE, "a time in stage is longer than %lld units.",
							(long long) ABM_DURATION_MAX);
		out->velocity = onboarding - first[0];
	}
	return ABM_OK;
}

/* ---- time_in_stage_state ---- */

static const abm_state_field tis_fields[] = {
	{"unit", ABM_MERGE_SAME, 0},
	STEP_FIELDS(ABM_MERGE_SUM, 1),
};

static const char *const tis_cols[] = {"key", "accounts"};

/*
 * Keys name a step or the velocity, durations are >= 0, counts > 0, and no
 * step has more passed accounts than entered it.
 */
static abm_status
tis_check(const abm_state *s, abm_error *err)
{
	int64_t		passed[ABM_FUNNEL_STEPS + 1] = {0};	/* the steps, then the velocity */

	if (unit_check(s->scalar[TIS_UNIT], "time_in_stage_state", err) != ABM_OK)
		return ABM_ERR_SYNTAX;
	for (uint32_t r = 0; r < s->nrows; r++)
	{
		int64_t		key = s->rows[(size_t) r * 2],
					n = s->rows[(size_t) r * 2 + 1];
		int			stage = abm_tis_key_stage(key);

		if (key < 0 || (stage >= ABM_FUNNEL_STEPS && stage != ABM_VELOCITY_STAGE))
			return abm_fail(err, ABM_ERR_SYNTAX, "time_in_stage_state key %lld names no stage.", (long long) key);
		if (n <= 0)
			return abm_fail(err, ABM_ERR_RANGE, "time_in_stage_state row %lld has %lld accounts; rows hold 1 or more.",
							(long long) key, (long long) n);
		/* the velocity counts accounts that entered target too */
		{
			int			slot = stage < ABM_FUNNEL_STEPS ? stage : ABM_FUNNEL_STEPS;
			int			of = stage < ABM_FUNNEL_STEPS ? stage : 0;

			if (__builtin_add_overflow(passed[slot], n, &passed[slot]) ||
				passed[slot] > s->scalar[TIS_ENTERED + of])
				return abm_fail(err, ABM_ERR_RANGE, "time_in_stage_state has more accounts passing %s than entering %s.",
								stage < ABM_FUNNEL_STEPS ? tis_fields[TIS_ENTERED + of].name : "target to onboarding",
								tis_fields[TIS_ENTERED + of].name);
		}
	}
	if (s->nrows > 0 && s->scalar[TIS_UNIT] == ABM_UNSET)
		return abm_fail(err, ABM_ERR_SYNTAX, "time_in_stage_state with rows needs its unit.");
	return ABM_OK;
}

const abm_state_schema abm_time_in_stage_schema = {
	.type_name = "time_in_stage_state",
	.kind = 12,
	.nscalars = 1 + ABM_FUNNEL_STEPS,
	.scalars = tis_fields,
	.ncols = 2,
	.col_names = tis_cols,
	.check = tis_check,
};

void
abm_time_in_stage_stats(const abm_state *s, int stage, abm_duration_stats *out)
{
	uint32_t	first = 0,
				end;
	int64_t		n = 0;
	double		sum = 0.0;

	/* the stage's rows are consecutive: keys sort by stage, then duration */
	while (first < s->nrows && abm_tis_key_stage(s->rows[(size_t) first * 2]) < stage)
		first++;
	for (end = first; end < s->nrows && abm_tis_key_stage(s->rows[(size_t) end * 2]) == stage; end++)
	{
		int64_t		c = s->rows[(size_t) end * 2 + 1];

		n += c;
		sum += (double) c * (double) abm_tis_key_duration(s->rows[(size_t) end * 2]);
	}
	out->passed = n;
	out->median = out->mean = NAN;
	if (n == 0)
		return;
	out->mean = sum / (double) n;
	{
		/* the values at positions (n - 1) / 2 and n / 2, 0-based */
		int64_t		lo_pos = (n - 1) / 2,
					hi_pos = n / 2,
					seen = 0;
		double		lo = NAN,
					hi = NAN;

		for (uint32_t r = first; r < end; r++)
		{
			int64_t		c = s->rows[(size_t) r * 2 + 1];
			double		d = (double) abm_tis_key_duration(s->rows[(size_t) r * 2]);

			if (isnan(lo) && lo_pos < seen + c)
				lo = d;
			if (hi_pos < seen + c)
			{
				hi = d;
				break;
			}
			seen += c;
		}
		out->median = (lo + hi) / 2.0;
	}
}
