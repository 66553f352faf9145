/*
 * unit_tests.c — tests of abm's pure C core, no server needed.
 *   make unitcheck            (gcc)
 *   make unitcheck-sanitized  (clang, ASan + UBSan)
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "churn.h"
#include "label_enum.h"
#include "lifecycle_stage.h"
#include "nps.h"
#include "state.h"
#include "stats.h"
#include "survival.h"
#include "survival_expected.h"
#include "unit.h"

static int
parse(const abm_label_enum *e, const char *s)
{
	return abm_enum_parse(e, s, strlen(s));
}

static const char *
name_of(const abm_label_enum *e, int code)
{
	const abm_label *l = abm_enum_lookup(e, code);

	return l ? l->name : "(none)";
}

/* ---- small enumerations ---- */

static void
test_enum_tables_consistent(void)
{
	CHECK(abm_enum_check_table(&abm_lifecycle_stage_enum) == 0);
	CHECK(abm_enum_check_table(&abm_nps_class_enum) == 0);
}

static void
test_lifecycle_order(void)
{
	static const char *const order[] = {"target", "aware", "engaged", "opportunity",
		"onboarding", "active", "renewing", "expanding", "advocate", "churned"};
	int			i,
				prev = 0;

	CHECK(abm_lifecycle_stage_enum.nlabels == 10);
	for (i = 0; i < 10; i++)
	{
		int			code = parse(&abm_lifecycle_stage_enum, order[i]);

		CHECK(code > prev);
		CHECK(code > 0 && code < 256);
		CHECK_STR(name_of(&abm_lifecycle_stage_enum, code), order[i]);
		CHECK(abm_enum_index(&abm_lifecycle_stage_enum, code) == i);
		prev = code;
	}
}

