/*
 * survival.h — Kaplan-Meier arithmetic, as R's survival::survfit does it.
 * Plain C.
 *
 * The input is the distinct times of one curve, ascending, each with how
 * many subjects churned (events) and how many were still active (censored)
 * at it; every subject is counted once, at its time.  At time t_i:
 *   at_risk  n_i = subjects with time >= t_i
 *   S(t_i)   = prod over j <= i of (n_j - d_j) / n_j
 *   std_err  = sqrt(sum over j <= i of d_j / (n_j (n_j - d_j)))   (Greenwood,
 *              of log S, i.e. of the cumulative hazard; Inf once S = 0)
 */
#ifndef ABM_SURVIVAL_H
#define ABM_SURVIVAL_H

#include <stddef.h>
#include <stdint.h>

#include "state.h"

/*
 * survival_state: rows (time, events, censored), keyed by time, a finite
 * non-negative double (a float key); no scalars.  Rows merge by time, and
 * a time with no subjects is not a row.
 */
enum
{
	SURVIVAL_TIME = 0,
	SURVIVAL_EVENTS = 1,
	SURVIVAL_CENSORED = 2,
	SURVIVAL_NCOLS = 3
};

extern const abm_state_schema abm_survival_schema;

/* The scale of the confidence band, as survfit's conf.type. */
typedef enum abm_km_conf_type
{
	ABM_KM_LOG,					/* S exp(+-z se), upper capped at 1 (survfit's default) */
	ABM_KM_LOG_LOG,				/* exp(-exp(log(-log S) -+ z se / log S)) */
	ABM_KM_PLAIN				/* S (1 +- z se), clamped to [0, 1] */
} abm_km_conf_type;

/* Parses "log", "log-log" (also "loglog"), "plain"; -1 if unknown. */
int			abm_km_conf_type_parse(const char *name);

typedef struct abm_km_row
{
	double		time;
	int64_t		at_risk;
	int64_t		events;
	int64_t		censored;
	double		survival;		/* S just after time */
	double		std_err;		/* of log S by Greenwood, as survfit's std.err; Inf where S = 0 */
	double		lower;			/* the band of the curve's confidence and conf_type, as */
	double		upper;			/* survfit's lower and upper; NaN where R gives NA or NaN */
} abm_km_row;

/*
 * The curve: out[i] for time[i], censor-only times included, so out must
 * hold n rows.  The band is NaN where survfit gives NA or NaN: wherever
 * S = 0; for log-log also where S = 1; and everywhere if confidence is not
 * in (0, 1).
 *
 * Returns 0, or -1 (out undefined) if the input is not a curve: a time not
 * finite or not above the one before it, a negative count, or more than
 * INT64_MAX subjects in all.  n = 0 is an empty curve and returns 0.
 */
int			abm_km_curve(const double *time, const int64_t *events,
						 const int64_t *censored, size_t n, double confidence,
						 abm_km_conf_type conf_type, abm_km_row *out);

/*
 * Median lifetime and its confidence limits, as summary(fit)$table's
 * median, LCL and UCL.  R's rule, applied to S for the median and to the
 * lower and upper band for the limits: take the first row whose value
 * (NaN skipped) is below 0.5 + sqrt(DBL_EPSILON).  If that value is 0.5
 * within that tolerance and a later one is lower, the answer is the
 * midpoint of the two rows' times; otherwise it is the row's time — also
 * when the curve stays at 0.5 to its end.  NaN where no row qualifies (R's
 * NA), and all three NaN for an empty curve.
 */
void		abm_km_median(const abm_km_row *curve, size_t n, double *median,
						  double *lower, double *upper);

/*
 * S(t): 1 before the first time, then a right-continuous step function
 * (the last row's S after the last time).  NaN for an empty curve or t NaN.
 */
double		abm_km_survival_at(const abm_km_row *curve, size_t n, double t);

/*
 * Restricted mean lifetime up to horizon, with its standard error in *se
 * (se may be NULL), as print(fit, rmean = horizon) gives rmean and
 * se(rmean): the area under S from R's start, min(0, first time), to
 * horizon, plus that start.  A horizon before the first time gives the
 * horizon itself with se 0 (R's print refuses it; its survmean gives
 * that).  NaN for an empty curve, a horizon that is not finite or one
 * before the start.
 */
double		abm_km_rmean(const abm_km_row *curve, size_t n, double horizon,
						 double *se);

#endif
