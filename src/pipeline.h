/*
 * pipeline.h — win rate and other proportions with honest intervals, and
 * the pipeline models of SPEC.md ("Funnel and pipeline").  Plain C.
 *
 *   win rate            won / (won + lost); open opportunities are not counted
 *   pipeline velocity   opportunities x win rate x average deal size / cycle days
 *   TAL size            sales reps x wins per rep / win rate / target-to-pipeline rate
 *
 * proportion_state counts successes out of trials (win rate: won out of
 * closed), so a rate travels with its sample size and gets a Wilson score
 * interval (stats.h).
 */
#ifndef ABM_PIPELINE_H
#define ABM_PIPELINE_H

#include "state.h"

enum
{
	PROPORTION_SUCCESSES = 0,
	PROPORTION_TRIALS = 1
};

extern const abm_state_schema abm_proportion_schema;

/* successes / trials; NaN without trials. */
double		abm_proportion_of(const abm_state *s);

/*
 * The target account list a sales team needs: reps x wins per rep / win
 * rate / target-to-pipeline rate.  The arguments, in this order: the
 * counts (sales_reps, wins_per_rep) are finite and >= 0, the rates
 * (win_rate, target_to_pipeline_rate) in (0, 1].
 */
enum
{
	TAL_SALES_REPS,
	TAL_WINS_PER_REP,
	TAL_WIN_RATE,
	TAL_TARGET_TO_PIPELINE_RATE,
	TAL_NARGS
};

extern const char *const abm_tal_size_arguments[TAL_NARGS];

/* The position of the first bad argument, or -1. */
int			abm_tal_size_bad_argument(const double args[TAL_NARGS]);
double		abm_tal_size(const double args[TAL_NARGS]);

/* Is a rate a usable probability for a model: finite, 0 <= rate <= 1? */
int			abm_rate_in_unit_interval(double rate);

#endif							/* ABM_PIPELINE_H */
