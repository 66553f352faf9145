/*
 * stats.h — small statistical helpers shared by the metrics.  Plain C.
 */
#ifndef ABM_STATS_H
#define ABM_STATS_H

/* Standard normal cumulative distribution function. */
double		abm_normal_cdf(double x);

/*
 * Standard normal quantile (inverse CDF) for 0 < p < 1, accurate to about
 * 1e-15 relative; NaN outside (0, 1).
 */
double		abm_normal_quantile(double p);

/* z for a two-sided confidence level c in (0, 1): the (1 + c) / 2 quantile. */
double		abm_confidence_z(double confidence);

/* Is c a usable two-sided confidence level, 0 < c < 1 (and not NaN)? */
int			abm_confidence_valid(double confidence);

#endif
