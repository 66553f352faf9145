/*
 * lifecycle_stage_pg.c — the lifecycle_stage type and its functions.
 * The label table is in lifecycle_stage.c.
 */
#include "abm_pg.h"

#include "utils/builtins.h"

#include "lifecycle_stage.h"

ABM_ENUM_TYPE(lifecycle_stage, abm_lifecycle_stage_enum);

PG_FUNCTION_INFO_V1(lifecycle_stage_phase);
Datum
lifecycle_stage_phase(PG_FUNCTION_ARGS)
{
	const abm_label *lab = abm_enum_label_of(&abm_lifecycle_stage_enum, PG_GETARG_DATUM(0));

	PG_RETURN_TEXT_P(cstring_to_text(lab->group));
}

PG_FUNCTION_INFO_V1(lifecycle_stage_is_customer);
Datum
lifecycle_stage_is_customer(PG_FUNCTION_ARGS)
{
	const abm_label *lab = abm_enum_label_of(&abm_lifecycle_stage_enum, PG_GETARG_DATUM(0));

	PG_RETURN_BOOL(abm_lifecycle_is_customer(lab->code));
}
