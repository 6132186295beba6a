// SPDX-License-Identifier: MIT
/*
 * Every CPU fixture with expectations: tests/data/expect/<name>.expect holds
 * "key = value  # where the number comes from" lines (sizes, offsets,
 * feature masks, task and vCPU fpstates per CET-S policy), written by hand
 * from the CPUID sub-leaves and the kernel's rules in linux-xstate.md;
 * <name>.dmesg holds the exact boot lines ('#' lines in it are comments).
 * The model must agree with every one, read through each of the three dump
 * parsers.
 *
 * Keys of an .expect file:
 *   fixture = FILE                  the dump in tests/data/cpuid (first)
 *   kernel = 6.18                   the release to model (optional)
 *   cmdline = TEXT                  a kernel command line, as that release
 *                                   reads it (optional; xs_options.cmdline)
 *   format = compacted|standard|legacy
 *   kernel.* / user.* / xcr0 / xss / max_sigframe_size / offset.N /
 *   size.N / comp_offset.N [@POLICY]   system values; without @POLICY the
 *                                   default policy (guest-only)
 *   task.F / guest.F [@POLICY][+request]   the fpstate of a new task
 *                                   (xs_fpu_init) or vCPU
 *                                   (xs_fpu_alloc_guest_fpstate); F is size,
 *                                   user_size, xfeatures, user_xfeatures,
 *                                   xfd, xstate_bv, xcomp_bv (guest: also
 *                                   uabi_size). "request" is the state after
 *                                   ARCH_REQ_XCOMP_PERM / _GUEST_PERM for AMX
 *                                   TILEDATA and its first use (the XFD path).
 *                                   Without @POLICY the value holds for every
 *                                   policy the file gives no @POLICY line for.
 *   saving_per_task                 task size under "all" minus "guest-only"
 *
 * Every value must carry a "# source" comment, and every file must give
 * each task/guest field under each of the three policies (and, when the CPU
 * has AMX TILEDATA, the "request" case too) and saving_per_task.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>

#include "testutil.h"

#define NPOL 3		/* enum xs_cet_s_policy: guest-only, off, all */
#define MAX_ENTRIES 256

static const char *const fp_fields[] = { "size", "user_size", "xfeatures", "user_xfeatures",
					 "xfd", "xstate_bv", "xcomp_bv", "uabi_size" };
#define NFIELDS (sizeof(fp_fields) / sizeof(fp_fields[0]))
#define UABI_FIELD 7	/* guest only */

struct entry {
	unsigned line;
	char key[64];		/* base key, without "@..." */
	char value[64];
	const char *comment;
	bool any_policy;	/* no @POLICY given */
	enum xs_cet_s_policy policy;
	bool request;
};

struct ctx {
	const char *file;
	xs_system *sys[NPOL];
	unsigned checked;
	/* [task/guest][field][policy][request]: the file gives a value */
	bool covered[2][NFIELDS][NPOL][2];
	bool saving_given;
};

static uint64_t number(const char *key, const char *v, const struct ctx *c, unsigned line)
{
	char *end;
	unsigned long long n = strtoull(v, &end, 0);

	if (*end || !*v)
		fail_msg("%s:%u: %s: '%s' is not a number", c->file, line, key, v);
	return n;
}

static const char *policy_name(enum xs_cet_s_policy p)
{
	return xs_cet_s_policy_name(p);
}

/*
 * The fpstate of a new task or vCPU under one policy; with `request`, after
 * the AMX TILEDATA permission and its first use: the task through
 * ARCH_REQ_XCOMP_PERM and the #NM/XFD path (xs_xfd_enable_feature), the vCPU
 * through ARCH_REQ_XCOMP_GUEST_PERM (before the vCPU exists, as KVM requires)
 * and fpu_enable_guest_xfd_features.
 */
