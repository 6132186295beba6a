// SPDX-License-Identifier: MIT
/*
 * Real boot logs against the model. tests/data/dmesg/<stem>--linux-<version>.txt
 * holds the x86/fpu lines of one real boot (where each comes from:
 * tests/data/dmesg/README.md); tests/data/cpuid/<stem>.*.txt is a CPUID dump
 * of that CPU.
 *
 *  1. At the log's own release the model prints exactly those lines.
 *  2. At every other modelled release (5.10 .. 6.18) the lines differ from the
 *     real ones only as the kernel change table (src/linux/releases.c) says: the
 *     components a release does or does not support (PASID 5.18, AMX 5.16,
 *     CET user 6.6, CET supervisor 6.17, APX 6.16), the offsets and sizes that
 *     follow from that set, and the format word ('compacted' with XSAVES, or
 *     with XSAVEC alone from 5.19; AMD family 17h loses XSAVES from 6.3). The
 *     expectations are derived here from the real lines, the table and the
 *     CPUID leaves, not from the model's code.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "testutil.h"

#define MAX_LOGS 64
#define REPORT_SIZE 16384

struct dmesg_log {
	char file[256];		/* <stem>--linux-<version>.txt */
	char fixture[300];	/* <stem>.<fmt>.txt under tests/data/cpuid */
	char version[64];	/* as in the file name */
	uint32_t release;	/* XS_KERNEL() of the version */
	uint64_t hidden;	/* CPU features the hypervisor did not offer (<file>.hidden) */
	char *text;
};

/* The x86/fpu lines of one boot, taken apart. */
struct bootlog {
	uint64_t supporting;			/* "Supporting XSAVE feature" masks */
	char supporting_line[XS_XFEATURE_MAX][256];
	uint64_t offset_mask;			/* "xstate_offset[i]" lines seen */
	unsigned offset[XS_XFEATURE_MAX], size[XS_XFEATURE_MAX];
	bool enabled_seen;
	uint64_t enabled;			/* "Enabled xstate features 0x…" */
	unsigned context;			/* "context size is … bytes" */
	char format[16];			/* 'compacted' / 'standard' */
	char other[1024];			/* any other line, verbatim */
	unsigned nlines;
};

static size_t report_len;
static char report[REPORT_SIZE];

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
	va_list ap;

	if (report_len >= sizeof(report) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(report + report_len, sizeof(report) - report_len, fmt, ap);
	va_end(ap);
	report_len = strlen(report);
}

/* ---- the logs and their CPUs ----------------------------------------------- */

static bool fixture_for(const char *stem, char *out, size_t size)
{
	static const char *const formats[] = { "instlat", "plain", "cpuid-r" };
	char rel[512], path[1024];

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		snprintf(rel, sizeof(rel), "cpuid/%s.%s.txt", stem, formats[i]);
		if (!access(xt_data_path(rel, path, sizeof(path)), R_OK)) {
			snprintf(out, size, "%s.%s.txt", stem, formats[i]);
			return true;
		}
	}
	return false;
}

/* "6.14.0-rc4" is the 6.14 release: a pre-release or local suffix is dropped. */
static bool release_of(const char *version, uint32_t *release)
{
	char v[64];

	snprintf(v, sizeof(v), "%s", version);
	v[strcspn(v, "-+")] = '\0';
	return xs_kernel_parse(v, release) == 0;
}

/*
 * A boot inside a VM sees the host's CPUID minus what the hypervisor hides:
 * <log>.hidden names those features ("enqcmd,shstk  # why") and the model
 * runs with them cleared, as the guest's CPUID had them cleared.
 */
static uint64_t hidden_features(const char *log_path)
{
	char path[2100], *text, *save = NULL;
	uint64_t mask = 0;

	snprintf(path, sizeof(path), "%.*s.hidden", (int)(strlen(log_path) - 4), log_path);
	text = xt_read_file(path, NULL);
	if (!text)
		return 0;
	if (strchr(text, '#'))
		*strchr(text, '#') = '\0';
	for (char *t = strtok_r(text, ", \t\n", &save); t; t = strtok_r(NULL, ", \t\n", &save)) {
		int f = xs_cpu_feature_by_name(t);

		if (f < 0)
			fail_msg("%s: '%s' is not a CPU feature name", path, t);
		mask |= XS_BIT(f);
	}
	free(text);
	return mask;
}

