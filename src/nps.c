/*
 * nps.c — NPS and CSAT states and the arithmetic read off them.
 */
#include "nps.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"

static const abm_state_field nps_fields[] = {
	{"detractors", ABM_MERGE_SUM, 1},
	{"passives", ABM_MERGE_SUM, 1},
	{"promoters", ABM_MERGE_SUM, 1},
};

/*
 * The answer count must itself be a valid count; a confidence carried by the
 * state (nps_margin(score, confidence)) must be strictly between 0 and 1.
 */
static abm_status
nps_check(const abm_state *s, abm_error *err)
{
	int64_t		n;

	if (s->has_param && !abm_confidence_valid(s->param))
		return abm_fail(err, ABM_ERR_RANGE, "confidence must be strictly between 0 and 1, found %g.", s->param);

	if (__builtin_add_overflow(s->scalar[NPS_DETRACTORS], s->scalar[NPS_PASSIVES], &n) ||
		__builtin_add_overflow(n, s->scalar[NPS_PROMOTERS], &n))
		return abm_fail(err, ABM_ERR_RANGE, "detractors + passives + promoters exceeds 9223372036854775807.");
	return ABM_OK;
}

const abm_state_schema abm_nps_schema = {
	.type_name = "nps_state",
	.kind = 1,
	.nscalars = 3,
	.scalars = nps_fields,
	.check = nps_check,
	.param_name = "confidence",
};

static abm_status
csat_check(const abm_state *s, abm_error *err)
{
	if (s->scalar[CSAT_SATISFIED] > s->scalar[CSAT_RESPONSES])
		return abm_fail(err, ABM_ERR_RANGE, "satisfied must not exceed responses.");
	return ABM_OK;
}

static const abm_state_field csat_fields[] = {
	{"satisfied", ABM_MERGE_SUM, 1},
	{"responses", ABM_MERGE_SUM, 1},
};

const abm_state_schema abm_csat_schema = {
	.type_name = "csat_state",
	.kind = 2,
	.nscalars = 2,
	.scalars = csat_fields,
	.check = csat_check,
};

static const abm_label nps_class_labels[] = {
	{NPS_CLASS_CODE_DETRACTOR, "detractor", NULL, NULL},
	{NPS_CLASS_CODE_PASSIVE, "passive", NULL, NULL},
	{NPS_CLASS_CODE_PROMOTER, "promoter", NULL, NULL},
};

const abm_label_enum abm_nps_class_enum = {
	"nps_class", 3, nps_class_labels
};

abm_nps_counts
abm_nps_counts_of(const abm_state *s)
{
	abm_nps_counts c;

	c.detractors = (double) s->scalar[NPS_DETRACTORS];
	c.passives = (double) s->scalar[NPS_PASSIVES];
	c.promoters = (double) s->scalar[NPS_PROMOTERS];
	return c;
}

double
abm_nps_n(const abm_nps_counts *c)
{
	return c->detractors + c->passives + c->promoters;
}

double
abm_nps_value(const abm_nps_counts *c)
{
	double		n = abm_nps_n(c);

	if (n == 0)
		return NAN;
	return 100.0 * (c->promoters - c->detractors) / n;
}

/* SE in points for shares p, d of n answers. */
static double
se_points(double p, double d, double n)
{
	double		var = p + d - (p - d) * (p - d);

	if (var < 0)				/* rounding when p + d = 1 and p or d = 0 */
		var = 0;
	return 100.0 * sqrt(var / n);
}

double
abm_nps_se(const abm_nps_counts *c)
{
	double		n = abm_nps_n(c);

	if (n < 2)
		return NAN;
	return se_points(c->promoters / n, c->detractors / n, n);
}

double
abm_nps_margin(const abm_nps_counts *c, double confidence)
{
	return abm_confidence_z(confidence) * abm_nps_se(c);
}

double
abm_nps_vote(const abm_nps_counts *c)
{
	double		n = abm_nps_n(c);

	return n > 0 ? (c->promoters - c->detractors) / n : NAN;
}

void
abm_vote_moments_add(abm_vote_moments *m, double x)
{
	m->n += 1.0;
	m->sum += x;
	if (m->n > 1.0)
	{
		double		d = x * m->n - m->sum;

		m->sq_dev += d * d / (m->n * (m->n - 1.0));
	}
}

void
abm_vote_moments_merge(abm_vote_moments *into, const abm_vote_moments *other)
{
	double		n;

	if (other->n == 0.0)
		return;
	if (into->n == 0.0)
	{
		*into = *other;
		return;
	}
	n = into->n + other->n;
	{
		double		d = into->sum * other->n - other->sum * into->n;

		into->sq_dev += other->sq_dev + d * d / (into->n * other->n * n);
	}
	into->n = n;
	into->sum += other->sum;
}

int
abm_vote_moments_valid(const abm_vote_moments *m)
{
	/* votes are in [-1, 1]: the sum is within n, the squared deviations within n */
	return isfinite(m->n) && isfinite(m->sum) && isfinite(m->sq_dev) &&
		m->n >= 0.0 && m->n == floor(m->n) && m->n <= 9007199254740992.0 &&
		fabs(m->sum) <= m->n * (1.0 + 1e-9) && m->sq_dev >= 0.0 &&
		m->sq_dev <= m->n * (1.0 + 1e-9);
}

double
abm_account_nps(const abm_vote_moments *m)
{
	return m->n > 0.0 ? 100.0 * m->sum / m->n : NAN;
}

double
abm_account_nps_margin(const abm_vote_moments *m, double confidence)
{
	if (m->n < 2.0 || !abm_confidence_valid(confidence))
		return NAN;
	return abm_confidence_z(confidence) * 100.0 * sqrt(m->sq_dev / m->n / m->n);
}

int
abm_nps_method_parse(const char *name)
{
	if (strcmp(name, "wald") == 0)
		return ABM_NPS_WALD;
	if (strcmp(name, "adjusted_wald") == 0 || strcmp(name, "adjusted-wald") == 0 ||
		strcmp(name, "adjusted") == 0)
		return ABM_NPS_ADJUSTED_WALD;
	return -1;
}

static double
clamp100(double x)
{
	return x < -100 ? -100 : (x > 100 ? 100 : x);
}

int
abm_nps_interval(const abm_nps_counts *c, double confidence,
				 abm_nps_method method, double *lower, double *upper)
{
	double		n = abm_nps_n(c);
	double		z = abm_confidence_z(confidence);
	double		center,
				se;

	*lower = *upper = NAN;
	if (isnan(z))
		return 0;
	if (method == ABM_NPS_WALD)
	{
		if (n < 2)
			return 0;
		center = abm_nps_value(c);
		se = abm_nps_se(c);
	}
	else
	{
		double		na = n + 3,
					p = (c->promoters + 0.75) / na,
					d = (c->detractors + 0.75) / na;

		if (n < 1)
			return 0;
		center = 100.0 * (p - d);
		se = se_points(p, d, na);
	}
	*lower = clamp100(center - z * se);
	*upper = clamp100(center + z * se);
	return 1;
}

double
abm_nps_diff_margin(const abm_nps_counts *a, const abm_nps_counts *b, double confidence)
{
	double		sa = abm_nps_se(a),
				sb = abm_nps_se(b);

	return abm_confidence_z(confidence) * sqrt(sa * sa + sb * sb);
}

double
abm_csat_value(const abm_state *s)
{
	if (s->scalar[CSAT_RESPONSES] == 0)
		return NAN;
	return (double) s->scalar[CSAT_SATISFIED] / (double) s->scalar[CSAT_RESPONSES];
}
