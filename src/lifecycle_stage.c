/*
 * lifecycle_stage.c — the label table of the lifecycle_stage type.
 *
 * Order and aliases as fixed in SPEC.md.  Codes step by 10 so that a later
 * version may insert a stage between two existing ones without changing a
 * stored byte.  Aliases are written in the normalized form abm_enum_parse
 * compares against: lower case, '_' for blanks and '-'.
 */
#include "label_enum.h"
#include "lifecycle_stage.h"

#define ALIASES(...) ((const char *const[]) {__VA_ARGS__, NULL})

static const abm_label lifecycle_stage_labels[] = {
	{10, "target", "acquisition", ALIASES("identify", "identified", "tal", "目标", "识别")},
	{20, "aware", "acquisition", ALIASES("discover", "discovery", "attract", "发现", "吸引")},
	{30, "engaged", "acquisition", ALIASES("explore", "exploration", "engage", "engagement", "探索", "参与", "互动")},
	{40, "opportunity", "acquisition", ALIASES("convert", "conversion", "转化", "商机")},
	{50, "onboarding", "retention", ALIASES("purchase", "close", "closed_won", "won", "activation", "购买", "成交", "激活")},
	{60, "active", "retention", ALIASES("adoption", "retained", "活跃", "留存")},
	{70, "renewing", "retention", ALIASES("renewal", "续约", "续签")},
	{80, "expanding", "expansion", ALIASES("expansion", "upsell", "cross_sell", "扩展", "拓展", "增购")},
	{90, "advocate", "expansion", ALIASES("referral", "advocacy", "推荐", "拥护")},
	{100, "churned", "lost", ALIASES("lost", "churn", "流失")},
};

const abm_label_enum abm_lifecycle_stage_enum = {
	"lifecycle_stage",
	(int) (sizeof(lifecycle_stage_labels) / sizeof(lifecycle_stage_labels[0])),
	lifecycle_stage_labels,
};

int
abm_lifecycle_is_customer(int code)
{
	return code >= ABM_STAGE_ONBOARDING && code <= ABM_STAGE_ADVOCATE;
}
