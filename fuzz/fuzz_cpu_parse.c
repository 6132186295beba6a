// SPDX-License-Identifier: MIT
/*
 * xs_cpu_parse() and xs_cpu_count() on arbitrary text, with the kernel's
 * xstate init run on every CPU that parses.
 *
 * Input: byte 0 picks the CPU index (bits 0..1) and the dump format of the
 * round trip (bits 2..3); the rest is the dump text.
 *
 * Invariants: a failed parse leaves the model untouched and says why; a
 * successful one has sorted, unique leaves, an index below the CPU count,
 * survives xs_cpu_dump() + xs_cpu_parse() in every format unchanged, and
 * gives a system whose sizes are consistent.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_models.h"
#include "linux/linux.h"	/* the model's own invariants: its fields */

static void check_sorted(const xs_cpu *cpu)
{
	FZ_CHECK(cpu->nleaves <= XS_CPU_MAX_LEAVES, "%u leaves", cpu->nleaves);
	for (unsigned i = 1; i < cpu->nleaves; i++) {
		const struct xs_cpuid_leaf *a = &cpu->leaves[i - 1], *b = &cpu->leaves[i];

		FZ_CHECK(a->leaf < b->leaf || (a->leaf == b->leaf && a->subleaf < b->subleaf),
			 "leaves %u and %u out of order", i - 1, i);
	}
}

/* Both models answer CPUID alike for every leaf either of them holds. */
static bool same_answers(const xs_cpu *a, const xs_cpu *b)
{
	const xs_cpu *m[2] = { a, b };
	uint32_t ra[4], rb[4];

	for (unsigned k = 0; k < 2; k++)
		for (unsigned i = 0; i < m[k]->nleaves; i++) {
			const struct xs_cpuid_leaf *l = &m[k]->leaves[i];

			if (xs_cpuid(a, l->leaf, l->subleaf, ra) != xs_cpuid(b, l->leaf, l->subleaf, rb) ||
			    memcmp(ra, rb, sizeof(ra)))
				return false;
		}
	return true;
}

/*
 * Dumping a parsed model and parsing it again gives a model that answers
 * CPUID the same. (Not the same leaf table: a leaf without sub-leaves
 * recorded with a non-zero sub-leaf is stored as given but shadowed, and
 * does not survive the round trip; see the report of the fuzz campaign.)
 */
static void check_round_trip(const xs_cpu *cpu, enum xs_dump_format fmt)
{
	size_t need = xs_cpu_dump(cpu, fmt, NULL, 0) + 1;
	char *text = malloc(need);
	xs_cpu *again = malloc(sizeof(*again));
	struct xs_diag d = { 0 };
	int ret;

	if (!text || !again)
		abort();
	xs_cpu_dump(cpu, fmt, text, need);
	ret = xs_cpu_parse(again, text, strlen(text), 0, "dump", &d);
	FZ_CHECK(!ret, "format %d: the dump of a parsed model does not parse: %s", (int)fmt, d.msg);
	FZ_CHECK(same_answers(cpu, again), "format %d: the round trip changed CPUID answers", (int)fmt);
	free(text);
	free(again);
}

static void check_system(const xs_cpu *cpu)
{
	xs_system *sys = malloc(sizeof(*sys));
	const struct xs_fpu_state_config *k, *u;

	if (!sys)
		abort();
	FZ_CHECK(!xs_system_init(sys, cpu, NULL), "system init refused default options");
	k = &sys->kernel;
	u = &sys->user;
	FZ_CHECK(memchr(sys->log, '\0', sizeof(sys->log)), "the boot log is not terminated");
	if (sys->xsave) {
		/* SSE may go (a CPU without the SSE bit), x87 stays: the kernel got past "No FPU" */
		FZ_CHECK(k->max_features & XS_XFEATURE_MASK_FP, "XSAVE in use without x87");
		FZ_CHECK(!(u->max_features & ~k->max_features), "user features outside kernel features");
		FZ_CHECK(!(k->default_features & ~k->max_features), "defaults outside max");
		/* update_regset_xstate_info(): whole 8-byte elements of the user size */
		FZ_CHECK(xs_ptrace_xstate_size(sys) == u->max_size / 8 * 8, "regset size");
		FZ_CHECK(k->default_size <= 4096, "init_fpstate would not fit");
	}
	free(sys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum xs_dump_format formats[4] = { XS_DUMP_PLAIN, XS_DUMP_CPUID_R, XS_DUMP_INSTLAT,
						       XS_DUMP_PLAIN };
	xs_cpu *cpu = malloc(sizeof(*cpu)), *before = malloc(sizeof(*before));
	struct xs_diag d = { 0 };
	unsigned index;
	const char *text;
	size_t len;
	int ret, count;

	if (!size || !cpu || !before) {
		free(cpu);
		free(before);
		return 0;
	}
	index = data[0] & 3;
	text = (const char *)data + 1;
	len = size - 1;
	fz_cpu(cpu, FZ_ZEN4);
	memcpy(before, cpu, sizeof(*cpu));
	ret = xs_cpu_parse(cpu, text, len, index, "fuzz", &d);
	count = xs_cpu_count(text, len, "fuzz", NULL);
	FZ_CHECK(ret == 0 || ret == -EINVAL || ret == -ENOENT, "parse returned %d", ret);
	FZ_CHECK(count <= 0 || index < (unsigned)count || ret == -ENOENT, "CPU %u of %d: %d", index, count, ret);
	if (ret) {
		FZ_CHECK(!memcmp(cpu, before, sizeof(*cpu)), "a failed parse changed the model");
		FZ_CHECK(d.msg[0] && memchr(d.msg, '\0', sizeof(d.msg)), "a failed parse without a message");
		FZ_CHECK(ret != -ENOENT || (count > 0 && index >= (unsigned)count), "ENOENT with %d CPUs", count);
	} else {
		FZ_CHECK(count > 0 && index < (unsigned)count, "CPU %u parsed, count %d", index, count);
		check_sorted(cpu);
		check_round_trip(cpu, formats[(data[0] >> 2) & 3]);
		check_system(cpu);
	}
	free(cpu);
	free(before);
	return 0;
}
