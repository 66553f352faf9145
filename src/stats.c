/*
 * stats.c — normal distribution helpers.
 *
 * The quantile starts from a rational approximation (P. J. Acklam's, good to
 * about 1e-9) and is polished with two Halley steps against the CDF computed
 * from erfc, which brings it to full double precision.
 */
#include "stats.h"

#include <math.h>

#define SQRT2 1.41421356237309504880
#define SQRT_2PI 2.50662827463100050242

double
abm_normal_cdf(double x)
{
	return 0.5 * erfc(-x / SQRT2);
}

static double
initial_quantile(double p)
{
	static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02,
	-3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01,
	-1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00,
	4.374664141464968e+00, 2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
	2.445134137142996e+00, 3.754408661907416e+00};
	const double p_low = 0.02425;
	double		q,
				r;

	if (p < p_low)
	{
		q = sqrt(-2 * log(p));
		return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	if (p > 1 - p_low)
	{
		q = sqrt(-2 * log1p(-p));
		return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	q = p - 0.5;
	r = q * q;
	return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		(((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

double
abm_normal_quantile(double p)
{
	double		x;
	int			i;

	if (!(p > 0 && p < 1))
		return NAN;
	x = initial_quantile(p);
	for (i = 0; i < 2; i++)
	{
		/* Halley's method on F(x) - p, F' = pdf, F'' = -x pdf */
		double		e = (p < 0.5) ? abm_normal_cdf(x) - p
			: (p - 1) + 0.5 * erfc(x / SQRT2);	/* 1-p side, no cancellation */
		double		u;

		if (p >= 0.5)
			e = -e;
		u = e * SQRT_2PI * exp(x * x / 2);
		x = x - u / (1 + x * u / 2);
	}
	return x;
}

int
abm_confidence_valid(double confidence)
{
	return confidence > 0 && confidence < 1;
}

double
abm_confidence_z(double confidence)
{
	if (!abm_confidence_valid(confidence))
		return NAN;
	/* (1 + c) / 2 loses c's low bits near 1; the upper tail 1 - (1 - c) / 2 does not */
	return -abm_normal_quantile((1 - confidence) / 2);
}

int
abm_wilson_interval(double successes, double n, double confidence, double *lower, double *upper)
{
	double		z,
				z2,
				p,
				denom,
				center,
				half;

	*lower = *upper = NAN;
	if (!(n > 0) || !abm_confidence_valid(confidence))
		return 0;
	z = abm_confidence_z(confidence);
	z2 = z * z;
	p = successes / n;
	denom = 1.0 + z2 / n;
	center = (p + z2 / (2.0 * n)) / denom;
	half = z / denom * sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
	*lower = center - half < 0.0 ? 0.0 : center - half;
	*upper = center + half > 1.0 ? 1.0 : center + half;
	/* at 0 or n successes the bound is exactly 0 or 1, not a rounding off it */
	if (successes == 0)
		*lower = 0.0;
	if (successes == n)
		*upper = 1.0;
	return 1;
}
