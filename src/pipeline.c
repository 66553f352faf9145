/*
 * pipeline.c — proportion_state and the pipeline models (see pipeline.h).
 */
#include "pipeline.h"

#include <math.h>

static const abm_state_field proportion_fields[] = {
	{"successes", ABM_MERGE_SUM, 1},
	{"trials", ABM_MERGE_SUM, 1},
};

/* Successes are among the trials. */
static abm_status
proportion_check(const abm_state *s, abm_error *err)
{
	if (s->scalar[PROPORTION_SUCCESSES] > s->scalar[PROPORTION_TRIALS])
		return abm_fail(err, ABM_ERR_RANGE, "successes must not exceed trials.");
	return ABM_OK;
}

const abm_state_schema abm_proportion_schema = {
	.type_name = "proportion_state",
	.kind = 13,
	.nscalars = 2,
	.scalars = proportion_fields,
	.check = proportion_check,
};

double
abm_proportion_of(const abm_state *s)
{
	if (s->scalar[PROPORTION_TRIALS] == 0)
		return NAN;
	return (double) s->scalar[PROPORTION_SUCCESSES] / (double) s->scalar[PROPORTION_TRIALS];
}

int
abm_rate_in_unit_interval(double rate)
{
	return isfinite(rate) && rate >= 0.0 && rate <= 1.0;
}

const char *const abm_tal_size_arguments[TAL_NARGS] = {
	"sales_reps", "wins_per_rep", "win_rate", "target_to_pipeline_rate"
};

int
abm_tal_size_bad_argument(const double args[TAL_NARGS])
{
	for (int i = 0; i < TAL_NARGS; i++)
	{
		int			rate = i >= TAL_WIN_RATE;
		double		v = args[i];

		if (!(isfinite(v) && v >= 0.0 && (!rate || (v > 0.0 && v <= 1.0))))
			return i;
	}
	return -1;
}

double
abm_tal_size(const double args[TAL_NARGS])
{
	return args[TAL_SALES_REPS] * args[TAL_WINS_PER_REP] / args[TAL_WIN_RATE] /
		args[TAL_TARGET_TO_PIPELINE_RATE];
}