/* Every alias of SPEC.md's table, and the label it must mean. */
static void
test_lifecycle_spec_aliases(void)
{
	static const char *const cases[][2] = {
		{"identify", "target"}, {"identified", "target"}, {"tal", "target"}, {"目标", "target"}, {"识别", "target"},
		{"discover", "aware"}, {"discovery", "aware"}, {"attract", "aware"}, {"发现", "aware"}, {"吸引", "aware"},
		{"explore", "engaged"}, {"exploration", "engaged"}, {"engage", "engaged"}, {"engagement", "engaged"},
		{"探索", "engaged"}, {"参与", "engaged"}, {"互动", "engaged"},
		{"convert", "opportunity"}, {"conversion", "opportunity"}, {"转化", "opportunity"}, {"商机", "opportunity"},
		{"purchase", "onboarding"}, {"close", "onboarding"}, {"closed_won", "onboarding"}, {"won", "onboarding"},
		{"activation", "onboarding"}, {"购买", "onboarding"}, {"成交", "onboarding"}, {"激活", "onboarding"},
		{"adoption", "active"}, {"retained", "active"}, {"活跃", "active"}, {"留存", "active"},
		{"renewal", "renewing"}, {"续约", "renewing"}, {"续签", "renewing"},
		{"expansion", "expanding"}, {"upsell", "expanding"}, {"cross_sell", "expanding"},
		{"扩展", "expanding"}, {"拓展", "expanding"}, {"增购", "expanding"},
		{"referral", "advocate"}, {"advocacy", "advocate"}, {"推荐", "advocate"}, {"拥护", "advocate"},
		{"lost", "churned"}, {"churn", "churned"}, {"流失", "churned"},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(name_of(&abm_lifecycle_stage_enum, parse(&abm_lifecycle_stage_enum, cases[i][0])), cases[i][1]);
}

static void
test_enum_normalization(void)
{
	const abm_label_enum *e = &abm_lifecycle_stage_enum;

	CHECK_STR(name_of(e, parse(e, "Renewal")), "renewing");
	CHECK_STR(name_of(e, parse(e, "  TARGET\t")), "target");
	CHECK_STR(name_of(e, parse(e, "\xe3\x80\x80流失\xe3\x80\x80")), "churned");	/* ideographic spaces */
	CHECK_STR(name_of(e, parse(e, "Closed Won")), "onboarding");
	CHECK_STR(name_of(e, parse(e, "closed-won")), "onboarding");
	CHECK_STR(name_of(e, parse(e, "Cross-Sell")), "expanding");
	CHECK(parse(e, "") == -1);
	CHECK(parse(e, "   ") == -1);
	CHECK(parse(e, "targ") == -1);
	CHECK(parse(e, "targets") == -1);
	CHECK(parse(e, "tar get") == -1);
	CHECK(parse(e, "発現") == -1);
	CHECK(abm_enum_parse(e, "target\0x", 8) == -1);	/* embedded NUL */
	CHECK(abm_enum_parse(e, "targetx", 6) == parse(e, "target"));	/* length bounds the input */
	{
		char		longer[200];

		memset(longer, 'a', sizeof(longer) - 1);
		longer[sizeof(longer) - 1] = '\0';
		CHECK(parse(e, longer) == -1);
	}
}

static void
test_enum_list_and_lookup(void)
{
	char		buf[256],
				tiny[8];
	size_t		need = abm_enum_list(&abm_nps_class_enum, buf, sizeof(buf));

	CHECK_STR(buf, "detractor, passive, promoter");
	CHECK(need == strlen("detractor, passive, promoter"));
	CHECK(abm_enum_list(&abm_nps_class_enum, tiny, sizeof(tiny)) == need);
	CHECK(strlen(tiny) < sizeof(tiny));
	CHECK(abm_enum_lookup(&abm_lifecycle_stage_enum, 0) == NULL);
	CHECK(abm_enum_lookup(&abm_lifecycle_stage_enum, 11) == NULL);
	CHECK(abm_enum_lookup(&abm_lifecycle_stage_enum, 255) == NULL);
}

static void
test_lifecycle_phase_and_customer(void)
{
	const abm_label_enum *e = &abm_lifecycle_stage_enum;
	static const char *const customer[] = {"onboarding", "active", "renewing", "expanding", "advocate"};
	static const char *const not_customer[] = {"target", "aware", "engaged", "opportunity", "churned"};
	size_t		i;

	for (i = 0; i < 5; i++)
	{
		CHECK(abm_lifecycle_is_customer(parse(e, customer[i])));
		CHECK(!abm_lifecycle_is_customer(parse(e, not_customer[i])));
	}
	CHECK_STR(abm_enum_lookup(e, parse(e, "engaged"))->group, "acquisition");
	CHECK_STR(abm_enum_lookup(e, parse(e, "renewing"))->group, "retention");
	CHECK_STR(abm_enum_lookup(e, parse(e, "advocate"))->group, "expansion");
	CHECK_STR(abm_enum_lookup(e, parse(e, "churned"))->group, "lost");
}

/* ---- states ---- */

static void
nps_state_of(abm_state *s, int64_t d, int64_t pa, int64_t p)
{
	abm_state_init(s, &abm_nps_schema);
	s->scalar[NPS_DETRACTORS] = d;
	s->scalar[NPS_PASSIVES] = pa;
	s->scalar[NPS_PROMOTERS] = p;
}

static abm_status
nps_from_text(const char *text, abm_state *s, abm_error *err)
{
	return abm_state_from_text(&abm_nps_schema, text, strlen(text), s, NULL, 0, err);
}

/*
 * The pinned text, binary and native forms of nps_state: stored states and
 * states in transit depend on them.  Version 2 is written; version 1 (abm
 * 1.1's text, binary form and stored datum) is read.
 */
static void
test_nps_state_golden(void)
{
	static const uint8_t golden_v1[] = {
		0x01,
		0, 0, 0, 0, 0, 0, 0, 3,
		0, 0, 0, 0, 0, 0, 0, 5,
		0, 0, 0, 0, 0, 0, 0, 12,
	};
	static const uint8_t golden_v2[] = {
		0x02, 0x00,
		0, 0, 0, 0, 0, 0, 0, 3,
		0, 0, 0, 0, 0, 0, 0, 5,
		0, 0, 0, 0, 0, 0, 0, 12,
	};
	/* with confidence 0.9 (IEEE 754 0x3feccccccccccccd) */
	static const uint8_t golden_v2_param[] = {
		0x02, 0x01,
		0x3f, 0xec, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcd,
		0, 0, 0, 0, 0, 0, 0, 3,
		0, 0, 0, 0, 0, 0, 0, 5,
		0, 0, 0, 0, 0, 0, 0, 12,
	};
	/* the native payload on a little-endian machine */
	static const uint8_t golden_native_le[] = {
		0x02, 0x01, 0x00, 0x00,
		3, 0, 0, 0, 0, 0, 0, 0,
		5, 0, 0, 0, 0, 0, 0, 0,
		12, 0, 0, 0, 0, 0, 0, 0,
	};
	const uint16_t probe = 1;
	abm_state	s,
				back;
	uint8_t		bin[64];
	char		text[128];
	abm_error	err;

	nps_state_of(&s, 3, 5, 12);
	CHECK(abm_state_binary_size(&s) == sizeof(golden_v2));
	abm_state_to_binary(&s, bin);
	CHECK(memcmp(bin, golden_v2, sizeof(golden_v2)) == 0);
	CHECK(abm_state_to_text(&s, text, sizeof(text)) == strlen("v2 detractors=3 passives=5 promoters=12"));
	CHECK_STR(text, "v2 detractors=3 passives=5 promoters=12");

	CHECK(abm_state_native_size(&s) == sizeof(golden_native_le));
	CHECK(abm_state_native_scalar_size(&abm_nps_schema, 0) == sizeof(golden_native_le));
	CHECK(abm_state_native_scalar_size(&abm_nps_schema, 1) == sizeof(golden_native_le) + 8);
	abm_state_to_native(&s, bin);
	if (*(const uint8_t *) &probe == 1)
		CHECK(memcmp(bin, golden_native_le, sizeof(golden_native_le)) == 0);
	CHECK(abm_state_from_payload(&abm_nps_schema, bin, sizeof(golden_native_le), &back, NULL, 0, &err) == ABM_OK);
	CHECK(back.scalar[0] == 3 && back.scalar[1] == 5 && back.scalar[2] == 12 && !back.has_param);

	/* every version-1 and version-2 form reads back */
	CHECK(abm_state_from_binary(&abm_nps_schema, golden_v1, sizeof(golden_v1), &back, NULL, 0, &err) == ABM_OK);
	CHECK(back.scalar[0] == 3 && back.scalar[1] == 5 && back.scalar[2] == 12 && !back.has_param);
	CHECK(abm_state_from_payload(&abm_nps_schema, golden_v1, sizeof(golden_v1), &back, NULL, 0, &err) == ABM_OK);
	CHECK(back.scalar[0] == 3 && back.scalar[1] == 5 && back.scalar[2] == 12);
	CHECK(abm_state_from_binary(&abm_nps_schema, golden_v2, sizeof(golden_v2), &back, NULL, 0, &err) == ABM_OK);
	CHECK(back.scalar[0] == 3 && back.scalar[1] == 5 && back.scalar[2] == 12);
	CHECK(nps_from_text("  v1 detractors=3 passives=5 promoters=12\n", &back, &err) == ABM_OK);
	CHECK(back.scalar[0] == 3 && back.scalar[1] == 5 && back.scalar[2] == 12);
	CHECK(nps_from_text("v2 detractors=3 passives=5 promoters=12", &back, &err) == ABM_OK);
	CHECK(back.scalar[0] == 3 && back.scalar[1] == 5 && back.scalar[2] == 12);

	/* the parameter: text, binary and native forms */
	s.has_param = 1;
	s.param = 0.9;
	abm_state_to_text(&s, text, sizeof(text));
	CHECK_STR(text, "v2 detractors=3 passives=5 promoters=12 confidence=0.9");
	CHECK(abm_state_binary_size(&s) == sizeof(golden_v2_param));
	abm_state_to_binary(&s, bin);
	CHECK(memcmp(bin, golden_v2_param, sizeof(golden_v2_param)) == 0);
	CHECK(abm_state_from_binary(&abm_nps_schema, golden_v2_param, sizeof(golden_v2_param), &back, NULL, 0, &err) == ABM_OK);
	CHECK(back.has_param && back.param == 0.9 && back.scalar[2] == 12);
	CHECK(nps_from_text(text, &back, &err) == ABM_OK);
	CHECK(back.has_param && back.param == 0.9 && back.scalar[0] == 3);
	CHECK(abm_state_native_size(&s) == sizeof(golden_native_le) + 8);
	abm_state_to_native(&s, bin);
	CHECK(bin[2] == ABM_STATE_FLAG_PARAM);
	CHECK(abm_state_from_payload(&abm_nps_schema, bin, sizeof(golden_native_le) + 8, &back, NULL, 0, &err) == ABM_OK);
	CHECK(back.has_param && back.param == 0.9 && back.scalar[1] == 5);
	/* a parameter that is not the shortest decimal still reads back exactly */
	s.param = 0.1 + 0.2;
	abm_state_to_text(&s, text, sizeof(text));
	CHECK(nps_from_text(text, &back, &err) == ABM_OK);
	CHECK(back.param == 0.1 + 0.2);
}

/* rollup()'s fast path over native payloads agrees with decode + merge. */
static void
test_merge_plain_native(void)
{
	uint8_t		bin[64];
	int64_t		into[3] = {10, 20, 30};
	abm_state	s,
				c;
	abm_error	err;
	size_t		n;

	nps_state_of(&s, 1, 2, 3);
	n = abm_state_native_size(&s);
	abm_state_to_native(&s, bin);
	CHECK(abm_state_merge_plain_native(&abm_nps_schema, into, bin, n, &err) == 1);
	CHECK(into[0] == 11 && into[1] == 22 && into[2] == 33);
	/* not plain: a parameter, another kind, a wrong length: decoded in full instead */
	CHECK(abm_state_merge_plain_native(&abm_nps_schema, into, bin, n - 1, &err) == 0);
	bin[1] = abm_csat_schema.kind;
	CHECK(abm_state_merge_plain_native(&abm_nps_schema, into, bin, n, &err) == 0);
	s.has_param = 1;
	s.param = 0.9;
	abm_state_to_native(&s, bin);
	CHECK(abm_state_merge_plain_native(&abm_nps_schema, into, bin, n + 8, &err) == 0);
	/* invalid or overflowing: an error, and `into` unchanged */
	nps_state_of(&s, -1, 2, 3);
	abm_state_to_native(&s, bin);
	CHECK(abm_state_merge_plain_native(&abm_nps_schema, into, bin, n, &err) == -1 && err.status == ABM_ERR_RANGE);
	nps_state_of(&s, INT64_MAX - 5, 0, 0);
	abm_state_to_native(&s, bin);
	CHECK(abm_state_merge_plain_native(&abm_nps_schema, into, bin, n, &err) == -1 && err.status == ABM_ERR_RANGE);
	nps_state_of(&s, INT64_MAX - 60, 0, 0);	/* fits alone, the total does not */
	abm_state_to_native(&s, bin);
	CHECK(abm_state_merge_plain_native(&abm_nps_schema, into, bin, n, &err) == -1 && err.status == ABM_ERR_RANGE);
	CHECK(into[0] == 11 && into[1] == 22 && into[2] == 33);
	/* csat: an invalid state (satisfied > responses) is refused even when the sum would be valid */
	{
		int64_t		csat_into[2] = {0, 5};

		abm_state_init(&c, &abm_csat_schema);
		c.scalar[CSAT_SATISFIED] = 3;
		c.scalar[CSAT_RESPONSES] = 2;
		abm_state_to_native(&c, bin);
		CHECK(abm_state_merge_plain_native(&abm_csat_schema, csat_into, bin, abm_state_native_size(&c), &err) == -1);
		CHECK(csat_into[0] == 0 && csat_into[1] == 5);
	}
}

/* The native form rejects what the transition functions would misread. */
static void
test_nps_state_native_rejects(void)
{
	uint8_t		bin[64],
				bad[64];
	abm_state	s;
	abm_error	err;
	size_t		n;

	nps_state_of(&s, 1, 2, 3);
	n = abm_state_native_size(&s);
	abm_state_to_native(&s, bin);
	CHECK(abm_state_from_payload(&abm_nps_schema, bin, 0, &s, NULL, 0, &err) == ABM_ERR_SYNTAX);
	CHECK(abm_state_from_payload(&abm_nps_schema, bin, 3, &s, NULL, 0, &err) == ABM_ERR_SYNTAX);
	CHECK(abm_state_from_payload(&abm_nps_schema, bin, n - 1, &s, NULL, 0, &err) == ABM_ERR_SYNTAX);
	CHECK(abm_state_from_payload(&abm_nps_schema, bin, n + 0, &s, NULL, 0, &err) == ABM_OK);
	memcpy(bad, bin, n);
	bad[0] = 3;					/* a version from the future */
	CHECK(abm_state_from_payload(&abm_nps_schema, bad, n, &s, NULL, 0, &err) == ABM_ERR_VERSION);
	memcpy(bad, bin, n);
	bad[1] = abm_csat_schema.kind;	/* another kind's datum */
	CHECK(abm_state_from_payload(&abm_nps_schema, bad, n, &s, NULL, 0, &err) == ABM_ERR_SYNTAX);
	memcpy(bad, bin, n);
	bad[2] = 0x02;				/* unknown flag */
	CHECK(abm_state_from_payload(&abm_nps_schema, bad, n, &s, NULL, 0, &err) == ABM_ERR_SYNTAX);
	memcpy(bad, bin, n);
	bad[2] = ABM_STATE_FLAG_PARAM;	/* flagged, but no room for the parameter */
	CHECK(abm_state_from_payload(&abm_nps_schema, bad, n, &s, NULL, 0, &err) == ABM_ERR_SYNTAX);
	memcpy(bad, bin, n);
	bad[3] = 1;					/* reserved byte */
	CHECK(abm_state_from_payload(&abm_nps_schema, bad, n, &s, NULL, 0, &err) == ABM_ERR_SYNTAX);
	/* a confidence out of (0, 1), NaN, or on a kind without a parameter */
	nps_state_of(&s, 1, 2, 3);
	s.has_param = 1;
	s.param = 1.5;
	abm_state_to_native(&s, bin);
	CHECK(abm_state_from_payload(&abm_nps_schema, bin, n + 8, &s, NULL, 0, &err) == ABM_ERR_RANGE);
	s.param = NAN;
	abm_state_to_native(&s, bin);
	CHECK(abm_state_from_payload(&abm_nps_schema, bin, n + 8, &s, NULL, 0, &err) == ABM_ERR_RANGE);
	CHECK(abm_state_from_text(&abm_csat_schema, "v2 satisfied=1 responses=2 confidence=0.9", 41, &s, NULL, 0, &err) == ABM_ERR_SYNTAX);
}

static void
test_nps_state_text_rejects(void)
{
	static const struct
	{
		const char *text;
		abm_status	status;
	}			cases[] = {
		{"", ABM_ERR_SYNTAX},
		{"detractors=3 passives=5 promoters=12", ABM_ERR_SYNTAX},
		{"v3 detractors=3 passives=5 promoters=12", ABM_ERR_VERSION},
		{"v1 detractors=3 passives=5 promoters=12 confidence=0.9", ABM_ERR_SYNTAX},
		{"v2 detractors=3 passives=5 promoters=12 confidence=", ABM_ERR_SYNTAX},
		{"v2 detractors=3 passives=5 promoters=12 confidence=nan", ABM_ERR_SYNTAX},
		{"v2 detractors=3 passives=5 promoters=12 confidence=inf", ABM_ERR_SYNTAX},
		{"v2 detractors=3 passives=5 promoters=12 confidence=0x1p-1", ABM_ERR_SYNTAX},
		{"v2 detractors=3 passives=5 promoters=12 confidence=1e999", ABM_ERR_RANGE},
		{"v2 detractors=3 passives=5 promoters=12 confidence=1", ABM_ERR_RANGE},
		{"v2 detractors=3 passives=5 promoters=12 confidence=0", ABM_ERR_RANGE},
		{"v2 detractors=3 passives=5 promoters=12 confidence=-0.5", ABM_ERR_RANGE},
		{"v2 detractors=3 passives=5 promoters=12 confidence=0.9 confidence=0.9", ABM_ERR_SYNTAX},
		{"v2 detractors=3 passives=5 promoters=12 confidence=0.1234567890123456789012345678901234567", ABM_ERR_SYNTAX},
		{"v2 confidence=0.9 detractors=3 passives=5 promoters=12", ABM_ERR_SYNTAX},
		{"v0 detractors=3 passives=5 promoters=12", ABM_ERR_VERSION},
		{"v999 detractors=3 passives=5 promoters=12", ABM_ERR_VERSION},
		{"v99999999999999999999 detractors=3", ABM_ERR_VERSION},
		{"v92233720368547758070 last=0 rows=[3", ABM_ERR_VERSION},
		{"v-1 detractors=3 passives=5 promoters=12", ABM_ERR_VERSION},
		{"v", ABM_ERR_SYNTAX},
		{"v1 detractors=3 passives=5", ABM_ERR_SYNTAX},
		{"v1 detractors=3 passives=5 promoters=12 extra=1", ABM_ERR_SYNTAX},
		{"v1 passives=5 detractors=3 promoters=12", ABM_ERR_SYNTAX},
		{"v1 detractors=3  passives=5 promoters=12", ABM_ERR_SYNTAX},
		{"v1 detractors=+3 passives=5 promoters=12", ABM_ERR_SYNTAX},
		{"v1 detractors=3x passives=5 promoters=12", ABM_ERR_SYNTAX},
		{"v1 detractors= passives=5 promoters=12", ABM_ERR_SYNTAX},
		{"v1 detractors=-1 passives=5 promoters=12", ABM_ERR_RANGE},
		{"v1 detractors=9223372036854775808 passives=0 promoters=0", ABM_ERR_RANGE},
		{"v1 detractors=-9223372036854775809 passives=0 promoters=0", ABM_ERR_RANGE},
		{"v1 detractors=9223372036854775807 passives=1 promoters=0", ABM_ERR_RANGE},
		{"v1 detractors=1 passives=2 promoters=3 rows=[]", ABM_ERR_SYNTAX},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		abm_state	s;
		abm_error	err;
		abm_status	got = nps_from_text(cases[i].text, &s, &err);

		if (got != cases[i].status)
			printf("  case \"%s\": status %d, expected %d\n", cases[i].text, got, cases[i].status);
		CHECK(got == cases[i].status);
		CHECK(got == ABM_OK || (strlen(err.detail) > 0 && err.status == got));
	}
}

static void
test_nps_state_binary_rejects(void)
{
	uint8_t		bin[32];
	abm_state	s;
	abm_error	err;

	nps_state_of(&s, 1, 2, 3);
	abm_state_to_binary(&s, bin);
	CHECK(abm_state_from_binary(&abm_nps_schema, bin, 0, &s, NULL, 0, &err) == ABM_ERR_SYNTAX);
	CHECK(abm_state_from_binary(&abm_nps_schema, bin, 1, &s, NULL, 0, &err) == ABM_ERR_SYNTAX);
	CHECK(abm_state_from_binary(&abm_nps_schema, bin, 25, &s, NULL, 0, &err) == ABM_ERR_SYNTAX);
	CHECK(abm_state_from_binary(&abm_nps_schema, bin, 27, &s, NULL, 0, &err) == ABM_ERR_SYNTAX);
	CHECK(abm_state_from_binary(&abm_nps_schema, bin, 26, &s, NULL, 0, &err) == ABM_OK);
	bin[1] = ABM_STATE_FLAG_PARAM;	/* flagged, but no parameter */
	CHECK(abm_state_from_binary(&abm_nps_schema, bin, 26, &s, NULL, 0, &err) == ABM_ERR_SYNTAX);
	bin[1] = 0x80;				/* unknown flag */
	CHECK(abm_state_from_binary(&abm_nps_schema, bin, 26, &s, NULL, 0, &err) == ABM_ERR_SYNTAX);
	bin[1] = 0;
	bin[0] = 3;
	CHECK(abm_state_from_binary(&abm_nps_schema, bin, 26, &s, NULL, 0, &err) == ABM_ERR_VERSION);
	bin[0] = 0;
	CHECK(abm_state_from_binary(&abm_nps_schema, bin, 26, &s, NULL, 0, &err) == ABM_ERR_VERSION);
	bin[0] = 2;
	bin[2] = 0x80;				/* detractors negative */
	CHECK(abm_state_from_binary(&abm_nps_schema, bin, 26, &s, NULL, 0, &err) == ABM_ERR_RANGE);
	/* version 1: no flags byte */
	bin[0] = 1;
	bin[1] = 0;
	CHECK(abm_state_from_binary(&abm_nps_schema, bin, 25, &s, NULL, 0, &err) == ABM_OK);
	CHECK(abm_state_from_binary(&abm_nps_schema, bin, 26, &s, NULL, 0, &err) == ABM_ERR_SYNTAX);
}

static void
test_merge_and_overflow(void)
{
	abm_state	a,
				b;
	abm_error	err;

	nps_state_of(&a, 1, 2, 3);
	nps_state_of(&b, 10, 20, 30);
	CHECK(abm_state_merge(&a, &b, NULL, 0, &err) == ABM_OK);
	CHECK(a.scalar[0] == 11 && a.scalar[1] == 22 && a.scalar[2] == 33);

	nps_state_of(&a, INT64_MAX, 0, 0);
	nps_state_of(&b, 1, 0, 0);
	CHECK(abm_state_merge(&a, &b, NULL, 0, &err) == ABM_ERR_RANGE);

	/* each counter fits, their total does not */
	nps_state_of(&a, INT64_MAX / 2, 0, 0);
	nps_state_of(&b, 0, INT64_MAX / 2 + 2, 0);
	CHECK(abm_state_merge(&a, &b, NULL, 0, &err) == ABM_ERR_RANGE);

	nps_state_of(&a, INT64_MAX - 1, 0, 0);
	CHECK(abm_state_add(&a, NPS_DETRACTORS, 1, &err) == ABM_OK);
	CHECK(a.scalar[0] == INT64_MAX);
	CHECK(abm_state_add(&a, NPS_DETRACTORS, 1, &err) == ABM_ERR_RANGE);
	nps_state_of(&a, 0, 0, 0);
	CHECK(abm_state_add(&a, NPS_DETRACTORS, -1, &err) == ABM_ERR_RANGE);

	abm_state_init(&b, &abm_csat_schema);
	nps_state_of(&a, 0, 0, 0);
	CHECK(abm_state_merge(&a, &b, NULL, 0, &err) == ABM_ERR_MISMATCH);
}

static void
test_csat_state(void)
{
	abm_state	s;
	abm_error	err;

	CHECK(abm_state_from_text(&abm_csat_schema, "v1 satisfied=3 responses=4", 26, &s, NULL, 0, &err) == ABM_OK);
	CHECK_NEAR(abm_csat_value(&s), 0.75, 0);
	CHECK(abm_state_from_text(&abm_csat_schema, "v1 satisfied=5 responses=4", 26, &s, NULL, 0, &err) == ABM_ERR_RANGE);
	abm_state_init(&s, &abm_csat_schema);
	CHECK(isnan(abm_csat_value(&s)));
}

/*
 * A state with rows, as the survival state will be: (time, events,
 * censored), keyed by time, plus MIN and MAX scalars.  It shows the one
 * mechanism carries variable-length states.
 */
static const abm_state_field toy_fields[] = {
	{"subjects", ABM_MERGE_SUM, 1},
	{"first", ABM_MERGE_MIN, 0},
	{"last", ABM_MERGE_MAX, 0},
};
static const char *const toy_cols[] = {"time", "events", "censored"};
static const abm_state_schema toy_schema = {
	.type_name = "toy_state", .kind = 200, .nscalars = 3, .scalars = toy_fields, .ncols = 3, .col_names = toy_cols
};

static abm_status
toy_from_text(const char *text, abm_state *s, int64_t *rows, uint32_t cap, abm_error *err)
{
	return abm_state_from_text(&toy_schema, text, strlen(text), s, rows, cap, err);
}

static void
test_rows_state_round_trip(void)
{
	const char *text = "v2 subjects=5 first=1 last=7 rows=[1:2:0,3:1:1,7:0:1]";
	int64_t		rows[64],
				rows2[64];
	abm_state	s,
				back;
	abm_error	err;
	char		out[128];
	uint8_t		bin[256];
	uint32_t	cap = abm_state_text_max_rows(&toy_schema, strlen(text));

	CHECK(cap >= 3 && cap * 3 <= 64);
	CHECK(toy_from_text(text, &s, rows, cap, &err) == ABM_OK);
	CHECK(s.nrows == 3);
	abm_state_to_text(&s, out, sizeof(out));
	CHECK_STR(out, text);
	CHECK(abm_state_binary_size(&s) == 2 + 3 * 8 + 4 + 9 * 8);
	abm_state_to_binary(&s, bin);
	CHECK(bin[26] == 0 && bin[27] == 0 && bin[28] == 0 && bin[29] == 3);
	CHECK(abm_state_from_binary(&toy_schema, bin, abm_state_binary_size(&s), &back, rows2,
								abm_state_binary_max_rows(&toy_schema, abm_state_binary_size(&s)), &err) == ABM_OK);
	CHECK(back.nrows == 3 && memcmp(back.rows, s.rows, 9 * sizeof(int64_t)) == 0);
	/* the native form: the same rows, read back */
	CHECK(abm_state_native_size(&s) == 4 + 3 * 8 + 8 + 9 * 8);
	abm_state_to_native(&s, bin);
	CHECK(abm_state_from_payload(&toy_schema, bin, abm_state_native_size(&s), &back, rows2,
								 abm_state_payload_max_rows(&toy_schema, abm_state_native_size(&s)), &err) == ABM_OK);
	CHECK(back.nrows == 3 && memcmp(back.rows, s.rows, 9 * sizeof(int64_t)) == 0);
	abm_state_to_binary(&s, bin);
	/* a row count that does not match the length */
	bin[29] = 4;
	CHECK(abm_state_from_binary(&toy_schema, bin, abm_state_binary_size(&s), &back, rows2, 64, &err) == ABM_ERR_SYNTAX);

	CHECK(toy_from_text("v1 subjects=0 first=0 last=0 rows=[]", &s, rows, 8, &err) == ABM_OK);
	CHECK(s.nrows == 0);
}

static void
test_rows_state_rejects(void)
{
	int64_t		rows[64];
	abm_state	s;
	abm_error	err;

	CHECK(toy_from_text("v1 subjects=5 first=1 last=7 rows=[3:1:0,1:2:0]", &s, rows, 20, &err) == ABM_ERR_SYNTAX);
	CHECK(toy_from_text("v1 subjects=5 first=1 last=7 rows=[1:1:0,1:2:0]", &s, rows, 20, &err) == ABM_ERR_SYNTAX);
	CHECK(toy_from_text("v1 subjects=5 first=1 last=7 rows=[1:-1:0]", &s, rows, 20, &err) == ABM_ERR_RANGE);
	CHECK(toy_from_text("v1 subjects=5 first=1 last=7 rows=[1:1]", &s, rows, 20, &err) == ABM_ERR_SYNTAX);
	CHECK(toy_from_text("v1 subjects=5 first=1 last=7 rows=[1:1:0,]", &s, rows, 20, &err) == ABM_ERR_SYNTAX);
	CHECK(toy_from_text("v1 subjects=5 first=1 last=7 rows=[1:1:0", &s, rows, 20, &err) == ABM_ERR_SYNTAX);
	CHECK(toy_from_text("v1 subjects=5 first=1 last=7", &s, rows, 20, &err) == ABM_ERR_SYNTAX);
	CHECK(toy_from_text("v1 subjects=5 first=-4 last=-2 rows=[-3:1:0]", &s, rows, 20, &err) == ABM_OK);
}

static void
test_rows_state_merge(void)
{
	int64_t		ra[32],
				rb[32],
				out[64];
	abm_state	a,
				b;
	abm_error	err;
	char		text[256];

	CHECK(toy_from_text("v1 subjects=3 first=2 last=5 rows=[1:1:0,3:1:0,5:0:1]", &a, ra, 10, &err) == ABM_OK);
	CHECK(toy_from_text("v1 subjects=2 first=1 last=9 rows=[3:2:1,9:0:1]", &b, rb, 10, &err) == ABM_OK);
	CHECK(abm_state_merge(&a, &b, out, 5, &err) == ABM_OK);
	abm_state_to_text(&a, text, sizeof(text));
	CHECK_STR(text, "v2 subjects=5 first=1 last=9 rows=[1:1:0,3:3:1,5:0:1,9:0:1]");

	/* too small a buffer is an error, not an overrun */
	CHECK(toy_from_text("v1 subjects=3 first=2 last=5 rows=[1:1:0,3:1:0,5:0:1]", &a, ra, 10, &err) == ABM_OK);
	CHECK(abm_state_merge(&a, &b, out, 4, &err) == ABM_ERR_RANGE);

	/* counts of equal keys overflow */
	CHECK(toy_from_text("v1 subjects=1 first=0 last=0 rows=[1:9223372036854775807:0]", &a, ra, 10, &err) == ABM_OK);
	CHECK(toy_from_text("v1 subjects=1 first=0 last=0 rows=[1:1:0]", &b, rb, 10, &err) == ABM_OK);
	CHECK(abm_state_merge(&a, &b, out, 2, &err) == ABM_ERR_RANGE);
}

static void
test_subtract(void)
{
	abm_state	a,
				b;
	abm_error	err;
	int64_t		rows[8];

	nps_state_of(&a, 10, 20, 30);
	nps_state_of(&b, 1, 2, 3);
	CHECK(abm_state_subtract(&a, &b, &err) == ABM_OK);
	CHECK(a.scalar[0] == 9 && a.scalar[1] == 18 && a.scalar[2] == 27);
	/* merge then subtract is the identity */
	CHECK(abm_state_merge(&a, &b, NULL, 0, &err) == ABM_OK);
	CHECK(abm_state_subtract(&a, &b, &err) == ABM_OK);
	CHECK(a.scalar[0] == 9 && a.scalar[1] == 18 && a.scalar[2] == 27);
	nps_state_of(&b, 10, 0, 0);
	CHECK(abm_state_subtract(&a, &b, &err) == ABM_ERR_RANGE);
	CHECK(a.scalar[0] == 9);	/* unchanged on error */
	/* MIN/MAX fields and rows cannot be taken apart */
	CHECK(toy_from_text("v1 subjects=1 first=0 last=0 rows=[1:1:0]", &a, rows, 4, &err) == ABM_OK);
	CHECK(toy_from_text("v1 subjects=1 first=0 last=0 rows=[1:1:0]", &b, rows + 4, 4, &err) == ABM_OK);
	CHECK(abm_state_subtract(&a, &b, &err) == ABM_ERR_MISMATCH);
}

/* Field names of any length print whole (no fixed-size staging buffer). */
static void
test_text_long_field_name(void)
{
	static const abm_state_field long_fields[] = {
		{"a_field_name_much_longer_than_any_of_the_states_of_abm_has_today", ABM_MERGE_SUM, 1},
	};
	static const abm_state_schema long_schema = {.type_name = "long_state", .kind = 201, .nscalars = 1, .scalars = long_fields};
	abm_state	s,
				back;
	abm_error	err;
	char		buf[200];
	size_t		need;

	abm_state_init(&s, &long_schema);
	s.scalar[0] = INT64_MAX;
	need = abm_state_to_text(&s, NULL, 0);
	CHECK(need == strlen("v1 ") + strlen(long_fields[0].name) + strlen("=9223372036854775807"));
	CHECK(abm_state_to_text(&s, buf, need + 1) == need);
	CHECK(strlen(buf) == need);
	CHECK(abm_state_from_text(&long_schema, buf, need, &back, NULL, 0, &err) == ABM_OK);
	CHECK(back.scalar[0] == INT64_MAX);
	/* a buffer one byte short is cut, still terminated */
	CHECK(abm_state_to_text(&s, buf, need) == need);
	CHECK(strlen(buf) == need - 1);
}

/* ---- statistics ---- */

static void
test_normal_quantile(void)
{
	double		p;

	CHECK_NEAR(abm_confidence_z(0.95), 1.959963984540054, 1e-14);
	CHECK_NEAR(abm_confidence_z(0.90), 1.6448536269514722, 1e-14);
	CHECK_NEAR(abm_confidence_z(0.99), 2.5758293035489004, 1e-14);
	CHECK_NEAR(abm_normal_quantile(0.5), 0.0, 1e-15);
	CHECK_NEAR(abm_normal_quantile(0.975), 1.959963984540054, 1e-14);
	CHECK_NEAR(abm_normal_quantile(1e-10), -6.361340902404056, 1e-12);
	/* the quantile inverts the CDF (computed independently from erfc) */
	for (p = 1e-12; p < 1; p = p < 0.01 ? p * 10 : p + 0.0137)
		CHECK_NEAR(abm_normal_cdf(abm_normal_quantile(p)) / p, 1.0, 1e-12);
	CHECK(isnan(abm_normal_quantile(0)));
	CHECK(isnan(abm_normal_quantile(1)));
	CHECK(isnan(abm_normal_quantile(NAN)));
	CHECK(!abm_confidence_valid(0) && !abm_confidence_valid(1) && !abm_confidence_valid(NAN));
	CHECK(!abm_confidence_valid(-0.5) && !abm_confidence_valid(INFINITY));
	CHECK(abm_confidence_valid(1e-9) && abm_confidence_valid(0.999999));
}

/* ---- NPS arithmetic, against a second computation from the answers ---- */

static void
answers_moments(int d, int pa, int p, double *mean, double *var)
{
	int			n = d + pa + p,
				i;
	double		sum = 0,
				sq = 0;

	for (i = 0; i < n; i++)
	{
		double		x = i < d ? -1 : (i < d + pa ? 0 : 1);

		sum += x;
	}
	*mean = sum / n;
	for (i = 0; i < n; i++)
	{
		double		x = i < d ? -1 : (i < d + pa ? 0 : 1);

		sq += (x - *mean) * (x - *mean);
	}
	*var = sq / n;
}

static void
test_nps_values(void)
{
	static const int cases[][3] = {{3, 5, 12}, {1, 0, 1}, {0, 0, 7}, {7, 0, 0}, {100, 250, 650}, {2, 1, 0}};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		abm_state	s;
		abm_nps_counts c;
		double		mean,
					var,
					n = cases[i][0] + cases[i][1] + cases[i][2];

		nps_state_of(&s, cases[i][0], cases[i][1], cases[i][2]);
		c = abm_nps_counts_of(&s);
		answers_moments(cases[i][0], cases[i][1], cases[i][2], &mean, &var);
		CHECK_NEAR(abm_nps_value(&c), 100 * mean, 1e-12);
		CHECK_NEAR(abm_nps_se(&c), 100 * sqrt(var / n), 1e-12);
		CHECK_NEAR(abm_nps_margin(&c, 0.95), 1.959963984540054 * 100 * sqrt(var / n), 1e-11);
	}
}

