/*
 * schemas.c — the registry of state kinds, so a serialized partial state
 * (tagged with its kind) finds its schema.  A new state kind is added here.
 */
#include "state.h"
#include "nps.h"
#include "survival.h"
#include "churn.h"
#include "revenue.h"
#include "schedule.h"
#include "cohort.h"
#include "funnel.h"
#include "pipeline.h"
#include "engagement.h"

static const abm_state_schema *const all_schemas[] = {
	&abm_nps_schema,
	&abm_csat_schema,
	&abm_survival_schema,
	&abm_churn_schema,
	&abm_customer_churn_schema,
	&abm_repeat_purchase_schema,
	&abm_revenue_schema,
	&abm_schedule_schema,
	&abm_cohort_schema,
	&abm_funnel_schema,
	&abm_stage_path_schema,
	&abm_time_in_stage_schema,
	&abm_proportion_schema,
	&abm_engagement_schema,
};

const abm_state_schema *
abm_state_schema_by_kind(int kind)
{
	size_t		i;

	for (i = 0; i < sizeof(all_schemas) / sizeof(all_schemas[0]); i++)
		if (all_schemas[i]->kind == kind)
			return all_schemas[i];
	return NULL;
}