static unsigned load_logs(struct dmesg_log *logs)
{
	char dir[1024], path[2048];
	struct dirent **names;
	unsigned n = 0;
	int count;

	count = scandir(xt_data_path("dmesg", dir, sizeof(dir)), &names, NULL, alphasort);
	assert_true(count >= 0);
	for (int i = 0; i < count; i++) {
		const char *name = names[i]->d_name, *sep = strstr(name, "--linux-");
		size_t len = strlen(name);
		struct dmesg_log *l = &logs[n];
		char stem[256];

		if (!sep || len < 4 || strcmp(name + len - 4, ".txt")) {
			free(names[i]);
			continue;	/* README.md and the like */
		}
		assert_true(n < MAX_LOGS);
		snprintf(l->file, sizeof(l->file), "%s", name);
		snprintf(stem, sizeof(stem), "%.*s", (int)(sep - name), name);
		snprintf(l->version, sizeof(l->version), "%.*s", (int)(name + len - 4 - (sep + 8)), sep + 8);
		if (!fixture_for(stem, l->fixture, sizeof(l->fixture)))
			fail_msg("%s: no CPU fixture tests/data/cpuid/%s.{instlat,plain,cpuid-r}.txt", name, stem);
		if (!release_of(l->version, &l->release))
			fail_msg("%s: '%s' is not a release the model knows (5.10 .. 6.18)", name, l->version);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		l->text = xt_read_file(path, NULL);
		assert_non_null(l->text);
		l->hidden = hidden_features(path);
		n++;
		free(names[i]);
	}
	free(names);
	return n;
}