static void
test_nps_edges(void)
{
	abm_state	s;
	abm_nps_counts c;
	double		lo,
				hi;

	nps_state_of(&s, 0, 0, 0);
	c = abm_nps_counts_of(&s);
	CHECK(isnan(abm_nps_value(&c)));
	CHECK(isnan(abm_nps_margin(&c, 0.95)));
	CHECK(!abm_nps_interval(&c, 0.95, ABM_NPS_ADJUSTED_WALD, &lo, &hi));

	nps_state_of(&s, 0, 0, 1);
	c = abm_nps_counts_of(&s);
	CHECK_NEAR(abm_nps_value(&c), 100, 0);
	CHECK(isnan(abm_nps_margin(&c, 0.95)));
	CHECK(!abm_nps_interval(&c, 0.95, ABM_NPS_WALD, &lo, &hi));
	CHECK(abm_nps_interval(&c, 0.95, ABM_NPS_ADJUSTED_WALD, &lo, &hi));
	CHECK(lo < hi && hi <= 100 && lo >= -100);

	/* all promoters: Wald collapses to a point, adjusted Wald does not */
	nps_state_of(&s, 0, 0, 10);
	c = abm_nps_counts_of(&s);
	CHECK_NEAR(abm_nps_margin(&c, 0.95), 0, 0);
	CHECK(abm_nps_interval(&c, 0.95, ABM_NPS_WALD, &lo, &hi));
	CHECK(lo == 100 && hi == 100);
	CHECK(abm_nps_interval(&c, 0.95, ABM_NPS_ADJUSTED_WALD, &lo, &hi));
	{
		double		pp = 10.75 / 13,
					dd = 0.75 / 13,
					center = 100 * (pp - dd),
					se = 100 * sqrt((pp + dd - (pp - dd) * (pp - dd)) / 13);

		CHECK_NEAR(lo, center - 1.959963984540054 * se, 1e-10);
		CHECK_NEAR(hi, fmin(100, center + 1.959963984540054 * se), 1e-10);
		CHECK(hi == 100);		/* clamped */
	}

	/* confidence outside (0, 1) */
	nps_state_of(&s, 3, 5, 12);
	c = abm_nps_counts_of(&s);
	CHECK(isnan(abm_nps_margin(&c, 1.0)));
	CHECK(!abm_nps_interval(&c, 0, ABM_NPS_WALD, &lo, &hi));

	/* huge counts stay finite */
	nps_state_of(&s, INT64_MAX / 4, INT64_MAX / 4, INT64_MAX / 4);
	c = abm_nps_counts_of(&s);
	CHECK_NEAR(abm_nps_value(&c), 0, 1e-9);
	CHECK(abm_nps_margin(&c, 0.95) >= 0 && abm_nps_margin(&c, 0.95) < 1e-6);
}