static uint64_t fpstate_value(const struct ctx *c, const struct entry *e, xs_system *sys, bool guest,
			      unsigned field)
{
	xs_fpu fpu;
	xs_fpu_guest g;
	const xs_fpstate *f;
	uint64_t v = 0;
	long r;

	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	if (e->request) {
		r = xs_arch_prctl(&fpu, guest ? XS_ARCH_REQ_XCOMP_GUEST_PERM : XS_ARCH_REQ_XCOMP_PERM,
				  XS_XFEATURE_XTILE_DATA, NULL);
		if (r)
			fail_msg("%s:%u: %s: the TILEDATA permission request fails: %s", c->file, e->line,
				 e->key, xs_errno_name((int)r));
		if (!guest && (r = xs_xfd_enable_feature(&fpu, XS_XFEATURE_MASK_XTILE_DATA)))
			fail_msg("%s:%u: %s: first use of TILEDATA fails: %s", c->file, e->line, e->key,
				 xs_errno_name((int)r));
	}
	if (guest) {
		assert_int_equal(xs_fpu_alloc_guest_fpstate(&fpu, &g), 0);
		if (e->request && (r = xs_fpu_enable_guest_xfd_features(&fpu, &g, XS_XFEATURE_MASK_XTILE_DATA)))
			fail_msg("%s:%u: %s: enabling TILEDATA in the vCPU fails: %s", c->file, e->line,
				 e->key, xs_errno_name((int)r));
	}
	f = guest ? g.fpstate : fpu.fpstate;
	switch (field) {
	case 0: v = f->size; break;
	case 1: v = f->user_size; break;
	case 2: v = f->xfeatures; break;
	case 3: v = f->user_xfeatures; break;
	case 4: v = f->xfd; break;
	case 5: v = xs_fpstate_xstate_bv(f); break;
	case 6: v = xs_fpstate_xcomp_bv(f); break;
	case UABI_FIELD: v = g.uabi_size; break;
	}
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
	unsigned nr;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(key, fields[i].key))
			continue;
		*v = 0;
		memcpy(v, (const char *)s + fields[i].off, fields[i].size);	/* little-endian */
		return true;
	}
	if (sscanf(key, "offset.%u", &nr) == 1 && nr < XS_XFEATURE_MAX)
		*v = s->xstate_offsets[nr];
	else if (sscanf(key, "comp_offset.%u", &nr) == 1 && nr < XS_XFEATURE_MAX)
		*v = s->xstate_comp_offsets[nr];
	else if (sscanf(key, "size.%u", &nr) == 1 && nr < XS_XFEATURE_MAX)
		*v = s->xstate_sizes[nr];
	else
		return false;
	return true;
}

/* "task.size" -> kind 0, field 0; false for other keys. */
static bool fpstate_key(const char *key, unsigned *kind, unsigned *field)
{
	const char *f;

	if (!strncmp(key, "task.", 5)) {
		*kind = 0;
		f = key + 5;
	} else if (!strncmp(key, "guest.", 6)) {
		*kind = 1;
		f = key + 6;
	} else {
		return false;
	}
	for (unsigned i = 0; i < NFIELDS; i++) {
		if (!strcmp(f, fp_fields[i]) && (i != UABI_FIELD || *kind == 1)) {
			*field = i;
			return true;
		}
	}
	return false;
}

static void check_format(struct ctx *c, const struct entry *e)
{
	const xs_system *s = c->sys[e->any_policy ? XS_CET_S_GUEST_ONLY : e->policy];
	const char *got = s->format == XS_FORMAT_COMPACTED ? "compacted"
			: s->format == XS_FORMAT_STANDARD ? "standard" : "legacy";

	if (strcmp(got, e->value))
		fail_msg("%s:%u: format: expected %s, the model says %s (%s)", c->file, e->line, e->value, got,
			 e->comment);
}

static void mismatch(const struct ctx *c, const struct entry *e, enum xs_cet_s_policy p, uint64_t want,
		     uint64_t got)
{
	fail_msg("%s:%u: %s (policy %s%s): expected %#llx (%llu), the model says %#llx (%llu)  [source: %s]",
		 c->file, e->line, e->key, policy_name(p), e->request ? ", after the TILEDATA request" : "",
		 (unsigned long long)want, (unsigned long long)want, (unsigned long long)got,
		 (unsigned long long)got, e->comment);
}

/* Is there an explicit @POLICY line for this fpstate key and request-ness? */
static bool overridden(const struct entry *es, unsigned n, const struct entry *e, enum xs_cet_s_policy p)
{
	for (unsigned i = 0; i < n; i++)
		if (!es[i].any_policy && es[i].policy == p && es[i].request == e->request &&
		    !strcmp(es[i].key, e->key))
			return true;
	return false;
}