static xs_system *model_at(const xs_cpu *cpu, uint32_t release, uint64_t hidden)
{
	struct xs_options o;

	xs_options_init(&o);
	o.kernel = release;
	o.clear_features = hidden;
	return xt_system_of(cpu, &o);
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Line `no` (1-based) of `text` into `out`, "" past the end. */
static void nth_line(const char *text, unsigned no, char *out, size_t size)
{
	const char *p = text;

	for (unsigned i = 1; i < no && *p; i++) {
		p = strchr(p, '\n');
		p = p ? p + 1 : text + strlen(text);
	}
	snprintf(out, size, "%.*s", (int)strcspn(p, "\n"), p);
}

/* Equal texts: 0; otherwise the 1-based number of the first line that differs. */
static unsigned first_difference(const char *a, const char *b)
{
	unsigned line = 1;

	for (; *a && *a == *b; a++, b++)
		if (*a == '\n')
			line++;
	return *a == *b ? 0 : line;
}

/* ---- 1. the log's own release ------------------------------------------------ */

static void test_each_real_boot_log_is_what_the_model_prints_at_its_release(void **state)
{
	static struct dmesg_log logs[MAX_LOGS];
	unsigned n = load_logs(logs), agree = 0, total = 0, bad = 0;

	(void)state;
	report_len = 0;
	report[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		struct dmesg_log *l = &logs[i];
		xs_cpu cpu;
		xs_system *sys;
		unsigned diff, lines = count_lines(l->text);

		xt_load_cpu(&cpu, l->fixture);
		sys = model_at(&cpu, l->release, l->hidden);
		diff = first_difference(l->text, sys->log);
		total += lines;
		if (!diff) {
			agree += lines;
		} else {
			char want[200], got[200];

			agree += diff - 1;
			nth_line(l->text, diff, want, sizeof(want));
			nth_line(sys->log, diff, got, sizeof(got));
			note("%s (CPU %s, Linux %s): line %u differs\n  real:  %s\n  model: %s\n"
			     "  (the real boot has %u lines, the model %u)\n",
			     l->file, l->fixture, l->version, diff, want[0] ? want : "(no line)",
			     got[0] ? got : "(no line)", lines, count_lines(sys->log));
			bad++;
		}
		free(sys);
		free(l->text);
	}
	print_message("%u real boot logs, %u of %u lines as the model prints them\n", n, agree, total);
	assert_true(n >= 1);
	if (bad)
		fail_msg("%u of %u boot logs differ from the model:\n%s", bad, n, report);
}

/* ---- 2. the other releases ---------------------------------------------------- */

static void parse_bootlog(const char *text, struct bootlog *b)
{
	const char *p = text;

	memset(b, 0, sizeof(*b));
	while (*p) {
		size_t len = strcspn(p, "\n");
		char line[256];
		unsigned long long v;
		unsigned i, j, off, size;

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
		b->nlines++;
		if (sscanf(line, "x86/fpu: Supporting XSAVE feature 0x%llx:", &v) == 1 && v &&
		    !(v & (v - 1)) && (unsigned)__builtin_ctzll(v) < XS_XFEATURE_MAX) {
			b->supporting |= v;
			snprintf(b->supporting_line[__builtin_ctzll(v)], sizeof(b->supporting_line[0]), "%s", line);
		} else if (sscanf(line, "x86/fpu: xstate_offset[%u]: %u, xstate_sizes[%u]: %u", &i, &off, &j,
				  &size) == 4 && i == j && i < XS_XFEATURE_MAX) {
			b->offset_mask |= XS_BIT(i);
			b->offset[i] = off;
			b->size[i] = size;
		} else if (sscanf(line, "x86/fpu: Enabled xstate features 0x%llx, context size is %u bytes, using '%15[a-z]' format.",
				  &v, &b->context, b->format) == 3) {
			b->enabled_seen = true;
			b->enabled = v;
		} else {
			size_t n = strlen(b->other);

			snprintf(b->other + n, sizeof(b->other) - n, "%s\n", line);
		}
	}
}

/* Components whose support is a release's choice, and the change that brings each. */
static const struct {
	unsigned nr;
	enum xs_kchange change;
} release_components[] = {
	{ XS_XFEATURE_PASID, XS_K_PASID },
	{ XS_XFEATURE_CET_USER, XS_K_CET_USER },
	{ XS_XFEATURE_CET_KERNEL, XS_K_CET_KERNEL },
	{ XS_XFEATURE_XTILE_CFG, XS_K_AMX },
	{ XS_XFEATURE_XTILE_DATA, XS_K_AMX },
	{ XS_XFEATURE_APX, XS_K_APX },
};

static bool release_component(unsigned nr, enum xs_kchange *change)
{
	for (size_t i = 0; i < sizeof(release_components) / sizeof(release_components[0]); i++)
		if (release_components[i].nr == nr) {
			*change = release_components[i].change;
			return true;
		}
	return false;
}

/* CPUID as the booted kernel saw it: the fixture minus the hidden features. */
static bool saw(const xs_cpu *cpu, uint64_t hidden, enum xs_cpu_feature f)
{
	return xs_cpu_has(cpu, f) && !(hidden & XS_BIT(f));
}

/* Does the CPU offer component `nr` to a kernel that supports it? (CPUID only.) */
static bool cpu_offers(const xs_cpu *cpu, uint64_t hidden, unsigned nr)
{
	bool supervisor_ok = saw(cpu, hidden, XS_CPU_XSAVES);

	if (!(xs_cpu_xfeatures(cpu) & XS_BIT(nr)))
		return false;
	switch (nr) {
	case XS_XFEATURE_PASID:
		return saw(cpu, hidden, XS_CPU_ENQCMD) && supervisor_ok;
	case XS_XFEATURE_CET_USER:
	case XS_XFEATURE_CET_KERNEL:
		return saw(cpu, hidden, XS_CPU_SHSTK) && supervisor_ok;
	case XS_XFEATURE_XTILE_CFG:
	case XS_XFEATURE_XTILE_DATA:	/* TILEDATA is dynamic: without XFD neither is kept */
		return saw(cpu, hidden, XS_CPU_AMX_TILE) && saw(cpu, hidden, XS_CPU_XFD);
	case XS_XFEATURE_APX:
		return saw(cpu, hidden, XS_CPU_APX);
	default:
		return false;
	}
}

/*
 * The lines at `release` as the real log at `real_release` and the change
 * table predict them: components outside the table as in the real log; a
 * table component where the release supports it and the CPU offers it (the
 * real log decides while its own release supports the component, CPUID
 * otherwise); offsets, sizes, format and context size from CPUID 0xD.
 */
static void predict(const xs_cpu *cpu, uint64_t hidden, const struct bootlog *real,
		    uint32_t real_release, uint32_t release, struct bootlog *want)
{
	bool xsaves = saw(cpu, hidden, XS_CPU_XSAVES), compacted;
	unsigned end = XS_XSAVE_LEGACY_AND_HDR;

	memset(want, 0, sizeof(*want));
	snprintf(want->other, sizeof(want->other), "%s", real->other);
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		enum xs_kchange change;
		bool on;

		if (!release_component(nr, &change))
			on = real->supporting & XS_BIT(nr);
		else if (!xs_kernel_has(release, change))
			on = false;
		else if (xs_kernel_has(real_release, change))
			on = real->supporting & XS_BIT(nr);
		else
			on = cpu_offers(cpu, hidden, nr);
		if (on)
			want->supporting |= XS_BIT(nr);
	}
	/* fix_erratum_1386(): AMD family 17h runs without XSAVES from 6.3 */
	if (xs_kernel_has(release, XS_K_ERRATUM_1386) && !strcmp(cpu->vendor, "AuthenticAMD") &&
	    cpu->family == 0x17)
		xsaves = false;
	compacted = xsaves || (xs_cpu_has(cpu, XS_CPU_XSAVEC) && xs_kernel_has(release, XS_K_XCOMPACTED));
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++) {
		uint32_t r[4];

		if (!(want->supporting & XS_BIT(nr)))
			continue;
		xs_cpuid(cpu, 0xd, nr, r);
		want->offset_mask |= XS_BIT(nr);
		want->size[nr] = r[0];
		if (compacted) {
			if (r[2] & 2)	/* 64-byte aligned when compacted */
				end = (end + 63) & ~63u;
			want->offset[nr] = end;
			end += r[0];
		} else {
			want->offset[nr] = r[1];
			if (r[1] + r[0] > end)
				end = r[1] + r[0];
		}
	}
	want->enabled_seen = real->enabled_seen;
	want->enabled = want->supporting;
	want->context = end;
	snprintf(want->format, sizeof(want->format), "%s", compacted ? "compacted" : "standard");
}

