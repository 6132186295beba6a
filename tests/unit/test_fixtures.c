// SPDX-License-Identifier: MIT
/*
 * Every CPU fixture with expectations: tests/data/expect/<name>.expect holds
 * "key = value  # where the number comes from" lines (sizes, offsets,
 * feature masks, task and vCPU fpstates per CET-S policy), written by hand
 * from the CPUID sub-leaves and real boot logs; <name>.dmesg, when present,
 * holds the exact boot lines. The model must agree with every one.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>

#include "testutil.h"

struct ctx {
	const char *file;
	unsigned line;
	const char *comment;
	xs_system *sys[3];	/* per policy: guest-only, off, all (enum order) */
	unsigned checked;
};

static uint64_t number(const char *key, const char *v, const struct ctx *c)
{
	char *end;
	unsigned long long n = strtoull(v, &end, 0);

	if (*end)
		fail_msg("%s:%u: %s: '%s' is not a number", c->file, c->line, key, v);
	return n;
}

static xs_system *policy_sys(struct ctx *c, const char *suffix)
{
	enum xs_cet_s_policy p = XS_CET_S_GUEST_ONLY;

	if (suffix && xs_cet_s_policy_parse(suffix, &p))
		fail_msg("%s:%u: unknown policy '@%s'", c->file, c->line, suffix);
	return c->sys[p];
}

/* The fpstate a new task or vCPU gets under one policy. */
static uint64_t fpstate_value(xs_system *sys, bool guest, const char *field)
{
	xs_fpu fpu;
	xs_fpu_guest g;
	const xs_fpstate *f;
	uint64_t v = 0;

	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	if (guest)
		assert_int_equal(xs_fpu_alloc_guest_fpstate(&fpu, &g), 0);
	f = guest ? g.fpstate : fpu.fpstate;
	if (!strcmp(field, "size"))
		v = f->size;
	else if (!strcmp(field, "user_size"))
		v = f->user_size;
	else if (!strcmp(field, "xfeatures"))
		v = f->xfeatures;
	else if (!strcmp(field, "xfd"))
		v = f->xfd;
	else if (!strcmp(field, "xstate_bv"))
		v = xs_fpstate_xstate_bv(f);
	else if (!strcmp(field, "xcomp_bv"))
		v = xs_fpstate_xcomp_bv(f);
	else
		fail_msg("unknown fpstate field '%s'", field);
	if (guest)
		xs_fpu_free_guest_fpstate(&fpu, &g);
	xs_fpu_destroy(&fpu);
	return v;
}

static bool system_value(const xs_system *s, const char *key, uint64_t *v)
{
	static const struct { const char *key; size_t off, size; } fields[] = {
#define F(k, m) { k, offsetof(xs_system, m), sizeof(((xs_system *)0)->m) }
		F("kernel.max_features", kernel.max_features), F("kernel.default_features", kernel.default_features),
		F("kernel.guest_default_features", kernel.guest_default_features),
		F("kernel.independent_features", kernel.independent_features),
		F("kernel.max_size", kernel.max_size), F("kernel.default_size", kernel.default_size),
		F("kernel.guest_default_size", kernel.guest_default_size),
		F("user.max_features", user.max_features), F("user.default_features", user.default_features),
		F("user.max_size", user.max_size), F("user.default_size", user.default_size),
		F("xcr0", xcr0), F("xss", xss), F("max_sigframe_size", max_sigframe_size),
#undef F
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(key, fields[i].key))
			continue;
		*v = 0;
		memcpy(v, (const char *)s + fields[i].off, fields[i].size);	/* little-endian */
		return true;
	}
	return false;
}

static uint64_t actual(struct ctx *c, const char *key)
{
	char k[64], *at;
	const char *suffix = NULL;
	xs_system *s;
	unsigned nr;
	uint64_t v;

	snprintf(k, sizeof(k), "%s", key);
	at = strchr(k, '@');
	if (at) {
		*at = '\0';
		suffix = at + 1;
	}
	s = policy_sys(c, suffix);
	if (system_value(s, k, &v))
		return v;
	if (sscanf(k, "offset.%u", &nr) == 1 && nr < XS_XFEATURE_MAX)
		return s->xstate_offsets[nr];
	if (sscanf(k, "comp_offset.%u", &nr) == 1 && nr < XS_XFEATURE_MAX)
		return s->xstate_comp_offsets[nr];
	if (sscanf(k, "size.%u", &nr) == 1 && nr < XS_XFEATURE_MAX)
		return s->xstate_sizes[nr];
	if (!strncmp(k, "task.", 5))
		return fpstate_value(s, false, k + 5);
	if (!strncmp(k, "guest.", 6))
		return fpstate_value(s, true, k + 6);
	fail_msg("%s:%u: unknown key '%s'", c->file, c->line, key);
	return 0;
}