static void check_entry(struct ctx *c, const struct entry *es, unsigned n, const struct entry *e)
{
	unsigned kind, field;
	uint64_t want, got = 0;

	if (!strcmp(e->key, "format")) {
		check_format(c, e);
		c->checked++;
		return;
	}
	want = number(e->key, e->value, c, e->line);
	if (fpstate_key(e->key, &kind, &field)) {
		for (int p = 0; p < NPOL; p++) {
			if (e->any_policy ? overridden(es, n, e, p) : (int)e->policy != p)
				continue;
			got = fpstate_value(c, e, c->sys[p], kind == 1, field);
			if (got != want)
				mismatch(c, e, p, want, got);
			c->covered[kind][field][p][e->request] = true;
			c->checked++;
		}
		return;
	}
	if (e->request)
		fail_msg("%s:%u: '+request' only applies to task.* and guest.* keys", c->file, e->line);
	if (!strcmp(e->key, "saving_per_task")) {
		struct entry size = *e;

		if (!e->any_policy)
			fail_msg("%s:%u: saving_per_task takes no @POLICY", c->file, e->line);
		got = fpstate_value(c, &size, c->sys[XS_CET_S_ALL], false, 0) -
		      fpstate_value(c, &size, c->sys[XS_CET_S_GUEST_ONLY], false, 0);
		if (got != want)
			mismatch(c, e, XS_CET_S_GUEST_ONLY, want, got);
		c->saving_given = true;
		c->checked++;
		return;
	}
	{
		enum xs_cet_s_policy p = e->any_policy ? XS_CET_S_GUEST_ONLY : e->policy;

		if (!system_value(c->sys[p], e->key, &got))
			fail_msg("%s:%u: unknown key '%s'", c->file, e->line, e->key);
		if (got != want)
			mismatch(c, e, p, want, got);
		c->checked++;
	}
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

static void load_systems(struct ctx *c, const char *fixture, uint32_t kernel, const char *cmdline)
{
	static const enum xs_cet_s_policy pol[NPOL] = { XS_CET_S_GUEST_ONLY, XS_CET_S_OFF, XS_CET_S_ALL };
	struct xs_options o;
	xs_cpu cpu;

	xt_load_cpu(&cpu, fixture);
	for (int i = 0; i < NPOL; i++) {
		xs_options_init(&o);
		o.cet_s = pol[i];
		o.kernel = kernel;
		snprintf(o.cmdline, sizeof(o.cmdline), "%s", cmdline);
		c->sys[pol[i]] = xt_system_of(&cpu, &o);
	}
}

/* The .dmesg file without its '#' comment lines. */
static char *dmesg_lines(const char *path)
{
	char *text = xt_read_file(path, NULL), *out, *o;

	if (!text)
		return NULL;
	o = out = malloc(strlen(text) + 1);
	assert_non_null(out);
	for (char *ln = text; *ln;) {
		char *nl = strchr(ln, '\n');
		size_t len = nl ? (size_t)(nl - ln + 1) : strlen(ln);

		if (*ln != '#') {
			memcpy(o, ln, len);
			o += len;
		}
		ln += len;
	}
	*o = '\0';
	free(text);
	return out;
}

static void check_dmesg(struct ctx *c, const char *dmesg_path)
{
	char *want = dmesg_lines(dmesg_path);

	if (!want)
		fail_msg("%s: missing: every fixture with expectations has its boot lines", dmesg_path);
	if (strcmp(want, c->sys[XS_CET_S_GUEST_ONLY]->log))
		fail_msg("%s: the boot lines differ:\nexpected:\n%s\nmodel:\n%s", dmesg_path, want,
			 c->sys[XS_CET_S_GUEST_ONLY]->log);
	c->checked++;
	free(want);
}

/* Every task/guest field under every policy (and after the AMX request when the CPU has it). */
static void check_complete(const struct ctx *c)
{
	bool amx = c->sys[XS_CET_S_GUEST_ONLY]->kernel.max_features & XS_XFEATURE_MASK_XTILE_DATA;

	for (unsigned kind = 0; kind < 2; kind++)
		for (unsigned field = 0; field < NFIELDS; field++)
			for (int p = 0; p < NPOL; p++)
				for (int req = 0; req <= (int)amx; req++) {
					if (field == UABI_FIELD && kind == 0)
						continue;
					if (!c->covered[kind][field][p][req])
						fail_msg("%s: no expected %s.%s for policy %s%s", c->file,
							 kind ? "guest" : "task", fp_fields[field], policy_name(p),
							 req ? " after the TILEDATA request (+request)" : "");
				}
	if (!c->saving_given)
		fail_msg("%s: no expected saving_per_task", c->file);
}

/* "off+request" -> policy, request; fails on unknown words. */
static void parse_suffix(const struct ctx *c, unsigned line, char *suffix, struct entry *e)
{
	for (char *save = NULL, *w = strtok_r(suffix, "+", &save); w; w = strtok_r(NULL, "+", &save)) {
		if (!strcmp(w, "request")) {
			e->request = true;
		} else if (!xs_cet_s_policy_parse(w, &e->policy)) {
			e->any_policy = false;
		} else {
			fail_msg("%s:%u: unknown '@%s' (a policy off/guest-only/all and/or 'request')", c->file,
				 line, w);
		}
	}
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
	static struct entry es[MAX_ENTRIES];
	struct ctx c;
	char *text = xt_read_file(path, NULL), *next, fixture[256] = "", cmdline[XS_CMDLINE_MAX] = "";
	uint32_t kernel = XS_KERNEL_DEFAULT;
	unsigned n = 0, line = 0;

	memset(&c, 0, sizeof(c));
	c.file = path;
	assert_non_null(text);
	for (char *ln = text; *ln; ln = next) {
		char *hash, *eq, *key, *at;
		struct entry *e;

		next = strchr(ln, '\n');
		if (next)
			*next++ = '\0';
		else
			next = ln + strlen(ln);
		line++;
		hash = strchr(ln, '#');
		if (hash)
			*hash = '\0';
		eq = strchr(ln, '=');
		if (!eq) {
			if (*trim(ln))
				fail_msg("%s:%u: expected 'key = value'", path, line);
			continue;
		}
		*eq = '\0';
		key = trim(ln);
		if (!strcmp(key, "fixture")) {
			fixture_in_format(trim(eq + 1), fmt, fixture, sizeof(fixture));
			continue;
		}
		if (!strcmp(key, "kernel")) {
			assert_int_equal(xs_kernel_parse(trim(eq + 1), &kernel), 0);
			continue;
		}
		if (!strcmp(key, "cmdline")) {
			snprintf(cmdline, sizeof(cmdline), "%s", trim(eq + 1));
			continue;
		}
		if (!hash || !*trim(hash + 1))
			fail_msg("%s:%u: %s: every expected value needs a '# source' comment", path, line, key);
		if (n == MAX_ENTRIES)
			fail_msg("%s: more than %d keys", path, MAX_ENTRIES);
		e = &es[n++];
		memset(e, 0, sizeof(*e));
		e->line = line;
		e->comment = trim(hash + 1);
		e->any_policy = true;
		e->policy = XS_CET_S_GUEST_ONLY;
		at = strchr(key, '@');
		if (at) {
			*at = '\0';
			parse_suffix(&c, line, at + 1, e);
		}
		snprintf(e->key, sizeof(e->key), "%s", trim(key));
		snprintf(e->value, sizeof(e->value), "%s", trim(eq + 1));
	}
	if (!fixture[0])
		fail_msg("%s: no 'fixture = NAME'", path);
	load_systems(&c, fixture, kernel, cmdline);
	for (unsigned i = 0; i < n; i++)
		check_entry(&c, es, n, &es[i]);
	check_complete(&c);
	{
		char dm[1024];

		snprintf(dm, sizeof(dm), "%.*s.dmesg", (int)(strlen(path) - strlen(".expect")), path);
		check_dmesg(&c, dm);
	}
	for (int i = 0; i < NPOL; i++)
		free(c.sys[i]);
	free(text);
	return c.checked;
}

static void test_every_fixture_meets_its_hand_written_expectations(void **state)
{
	char dir[1024], path[2048];
	struct dirent **names = NULL;
	unsigned files = 0, checks = 0;
	int n;

	(void)state;
	n = scandir(xt_data_path("expect", dir, sizeof(dir)), &names, NULL, alphasort);
	if (n < 0)
		fail_msg("cannot read %s: %s (XS_TEST_DATA must name tests/data)", dir, strerror(errno));
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