static void
test_nps_diff_margin(void)
{
	abm_state	a,
				b;
	abm_nps_counts ca,
				cb;

	nps_state_of(&a, 30, 20, 50);
	nps_state_of(&b, 10, 40, 25);
	ca = abm_nps_counts_of(&a);
	cb = abm_nps_counts_of(&b);
	CHECK_NEAR(abm_nps_diff_margin(&ca, &cb, 0.95),
			   1.959963984540054 * sqrt(pow(abm_nps_se(&ca), 2) + pow(abm_nps_se(&cb), 2)), 1e-12);
	/* equal states: sqrt(2) times one margin */
	CHECK_NEAR(abm_nps_diff_margin(&ca, &ca, 0.9), sqrt(2) * abm_nps_margin(&ca, 0.9), 1e-12);
	nps_state_of(&b, 0, 0, 1);
	cb = abm_nps_counts_of(&b);
	CHECK(isnan(abm_nps_diff_margin(&ca, &cb, 0.95)));
	CHECK(abm_nps_method_parse("wald") == ABM_NPS_WALD);
	CHECK(abm_nps_method_parse("adjusted_wald") == ABM_NPS_ADJUSTED_WALD);
	CHECK(abm_nps_method_parse("Wald") == -1);
	CHECK(abm_nps_method_parse("") == -1);
}