/* The first disagreement between the predicted and the modelled lines, or false. */
static bool compare(const struct bootlog *want, const struct bootlog *got, const struct bootlog *real,
		    char *why, size_t size)
{
	if (want->supporting != got->supporting) {
		snprintf(why, size, "'Supporting XSAVE feature' lines for 0x%" PRIx64 ", expected 0x%" PRIx64 " (the model adds 0x%" PRIx64 ", lacks 0x%" PRIx64 ")",
			 got->supporting, want->supporting, got->supporting & ~want->supporting,
			 want->supporting & ~got->supporting);
		return true;
	}
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++)
		if ((real->supporting & got->supporting & XS_BIT(nr)) &&
		    strcmp(real->supporting_line[nr], got->supporting_line[nr])) {
			snprintf(why, size, "'%s', the real boot says '%s'", got->supporting_line[nr],
				 real->supporting_line[nr]);
			return true;
		}
	if (want->offset_mask != got->offset_mask) {
		snprintf(why, size, "xstate_offset lines for 0x%" PRIx64 ", expected 0x%" PRIx64, got->offset_mask,
			 want->offset_mask);
		return true;
	}
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++)
		if ((want->offset_mask & XS_BIT(nr)) &&
		    (want->offset[nr] != got->offset[nr] || want->size[nr] != got->size[nr])) {
			snprintf(why, size, "xstate_offset[%u]: %u, xstate_sizes[%u]: %u; expected %u, %u", nr,
				 got->offset[nr], nr, got->size[nr], want->offset[nr], want->size[nr]);
			return true;
		}
	if (want->enabled_seen != got->enabled_seen || want->enabled != got->enabled ||
	    want->context != got->context || strcmp(want->format, got->format)) {
		snprintf(why, size, "'Enabled xstate features 0x%" PRIx64 ", context size is %u bytes, using '%s' format.'; expected 0x%" PRIx64 ", %u bytes, '%s'",
			 got->enabled, got->context, got->format, want->enabled, want->context, want->format);
		return true;
	}
	if (strcmp(want->other, got->other)) {
		snprintf(why, size, "other lines '%.200s', the real boot has '%.200s'", got->other, want->other);
		return true;
	}
	return false;
}

static void test_other_releases_change_the_boot_lines_only_as_the_change_table_says(void **state)
{
	static struct dmesg_log logs[MAX_LOGS];
	unsigned n = load_logs(logs), checked = 0, bad_logs = 0;

	(void)state;
	report_len = 0;
	report[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		struct dmesg_log *l = &logs[i];
		struct bootlog real, want, got;
		unsigned bad = 0;
		xs_cpu cpu;

		xt_load_cpu(&cpu, l->fixture);
		parse_bootlog(l->text, &real);
		for (unsigned maj = 5; maj <= 6; maj++) {
			for (unsigned min = 0; min <= 19; min++) {
				uint32_t release = XS_KERNEL(maj, min);
				xs_system *sys;
				char why[512];

				if (!xs_kernel_valid(release))
					continue;
				sys = model_at(&cpu, release, l->hidden);
				parse_bootlog(sys->log, &got);
				predict(&cpu, l->hidden, &real, l->release, release, &want);
				if (compare(&want, &got, &real, why, sizeof(why))) {
					if (!bad++)
						note("%s (CPU %s, real boot on Linux %s):\n", l->file, l->fixture,
						     l->version);
					if (bad <= 3)
						note("  Linux %u.%u: the model prints %s\n", maj, min, why);
				} else {
					checked++;
				}
				free(sys);
			}
		}
		if (bad > 3)
			note("  ... and %u more releases\n", bad - 3);
		bad_logs += bad != 0;
		free(l->text);
	}
	print_message("%u real boot logs x every release 5.10..6.18: %u predictions hold\n", n, checked);
	assert_true(n >= 1);
	if (bad_logs)
		fail_msg("%u of %u boot logs: the model departs from the change table:\n%s", bad_logs, n, report);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_real_boot_log_is_what_the_model_prints_at_its_release),
		cmocka_unit_test(test_other_releases_change_the_boot_lines_only_as_the_change_table_says),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
