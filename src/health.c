/*
 * health.c — account health scoring and the health_band labels
 * (see health.h).
 */
#include "health.h"

#include <math.h>

#define ALIASES(...) ((const char *const[]) {__VA_ARGS__, NULL})

/*
 * The default weights add up to 1, so with every signal present a signal's
 * points are at most 100 x its default weight.  Days to renewal is timing,
 * not a condition of the account, so the any-critical rule leaves it out.
 */
const abm_health_signal_info abm_health_signals[ABM_HEALTH_NSIGNALS] = {
	[ABM_SIGNAL_USAGE] = {"usage", 0.0, 1.0, "0..1", 0.25, true},
	[ABM_SIGNAL_NPS] = {"nps", -100.0, 100.0, "-100..100", 0.20, true},
	[ABM_SIGNAL_ENGAGEMENT] = {"engagement", 0.0, 100.0, "0..100", 0.15, true},
	[ABM_SIGNAL_RELATIONSHIP] = {"relationship", 0.0, 10.0, "0..10", 0.15, true},
	[ABM_SIGNAL_COMPETITOR_INTENT] = {"competitor_intent", 0.0, 100.0, "0..100", 0.10, true},
	[ABM_SIGNAL_SUPPORT_LOAD] = {"support_load", 0.0, INFINITY, "0 or more (finite)", 0.10, true},
	[ABM_SIGNAL_DAYS_TO_RENEWAL] = {"days_to_renewal", 0.0, INFINITY, "0 or more (finite)", 0.05, false},
};

bool
abm_health_signal_valid(abm_health_signal s, double value)
{
	const abm_health_signal_info *info = &abm_health_signals[s];

	return isfinite(value) && value >= info->min && value <= info->max;
}

bool
abm_health_weight_valid(double weight)
{
	return isfinite(weight) && weight >= 0.0;
}

double
abm_health_level(abm_health_signal s, double v)
{
	switch (s)
	{
		case ABM_SIGNAL_USAGE:
			return v;
		case ABM_SIGNAL_NPS:
			return (v + 100.0) / 200.0;
		case ABM_SIGNAL_ENGAGEMENT:
			return v / 100.0;
		case ABM_SIGNAL_RELATIONSHIP:
			return v / 10.0;
		case ABM_SIGNAL_COMPETITOR_INTENT:
			return 1.0 - v / 100.0;
		case ABM_SIGNAL_SUPPORT_LOAD:
			/* 1 with no load, 1/2 at the half load, toward 0 as load grows */
			return ABM_SUPPORT_LOAD_HALF / (ABM_SUPPORT_LOAD_HALF + v);
		case ABM_SIGNAL_DAYS_TO_RENEWAL:
			return v >= ABM_RENEWAL_HORIZON_DAYS ? 1.0 : v / ABM_RENEWAL_HORIZON_DAYS;
		case ABM_HEALTH_NSIGNALS:
			break;
	}
	return NAN;
}

void
abm_health_score(const bool present[ABM_HEALTH_NSIGNALS],
				 const double value[ABM_HEALTH_NSIGNALS],
				 const double weight[ABM_HEALTH_NSIGNALS],
				 abm_health_detail *out)
{
	double		total_weight = 0.0;
	double		score = 0.0;

	out->weakest = -1;
	out->weakest_drag = 0.0;
	out->lowest_condition_level = NAN;
	for (int i = 0; i < ABM_HEALTH_NSIGNALS; i++)
	{
		out->points[i] = NAN;
		out->level[i] = NAN;
		if (present[i])
			total_weight += weight[i];
	}
	out->defined = total_weight > 0.0;
	out->score = NAN;
	if (!out->defined)
		return;

	for (int i = 0; i < ABM_HEALTH_NSIGNALS; i++)
	{
		double		share,
					level,
					drag;

		if (!present[i])
			continue;
		share = 100.0 * weight[i] / total_weight;
		level = abm_health_level((abm_health_signal) i, value[i]);
		out->level[i] = level;
		out->points[i] = share * level;
		score += out->points[i];

		/* the strict comparison names the earlier signal on a tie */
		drag = share - out->points[i];
		if (drag > out->weakest_drag)
		{
			out->weakest = i;
			out->weakest_drag = drag;
		}
		if (abm_health_signals[i].condition && weight[i] > 0.0 &&
			!(level >= out->lowest_condition_level))	/* NaN: first one */
			out->lowest_condition_level = level;
	}
	/* rounding can carry a sum of at most 100 a last bit past it */
	out->score = score > 100.0 ? 100.0 : score;
}

/* ---- health_band ---- */

static const abm_label health_band_labels[] = {
	{ABM_HEALTH_BAND_CRITICAL, "critical", NULL, ALIASES("red", "poor")},
	{ABM_HEALTH_BAND_AT_RISK, "at_risk", NULL, ALIASES("yellow", "amber", "warning", "neutral")},
	{ABM_HEALTH_BAND_HEALTHY, "healthy", NULL, ALIASES("green", "good")},
};

const abm_label_enum abm_health_band_enum = {
	"health_band",
	(int) (sizeof(health_band_labels) / sizeof(health_band_labels[0])),
	health_band_labels,
};

bool
abm_health_thresholds_valid(double at_risk_from, double healthy_from)
{
	return isfinite(at_risk_from) && isfinite(healthy_from) &&
		at_risk_from >= 0.0 && at_risk_from <= healthy_from && healthy_from <= 100.0;
}

int
abm_health_band_of(double score, double at_risk_from, double healthy_from)
{
	if (score >= healthy_from)
		return ABM_HEALTH_BAND_HEALTHY;
	if (score >= at_risk_from)
		return ABM_HEALTH_BAND_AT_RISK;
	return ABM_HEALTH_BAND_CRITICAL;
}