static void
test_nps_class_of(void)
{
	int			s;

	for (s = 0; s <= 10; s++)
		CHECK(abm_nps_class_of(s) == (s <= 6 ? NPS_DETRACTORS : s <= 8 ? NPS_PASSIVES : NPS_PROMOTERS));
	CHECK(abm_nps_class_enum.labels[NPS_DETRACTORS].code == NPS_CLASS_CODE_DETRACTOR);
	CHECK(abm_nps_class_enum.labels[NPS_PROMOTERS].code == NPS_CLASS_CODE_PROMOTER);
}

/* ---- Kaplan-Meier, against R's survfit (survival_expected.h) ---- */

/*
 * R's value and ours agree: both NaN (R's NA or NaN), the same infinity, or
 * within 1e-9, relative above 1.
 */
static int
km_same(double got, double want)
{
	if (isnan(want))
		return isnan(got);
	if (isinf(want))
		return got == want;
	return fabs(got - want) <= 1e-9 * fmax(1, fabs(want));
}

static int	km_compared;

static void
km_check(double got, double want, const char *what, const km_expected_case *c,
		 const km_expected_band *b, long row)
{
	km_compared++;
	if (km_same(got, want))
		return;
	printf("  %s%s%s %.3g [%ld] %s = %.17g, R %.17g\n", c->name, b ? " " : "",
		   b ? b->conf_type : "", b ? b->confidence : 0.0, row, what, got, want);
	unit_current_failed = 1;
}

