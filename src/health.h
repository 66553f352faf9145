/*
 * health.h — account health: a 0..100 score from named signals that says
 * which signal drags it, the health_band labels, and the advocate hand-out.
 * Plain C.
 *
 * Each signal is mapped to a level in [0, 1] (1 = healthiest) by its own
 * documented rule; the score is 100 x sum(w_i level_i) / sum(w_i) over the
 * signals that are present (a missing signal drops out and the remaining
 * weights renormalize).  A signal's points are its term of that sum, so the
 * points add up to the score by construction: the score IS their sum, taken
 * in signal order.  Every level rule is non-decreasing in "better", so the
 * score is monotone in every signal.
 */
#ifndef ABM_HEALTH_H
#define ABM_HEALTH_H

#include <stdbool.h>

#include "label_enum.h"

/* The signals, in the order of the SQL arguments; ties name the earlier. */
typedef enum abm_health_signal
{
	ABM_SIGNAL_USAGE,			/* share of licensed seats active, 0..1 */
	ABM_SIGNAL_NPS,				/* the account's NPS, -100..100 */
	ABM_SIGNAL_ENGAGEMENT,		/* engagement index, 0..100 */
	ABM_SIGNAL_RELATIONSHIP,	/* relationship score, 0..10 */
	ABM_SIGNAL_COMPETITOR_INTENT,	/* intent toward a competitor, 0..100, higher is worse */
	ABM_SIGNAL_SUPPORT_LOAD,	/* open tickets (or any load), >= 0, higher is worse */
	ABM_SIGNAL_DAYS_TO_RENEWAL, /* days left to the renewal date, >= 0 */
	ABM_HEALTH_NSIGNALS
} abm_health_signal;

typedef struct abm_health_signal_info
{
	const char *name;			/* SQL argument name */
	double		min;			/* accepted range, inclusive */
	double		max;			/* INFINITY when unbounded above */
	const char *range;			/* the range as messages print it */
	double		default_weight;
	bool		condition;		/* counts for the any-critical rule */
} abm_health_signal_info;

extern const abm_health_signal_info abm_health_signals[ABM_HEALTH_NSIGNALS];

/* A support load of this many halves the support signal's level. */
#define ABM_SUPPORT_LOAD_HALF 5.0
/* Days to renewal at which the renewal signal's level reaches 1. */
#define ABM_RENEWAL_HORIZON_DAYS 365.0

/* Is a value inside the signal's range (finite, not NaN)? */
bool		abm_health_signal_valid(abm_health_signal s, double value);

/* Is a weight usable: finite and >= 0? */
bool		abm_health_weight_valid(double weight);

/* The level in [0, 1] of a valid signal value. */
double		abm_health_level(abm_health_signal s, double value);

typedef struct abm_health_detail
{
	bool		defined;		/* false: no signal with a positive weight */
	double		score;			/* 0..100, the sum of points */
	double		points[ABM_HEALTH_NSIGNALS];	/* NaN where the signal is absent */
	double		level[ABM_HEALTH_NSIGNALS]; /* 0..1; NaN where absent */
	int			weakest;		/* signal losing the most points; -1 if none loses */
	double		weakest_drag;	/* the points it loses (its weight share x 100 - points) */
	double		lowest_condition_level;	/* lowest level of a weighted condition signal; NaN if none */
} abm_health_detail;

/*
 * Score valid signals.  present[i] says whether value[i] is given; values
 * and weights must have passed the validity checks above.
 */
void		abm_health_score(const bool present[ABM_HEALTH_NSIGNALS],
							 const double value[ABM_HEALTH_NSIGNALS],
							 const double weight[ABM_HEALTH_NSIGNALS],
							 abm_health_detail *out);

/* ---- health_band ---- */

#define ABM_HEALTH_BAND_CRITICAL 10
#define ABM_HEALTH_BAND_AT_RISK 20
#define ABM_HEALTH_BAND_HEALTHY 30

extern const abm_label_enum abm_health_band_enum;

#define ABM_HEALTH_AT_RISK_FROM 50.0
#define ABM_HEALTH_HEALTHY_FROM 75.0

/* Are thresholds usable: 0 <= at_risk_from <= healthy_from <= 100, finite? */
bool		abm_health_thresholds_valid(double at_risk_from, double healthy_from);

/* The band of a score in [0, 100]: critical below at_risk_from, ... */
int			abm_health_band_of(double score, double at_risk_from, double healthy_from);

/* ---- advocate hand-out ---- */

/*
 * The at-risk account at position i (0-based, in priority order) gets the
 * advocate at position i / cap (0-based, best first) while advocates last,
 * so every at-risk account takes the best advocate with room left and no
 * advocate takes more than cap.  -1: no advocate left.
 */
static inline long
abm_advocate_for(long at_risk_position, long cap, long advocates)
{
	long		a = at_risk_position / cap;

	return a < advocates ? a : -1;
}

#endif							/* ABM_HEALTH_H */
