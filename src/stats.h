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

/*
 * Wilson score interval of a proportion: successes out of n trials at a
 * two-sided confidence level.  Returns 0 and sets both to NaN when n = 0 or
 * the confidence is not usable; the interval is inside [0, 1] and, unlike
 * p +- z SE, neither collapses at 0 or n successes nor leaves [0, 1].
 */
int			abm_wilson_interval(double successes, double n, double confidence,
								double *lower, double *upper);

#endif