static void
test_km_against_r(void)
{
	size_t		ci,
				bi,
				i;

	km_compared = 0;
	for (ci = 0; ci < sizeof(km_expected) / sizeof(km_expected[0]); ci++)
	{
		const km_expected_case *c = &km_expected[ci];
		abm_km_row *curve = malloc(c->n * sizeof(abm_km_row));

		CHECK(curve != NULL);
		if (curve == NULL)
			return;
		for (bi = 0; bi < c->nbands; bi++)
		{
			const km_expected_band *b = &c->bands[bi];
			int			type = abm_km_conf_type_parse(b->conf_type);
			double		med,
						lo,
						hi;

			CHECK(type >= 0);
			CHECK(abm_km_curve(c->time, c->events, c->censored, c->n, b->confidence,
							   (abm_km_conf_type) type, curve) == 0);
			for (i = 0; i < c->n; i++)
			{
				const abm_km_row *r = &curve[i];

				km_check(r->time, c->r_time[i], "time", c, b, (long) i);
				km_check((double) r->at_risk, (double) c->n_risk[i], "at_risk", c, b, (long) i);
				km_check((double) r->events, (double) c->n_event[i], "events", c, b, (long) i);
				km_check((double) r->censored, (double) c->n_censor[i], "censored", c, b, (long) i);
				km_check(r->survival, c->surv[i], "survival", c, b, (long) i);
				km_check(r->std_err, c->std_err[i], "std_err", c, b, (long) i);
				km_check(r->lower, b->lower[i], "lower", c, b, (long) i);
				km_check(r->upper, b->upper[i], "upper", c, b, (long) i);
			}
			abm_km_median(curve, c->n, &med, &lo, &hi);
			km_check(med, b->median, "median", c, b, -1);
			km_check(lo, b->median_lower, "median lower", c, b, -1);
			km_check(hi, b->median_upper, "median upper", c, b, -1);
		}
		/* curve holds the last band's rows: S does not depend on the band */
		for (i = 0; i < c->nat; i++)
			km_check(abm_km_survival_at(curve, c->n, c->at[i]), c->at_surv[i],
					 "survival_at", c, NULL, (long) i);
		for (i = 0; i < c->nrmean; i++)
		{
			double		se;

			km_check(abm_km_rmean(curve, c->n, c->horizon[i], &se), c->rmean[i],
					 "rmean", c, NULL, (long) i);
			km_check(se, c->rmean_se[i], "se(rmean)", c, NULL, (long) i);
		}
		free(curve);
	}
	/* the generated header was read in full */
	CHECK(km_compared > 30000);
}