static void check_format(struct ctx *c, const char *want)
{
	const xs_system *s = c->sys[XS_CET_S_GUEST_ONLY];
	const char *got = s->format == XS_FORMAT_COMPACTED ? "compacted"
			: s->format == XS_FORMAT_STANDARD ? "standard" : "legacy";

	if (strcmp(got, want))
		fail_msg("%s:%u: format: expected %s, the model says %s (%s)", c->file, c->line, want, got,
			 c->comment);
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void load_systems(struct ctx *c, const char *fixture, uint32_t kernel)
{
	static const enum xs_cet_s_policy pol[3] = { XS_CET_S_GUEST_ONLY, XS_CET_S_OFF, XS_CET_S_ALL };
	struct xs_options o;
	xs_cpu cpu;

	xt_load_cpu(&cpu, fixture);
	for (int i = 0; i < 3; i++) {
		xs_options_init(&o);
		o.cet_s = pol[i];
		o.kernel = kernel;
		c->sys[pol[i]] = xt_system_of(&cpu, &o);
	}
}

static void check_line(struct ctx *c, char *key, char *value)
{
	uint64_t want, got;

	if (!strcmp(key, "format")) {
		check_format(c, value);
		c->checked++;
		return;
	}
	want = number(key, value, c);
	got = actual(c, key);
	if (want != got)
		fail_msg("%s:%u: %s: expected %#llx (%llu), the model says %#llx (%llu)  [source: %s]", c->file,
			 c->line, key, (unsigned long long)want, (unsigned long long)want,
			 (unsigned long long)got, (unsigned long long)got, c->comment);
	c->checked++;
}

static void check_dmesg(struct ctx *c, const char *dmesg_path)
{
	char *want = xt_read_file(dmesg_path, NULL);

	if (!want)
		return;
	if (strcmp(want, c->sys[XS_CET_S_GUEST_ONLY]->log))
		fail_msg("%s: the boot lines differ:\nexpected:\n%s\nmodel:\n%s", dmesg_path, want,
			 c->sys[XS_CET_S_GUEST_ONLY]->log);
	c->checked++;
	free(want);
}

/*
 * The fixture NAME.FMT.txt in another format: itself when FMT is already its
 * format, else formats/NAME.<fmt>.txt (written by scripts/make-format-fixtures.sh).
 */
static void fixture_in_format(const char *fixture, const char *fmt, char *out, size_t n)
{
	const char *ext = strchr(fixture, '.');
	int stem = ext ? (int)(ext - fixture) : (int)strlen(fixture);

	if (ext && !strncmp(ext + 1, fmt, strlen(fmt)) && ext[1 + strlen(fmt)] == '.')
		snprintf(out, n, "%s", fixture);
	else
		snprintf(out, n, "formats/%.*s.%s.txt", stem, fixture, fmt);
}

/*
 * One .expect file: "fixture = NAME" and "kernel = V" first, then keys; every
 * key is checked against the fixture read from the file in format FMT.
 */
static unsigned check_expect_file(const char *path, const char *fmt)
{
	struct ctx c = { path, 0, "", { NULL }, 0 };
	char *text = xt_read_file(path, NULL), *save = NULL, fixture[256] = "";
	uint32_t kernel = XS_KERNEL_DEFAULT;

	assert_non_null(text);
	for (char *ln = strtok_r(text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(ln, '#'), *eq;

		c.line++;
		c.comment = hash ? trim(hash + 1) : "(no source given)";
		if (hash)
			*hash = '\0';
		eq = strchr(ln, '=');
		if (!eq) {
			if (*trim(ln))
				fail_msg("%s:%u: expected 'key = value'", path, c.line);
			continue;
		}
		*eq = '\0';
		if (!strcmp(trim(ln), "fixture")) {
			fixture_in_format(trim(eq + 1), fmt, fixture, sizeof(fixture));
			continue;
		}
		if (!strcmp(trim(ln), "kernel")) {
			assert_int_equal(xs_kernel_parse(trim(eq + 1), &kernel), 0);
			continue;
		}
		if (!c.sys[0]) {
			if (!fixture[0])
				fail_msg("%s: 'fixture = NAME' must come first", path);
			load_systems(&c, fixture, kernel);
		}
		check_line(&c, trim(ln), trim(eq + 1));
	}
	if (c.sys[0]) {
		char dm[1024];

		snprintf(dm, sizeof(dm), "%.*s.dmesg", (int)(strlen(path) - strlen(".expect")), path);
		check_dmesg(&c, dm);
	}
	for (int i = 0; i < 3; i++)
		free(c.sys[i]);
	free(text);
	return c.checked;
}

static void test_every_fixture_meets_its_hand_written_expectations(void **state)
{
	char dir[1024], path[2048];
	struct dirent **names;
	unsigned files = 0, checks = 0;
	int n;

	(void)state;
	n = scandir(xt_data_path("expect", dir, sizeof(dir)), &names, NULL, alphasort);
	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		size_t l = strlen(names[i]->d_name);

		if (l > 7 && !strcmp(names[i]->d_name + l - 7, ".expect")) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			/* the same numbers from each of the three dump formats */
			checks += check_expect_file(path, "instlat");
			checks += check_expect_file(path, "plain");
			checks += check_expect_file(path, "cpuid-r");
			files++;
		}
		free(names[i]);
	}
	free(names);
	print_message("%u fixtures in 3 formats each, %u expected values agree\n", files, checks);
	assert_true(files >= 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_fixture_meets_its_hand_written_expectations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
