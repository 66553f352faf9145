/*
 * lifecycle_stage.h — stored codes of the lifecycle stages that code relies on.
 */
#ifndef ABM_LIFECYCLE_STAGE_H
#define ABM_LIFECYCLE_STAGE_H

#define ABM_STAGE_ONBOARDING 50
#define ABM_STAGE_ADVOCATE 90

/* Paying customer stages: onboarding .. advocate. */
int			abm_lifecycle_is_customer(int code);

#endif