static void
test_km_edges(void)
{
	static const double t[] = {0, 1, 2};
	static const int64_t d[] = {0, 2, 1},
				cen[] = {3, 0, 0},
				neg[] = {0, -1, 0},
				huge[] = {INT64_MAX, 1, 0};
	static const double unsorted[] = {0, 2, 1},
				tied[] = {0, 1, 1},
				nan_t[] = {0, NAN, 2},
				inf_t[] = {0, 1, INFINITY};
	abm_km_row r[3];
	double		m,
				lo,
				hi,
				se;

	CHECK(abm_km_conf_type_parse("log") == ABM_KM_LOG);
	CHECK(abm_km_conf_type_parse("log-log") == ABM_KM_LOG_LOG);
	CHECK(abm_km_conf_type_parse("loglog") == ABM_KM_LOG_LOG);
	CHECK(abm_km_conf_type_parse("plain") == ABM_KM_PLAIN);
	CHECK(abm_km_conf_type_parse("Log") == -1);
	CHECK(abm_km_conf_type_parse("none") == -1);
	CHECK(abm_km_conf_type_parse("") == -1);

	/* empty: no rows, and every summary NaN */
	CHECK(abm_km_curve(NULL, NULL, NULL, 0, 0.95, ABM_KM_LOG, NULL) == 0);
	abm_km_median(NULL, 0, &m, &lo, &hi);
	CHECK(isnan(m) && isnan(lo) && isnan(hi));
	CHECK(isnan(abm_km_survival_at(NULL, 0, 1)));
	se = 0;
	CHECK(isnan(abm_km_rmean(NULL, 0, 1, &se)) && isnan(se));

	/* not a curve */
	CHECK(abm_km_curve(t, neg, cen, 3, 0.95, ABM_KM_LOG, r) == -1);
	CHECK(abm_km_curve(t, d, neg, 3, 0.95, ABM_KM_LOG, r) == -1);
	CHECK(abm_km_curve(t, huge, cen, 3, 0.95, ABM_KM_LOG, r) == -1);
	CHECK(abm_km_curve(unsorted, d, cen, 3, 0.95, ABM_KM_LOG, r) == -1);
	CHECK(abm_km_curve(tied, d, cen, 3, 0.95, ABM_KM_LOG, r) == -1);
	CHECK(abm_km_curve(nan_t, d, cen, 3, 0.95, ABM_KM_LOG, r) == -1);
	CHECK(abm_km_curve(inf_t, d, cen, 3, 0.95, ABM_KM_LOG, r) == -1);

	/* 3 censored at 0, then 2 of 3 churn at 1 and the last at 2 */
	CHECK(abm_km_curve(t, d, cen, 3, 0.95, ABM_KM_PLAIN, r) == 0);
	CHECK(r[0].at_risk == 6 && r[1].at_risk == 3 && r[2].at_risk == 1);
	CHECK(r[0].survival == 1 && r[0].std_err == 0 && r[0].lower == 1 && r[0].upper == 1);
	CHECK_NEAR(r[1].survival, 1.0 / 3, 1e-15);
	CHECK_NEAR(r[1].std_err, sqrt(2.0 / 3), 1e-15);
	CHECK(r[2].survival == 0 && isinf(r[2].std_err) && isnan(r[2].lower) && isnan(r[2].upper));
	CHECK(abm_km_survival_at(r, 3, -1) == 1);
	CHECK(abm_km_survival_at(r, 3, 0) == 1);
	CHECK(abm_km_survival_at(r, 3, 1.5) == r[1].survival);
	CHECK(abm_km_survival_at(r, 3, 2) == 0);
	CHECK(abm_km_survival_at(r, 3, INFINITY) == 0);
	CHECK(isnan(abm_km_survival_at(r, 3, NAN)));
	CHECK_NEAR(abm_km_rmean(r, 3, 5, NULL), 1 + 1.0 / 3, 1e-15);
	CHECK(isnan(abm_km_rmean(r, 3, -0.5, &se)) && isnan(se));
	CHECK(isnan(abm_km_rmean(r, 3, INFINITY, &se)));
	CHECK(isnan(abm_km_rmean(r, 3, NAN, &se)));
	CHECK(abm_km_rmean(r, 3, 0, &se) == 0 && se == 0);

	/* a confidence outside (0, 1) has no band */
	CHECK(abm_km_curve(t, d, cen, 3, 1, ABM_KM_LOG, r) == 0);
	CHECK(isnan(r[1].lower) && isnan(r[1].upper) && r[1].survival > 0);
	abm_km_median(r, 3, &m, &lo, &hi);
	CHECK(m == 1 && isnan(lo) && isnan(hi));
}


/* ---- row sets: the per-row path of states with rows ---- */

static void *
test_alloc(void *ctx, size_t size)
{
	size_t	   *budget = ctx;

	if (budget != NULL)
	{
		if (size > *budget)
			return NULL;
		*budget -= size;
	}
	return malloc(size);
}

static void
test_release(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}

/* Rows added in any order, with repeats, give the merge of one-row states. */
static void
test_rowset_matches_merge(void)
{
	abm_allocator mem = {test_alloc, test_release, NULL};
	abm_rowset	rs;
	abm_state	got,
				want,
				one;
	int64_t		want_rows[2 * 3 * 300],
				buf[2 * 3 * 300],
				row[3];
	abm_error	err;
	int			i;
	char		a[8192],
				b[8192];

	abm_rowset_init(&rs, &abm_survival_schema, mem);
	abm_state_init(&want, &abm_survival_schema);
	abm_state_init(&got, &abm_survival_schema);
	for (i = 0; i < 1000; i++)
	{
		/* times 0, 0.5, 1, ... 149.5 in a scrambled order, events or censored */
		double		t = (double) ((i * 7919) % 300) / 2;
		int64_t		deltas[2] = {i % 3 == 0, i % 3 != 0};
		uint32_t	cap = want.nrows + 1;

		CHECK(abm_rowset_add(&rs, abm_float_key(t), deltas, &err) == ABM_OK);
		abm_state_init(&one, &abm_survival_schema);
		row[0] = abm_float_key(t);
		row[1] = deltas[0];
		row[2] = deltas[1];
		one.rows = row;
		one.nrows = 1;
		CHECK(abm_state_merge(&want, &one, buf, cap, &err) == ABM_OK);
		memcpy(want_rows, want.rows, sizeof(int64_t) * 3 * want.nrows);
		want.rows = want_rows;
	}
	abm_rowset_finish(&rs, &got);
	CHECK(got.nrows == 300 && want.nrows == 300);
	CHECK(abm_state_validate(&got, &err) == ABM_OK);
	abm_state_to_text(&got, a, sizeof(a));
	abm_state_to_text(&want, b, sizeof(b));
	CHECK_STR(a, b);

	/* taking every row back out leaves nothing: all-zero rows are dropped */
	CHECK(abm_rowset_add_state(&rs, &want, -1, &err) == ABM_OK);
	abm_rowset_finish(&rs, &got);
	CHECK(got.nrows == 0 && got.rows == NULL);
	/* a count that would go negative, or a row that is not there */
	row[0] = abm_float_key(1);
	{
		int64_t		minus[2] = {-1, 0};

		CHECK(abm_rowset_add(&rs, row[0], minus, &err) == ABM_ERR_RANGE);
		CHECK(abm_rowset_add(&rs, abm_float_key(1e9), minus, &err) == ABM_ERR_RANGE);
	}
	abm_rowset_free(&rs);
}

/* Counts overflow, and memory runs out, as errors. */
static void
test_rowset_limits(void)
{
	size_t		budget = 4096;
	abm_allocator mem = {test_alloc, test_release, &budget};
	abm_rowset	rs;
	abm_error	err;
	int64_t		big[2] = {INT64_MAX, 0},
				one[2] = {1, 0};
	int			i;
	abm_status	st = ABM_OK;

	abm_rowset_init(&rs, &abm_survival_schema, mem);
	CHECK(abm_rowset_add(&rs, abm_float_key(1), big, &err) == ABM_OK);
	CHECK(abm_rowset_add(&rs, abm_float_key(1), one, &err) == ABM_ERR_RANGE);
	for (i = 0; i < 1000 && st == ABM_OK; i++)
		st = abm_rowset_add(&rs, abm_float_key(i + 2), one, &err);
	CHECK(st == ABM_ERR_LIMIT && err.status == ABM_ERR_LIMIT);
	abm_rowset_free(&rs);
}

/* Many rows, negative and positive keys: sorted once read, and still addable after. */
static void
test_rowset_sorts(void)
{
	abm_allocator mem = {test_alloc, test_release, NULL};
	abm_rowset	rs;
	abm_state	s;
	abm_error	err;
	uint64_t	x = 88172645463325252u;
	int64_t		one[2] = {1, 0},
				total = 0;
	uint32_t	r;
	int			i,
				ok = 1;

	abm_rowset_init(&rs, &abm_survival_schema, mem);
	abm_state_init(&s, &abm_survival_schema);
	for (i = 0; i < 20000; i++)
	{
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;			/* xorshift: keys spread over the int64 range, with repeats */
		CHECK(abm_rowset_add(&rs, (int64_t) (x & ~UINT64_C(0xffffffffff00)), one, &err) == ABM_OK);
		if (i == 10000)
		{
			abm_rowset_finish(&rs, &s);	/* read halfway, then add more */
			CHECK(s.nrows > 0);
		}
	}
	CHECK(abm_rowset_add(&rs, INT64_MIN, one, &err) == ABM_OK);
	CHECK(abm_rowset_add(&rs, INT64_MAX, one, &err) == ABM_OK);
	abm_rowset_finish(&rs, &s);
	for (r = 0; r < s.nrows; r++)
	{
		if (r > 0 && s.rows[r * 3] <= s.rows[(r - 1) * 3])
			ok = 0;
		total += s.rows[r * 3 + 1];
	}
	CHECK(ok);
	CHECK(total == 20002);
	CHECK(s.nrows > 300);
	CHECK(s.rows[0] == INT64_MIN && s.rows[(s.nrows - 1) * 3] == INT64_MAX);
	abm_rowset_free(&rs);
}

/* Churn over counts and compounding, against the formulas written out. */
static void
test_churn_arithmetic(void)
{
	double		r;

	CHECK(abm_churn_rate_counts(100, 95, &r) == 0 && r == 0.05);
	CHECK(abm_churn_rate_counts(0, 0, &r) == 0 && isnan(r));
	CHECK(abm_churn_rate_counts(10, 11, &r) == -1);
	CHECK(abm_churn_rate_counts(-1, 0, &r) == -1);
	CHECK(abm_churn_rate_counts(INT64_MAX, 0, &r) == 0 && r == 1);
	CHECK(abm_churn_rate_over(0.02, 12, &r) == 0 && fabs(r - (1 - pow(0.98, 12))) < 1e-15);
	CHECK(abm_churn_rate_over(1, 3, &r) == 0 && r == 1);
	CHECK(abm_churn_rate_over(0, 3, &r) == 0 && r == 0);
	/* 1 - (1 - x)^12 = 12x - 66x^2 + ...: the digits of a small rate survive */
	CHECK(abm_churn_rate_over(1e-12, 12, &r) == 0 && fabs(r - (1.2e-11 - 6.6e-23)) < 1e-26);
	CHECK(abm_churn_rate_over(1.5, 12, &r) == -1);
	CHECK(abm_churn_rate_over(NAN, 12, &r) == -1);
	CHECK(abm_churn_rate_over(0.1, 0, &r) == -1);
	CHECK(abm_churn_rate_over(0.1, INFINITY, &r) == -1);
}

/* Float keys sort as their doubles; -0 is 0. */
static void
test_float_keys(void)
{
	static const double v[] = {-1e300, -2.5, -1, -5e-324, 0, 5e-324, 1, 2.5, 1e300};
	size_t		i;

	for (i = 0; i + 1 < sizeof(v) / sizeof(v[0]); i++)
		CHECK(abm_float_key(v[i]) < abm_float_key(v[i + 1]));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK(abm_float_of_key(abm_float_key(v[i])) == v[i]);
	CHECK(abm_float_key(-0.0) == abm_float_key(0.0));
}

int
main(void)
{
	static const unit_test tests[] = {
		{"enum tables are consistent", test_enum_tables_consistent},
		{"lifecycle_stage labels are in order", test_lifecycle_order},
		{"lifecycle_stage accepts every alias of the spec", test_lifecycle_spec_aliases},
		{"enum input: case, blanks, separators, garbage", test_enum_normalization},
		{"enum label list and lookup", test_enum_list_and_lookup},
		{"lifecycle phase and customer stages", test_lifecycle_phase_and_customer},
		{"nps_state golden text and bytes", test_nps_state_golden},
		{"nps_state text input rejects malformed", test_nps_state_text_rejects},
		{"nps_state binary input rejects malformed", test_nps_state_binary_rejects},
		{"nps_state native form rejects malformed", test_nps_state_native_rejects},
		{"rollup fast path agrees with decode and merge", test_merge_plain_native},
		{"merge adds, overflow is an error", test_merge_and_overflow},
		{"csat state", test_csat_state},
		{"state with rows round-trips", test_rows_state_round_trip},
		{"state with rows rejects malformed", test_rows_state_rejects},
		{"state with rows merges by key", test_rows_state_merge},
		{"text form with a long field name", test_text_long_field_name},
		{"subtracting a merged state", test_subtract},
		{"normal quantile", test_normal_quantile},
		{"nps, se and margin against the answers", test_nps_values},
		{"nps edge cases", test_nps_edges},
		{"nps difference margin", test_nps_diff_margin},
		{"nps class of a score", test_nps_class_of},
		{"kaplan-meier agrees with R survfit", test_km_against_r},
		{"kaplan-meier edge cases", test_km_edges},
		{"row set equals merging one-row states", test_rowset_matches_merge},
		{"row set limits", test_rowset_limits},
		{"row set sorts many keys", test_rowset_sorts},
		{"churn over counts and compounding", test_churn_arithmetic},
		{"float keys sort as doubles", test_float_keys},
	};

	return unit_run(tests, (int) (sizeof(tests) / sizeof(tests[0])));
}
