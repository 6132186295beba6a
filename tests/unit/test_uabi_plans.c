// SPDX-License-Identifier: MIT
/*
 * The planned UABI copies (src/linux/uabi.c: one plan per kernel buffer
 * shape, run with 32-byte moves where the host has AVX and with the C
 * library's memcpy where it has not; `make test` runs this program under
 * qemu-x86_64 -cpu Nehalem too, which has no AVX) on every CPU fixture and
 * every shape a task's buffer takes: the default one and, on CPUs with AMX,
 * the one its first use of tile data enlarges it to. Oracles: the bytes
 * __copy_xstate_to_uabi_buf() writes, derived here from the rules (SDM1
 * §13.4.3 for the compacted offsets, the kernel's walk for the rest), and
 * the general path of copy_uabi_to_xstate() (the one a verdict takes).
 */
#include <dirent.h>
#include <errno.h>

#include "testutil.h"
#include "common/le.h"

#define PKRU_VALUE 0x55555554u

/* A task of `sys` whose every user component is in use, with data; AMX first used when `amx`. */
static void task_in_use(xs_fpu *fpu, const xs_system *sys, bool amx, uint8_t **buf, size_t *len)
{
	struct xs_verdict v;
	uint32_t pkru = 0;
	uint8_t *b;

	assert_int_equal(xs_fpu_init(fpu, sys, NULL), 0);
	if (amx) {
		assert_int_equal(xs_arch_prctl(fpu, XS_ARCH_REQ_XCOMP_PERM, XS_XFEATURE_XTILE_DATA, NULL), 0);
		assert_int_equal(xs_xfd_enable_feature(fpu, XS_XFEATURE_MASK_XTILE_DATA), 0);
	}
	*len = fpu->fpstate->user_size;
	b = malloc(*len + 64);
	assert_non_null(b);
	for (size_t i = 0; i < *len + 64; i++)
		b[i] = (uint8_t)(i * 29 + 11);
	xs_st32(b + 24, 0x1f80);	/* MXCSR */
	memset(b + 512, 0, 64);
	xs_st64(b + 512, fpu->fpstate->user_xfeatures);
	/* the general path (a verdict is asked for) fills the kernel buffer */
	assert_int_equal(xs_copy_uabi_to_xstate(sys, fpu->fpstate, b, *len, &pkru, &v), 0);
	assert_int_equal(xs_hdr_word(fpu->fpstate->regs, 0) & fpu->fpstate->user_xfeatures,
			 fpu->fpstate->user_xfeatures);
	*buf = b;
}

/* Where component nr lies in the kernel buffer: its standard offset, or SDM1 §13.4.3's compacted one. */
static size_t kernel_offset(const xs_system *sys, uint64_t xcomp_bv, unsigned nr)
{
	size_t at = 576;

	if (!(xcomp_bv & XS_XCOMP_BV_COMPACTED_FORMAT))
		return sys->xstate_offsets[nr];
	for (unsigned i = 2; i <= nr; i++) {
		if (!(xcomp_bv & XS_BIT(i)))
			continue;
		if (sys->xstate_flags[i] & XS_LEAF_D_ALIGNED64)
			at = (at + 63) & ~(size_t)63;
		if (i < nr)
			at += sys->xstate_sizes[i];
	}
	return at;
}

/*
 * __copy_xstate_to_uabi_buf() in XSAVE mode for a task whose x87, SSE and
 * user components are all in use: the legacy area, zeros in bytes
 * 416..575 but for the user XCR0 (software word 0) and XSTATE_BV, each
 * component at its standard offset (PKRU: the given value, then zeros),
 * zeros everywhere else up to len.
 */
static void expected_uabi(const xs_system *sys, const xs_fpstate *fps, uint8_t *e, size_t len)
{
	const uint8_t *x = fps->regs;
	uint64_t user = fps->user_xfeatures;

	memset(e, 0, len);
	memcpy(e, x, 416);
	xs_st64(e + 464, sys->user.max_features);
	xs_st64(e + 512, user);
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++) {
		size_t o = sys->xstate_offsets[nr], size = sys->xstate_sizes[nr];

		if (!(user & XS_BIT(nr)))
			continue;
		if (nr == XS_XFEATURE_PKRU) {
			uint8_t pk[8] = { 0 };

			xs_st32(pk, PKRU_VALUE);
			memcpy(e + o, pk, size < 8 ? size : 8);
			continue;
		}
		memcpy(e + o, x + kernel_offset(sys, xs_hdr_word(x, 1), nr), size);
	}
}

/*
 * Zen 3 (xt_cpu_zen3(): PKRU at 832, right after YMM) with PKRU at the
 * standard offset `pkru` instead, so that the gap after YMM has the length
 * of no component: 72, 24, 16 or 12 zero bytes in the UABI buffer, where
 * the copies take moves of other sizes. PKRU is last: the standard size
 * (CPUID 0xD.0 EBX and ECX) ends with it.
 */
static void zen3_pkru_at(xs_cpu *cpu, unsigned pkru)
{
	uint32_t r[4];

	xt_cpu_zen3(cpu);
	assert_true(xs_cpuid(cpu, 0xd, 0, r));
	assert_int_equal(xs_cpu_set_leaf(cpu, 0xd, 0, r[0], pkru + 8, pkru + 8, r[3]), 0);
	assert_int_equal(xs_cpu_set_leaf(cpu, 0xd, XS_XFEATURE_PKRU, 8, pkru, 0, 0), 0);
	xs_cpu_finish(cpu);
}

/* The synthetic models (testutil's, from the spec files' numbers), then every fixture. */
static const struct {
	const char *name;
	void (*model)(xs_cpu *cpu);
	unsigned pkru;		/* zen3_pkru_at()'s offset when model is NULL */
} synthetic[] = {
	{ "xt_cpu_zen4_cet", xt_cpu_zen4_cet, 0 }, { "xt_cpu_spr", xt_cpu_spr, 0 },
	{ "xt_cpu_avx2_client", xt_cpu_avx2_client, 0 }, { "xt_cpu_zen3", xt_cpu_zen3, 0 },
	{ "xt_cpu_skx", xt_cpu_skx, 0 }, { "xt_cpu_zen4_pku", xt_cpu_zen4_pku, 0 },
	{ "zen3, PKRU at 904", NULL, 904 }, { "zen3, PKRU at 856", NULL, 856 },
	{ "zen3, PKRU at 848", NULL, 848 }, { "zen3, PKRU at 844", NULL, 844 },
};

/* Every model's system that saves with XSAVE, one after the other; NULL at the end. */
struct fixtures {
	unsigned next_synthetic;
	DIR *dir;
	char name[256];
	xs_system *sys;
	unsigned used;
};

static bool uses_xsave(xs_system *sys, const xs_cpu *cpu)
{
	return !xs_system_init(sys, cpu, NULL) && !sys->halted && sys->xsave;
}

static xs_system *next_system(struct fixtures *f)
{
	char path[1024];
	struct dirent *e;
	xs_cpu *cpu = xs_cpu_new();

	assert_non_null(cpu);
	if (!f->sys) {
		f->sys = malloc(sizeof(*f->sys));
		assert_non_null(f->sys);
	}
	while (f->next_synthetic < sizeof(synthetic) / sizeof(synthetic[0])) {
		unsigned i = f->next_synthetic++;

		if (synthetic[i].model)
			synthetic[i].model(cpu);
		else
			zen3_pkru_at(cpu, synthetic[i].pkru);
		if (!uses_xsave(f->sys, cpu))
			fail_msg("%s: the model does not use XSAVE", synthetic[i].name);
		snprintf(f->name, sizeof(f->name), "%s", synthetic[i].name);
		xs_cpu_free(cpu);
		f->used++;
		return f->sys;
	}
	if (!f->dir) {
		f->dir = opendir(xt_data_path("cpuid", path, sizeof(path)));
		assert_non_null(f->dir);
	}
	while ((e = readdir(f->dir))) {
		if (e->d_name[0] == '.' || !strstr(e->d_name, ".txt"))
			continue;
		xt_load_cpu(cpu, e->d_name);
		if (!uses_xsave(f->sys, cpu))
			continue;
		snprintf(f->name, sizeof(f->name), "%s", e->d_name);
		xs_cpu_free(cpu);
		f->used++;
		return f->sys;
	}
	xs_cpu_free(cpu);
	closedir(f->dir);
	free(f->sys);
	return NULL;
}

/* A task of one model, as for_each_task() hands it to a check. */
struct task {
	const char *model;
	const xs_system *sys;
	xs_fpu fpu;
	bool amx;		/* its buffer is the one the first use of AMX gave it */
	uint8_t *buf;		/* the UABI buffer its state was loaded from */
	size_t len;		/* user_size */
};

/*
 * check() on every task shape of every model: the default buffer and, where
 * there is AMX, the one the first use of tile data enlarges it to. Returns
 * how many AMX tasks there were.
 */
static unsigned for_each_task(void (*check)(struct task *t))
{
	struct fixtures f = { 0 };
	const xs_system *sys;
	unsigned amx = 0;

	while ((sys = next_system(&f))) {
		unsigned shapes = sys->user.max_features & XS_XFEATURE_MASK_XTILE_DATA ? 2 : 1;

		for (unsigned shape = 0; shape < shapes; shape++) {
			struct task t = { .model = f.name, .sys = sys, .amx = shape };

			task_in_use(&t.fpu, sys, t.amx, &t.buf, &t.len);
			check(&t);
			amx += t.amx;
			free(t.buf);
			xs_fpu_destroy(&t.fpu);
		}
	}
	assert_true(f.used >= 30);
	return amx;
}

static void check_kernel_to_uabi(struct task *t)
{
	uint8_t *out = malloc(t->len + 65), *e = malloc(t->len + 64);

	assert_non_null(out);
	assert_non_null(e);
	/* the buffer the task's user_size says, and a longer one (zeros after) */
	for (size_t n = t->len; n <= t->len + 64; n += 64) {
		memset(out, 0xa5, t->len + 65);
		xs_copy_xstate_to_uabi(t->sys, t->fpu.fpstate, t->fpu.fpstate->user_xfeatures, PKRU_VALUE,
				       XS_COPY_XSAVE, out, n);
		expected_uabi(t->sys, t->fpu.fpstate, e, n);
		if (memcmp(out, e, n))
			fail_msg("%s (%s task buffer, %zu bytes): the copy differs from the kernel's", t->model,
				 t->amx ? "AMX" : "default", n);
		assert_int_equal(out[n], 0xa5);	/* nothing past the buffer */
	}
	free(out);
	free(e);
}

static void test_kernel_to_uabi_writes_what___copy_xstate_to_uabi_buf_writes_on_every_fixture(void **state)
{
	(void)state;
	for_each_task(check_kernel_to_uabi);
}

/* Loads `b` into the task's state twice, without a verdict and with one: the same bytes and PKRU. */
static void assert_loads_as_with_a_verdict(struct task *t, const uint8_t *b, size_t len, bool with_pkru)
{
	xs_fpstate *fps = t->fpu.fpstate;
	uint8_t *saved = malloc(fps->size), *fast = malloc(fps->size);
	uint32_t pk_fast = 1, pk_general = 2;
	struct xs_verdict v;
	int err_fast, err_general;

	assert_non_null(saved);
	assert_non_null(fast);
	memcpy(saved, fps->regs, fps->size);
	err_fast = xs_copy_uabi_to_xstate(t->sys, fps, b, len, with_pkru ? &pk_fast : NULL, NULL);
	memcpy(fast, fps->regs, fps->size);
	memcpy(fps->regs, saved, fps->size);
	err_general = xs_copy_uabi_to_xstate(t->sys, fps, b, len, with_pkru ? &pk_general : NULL, &v);
	if (err_fast != err_general)
		fail_msg("%s: %d without a verdict, %d with one", t->model, err_fast, err_general);
	if (err_fast)
		assert_memory_equal(fast, saved, fps->size);	/* a refusal changes nothing */
	if (memcmp(fast, fps->regs, fps->size))
		fail_msg("%s: the kernel buffer differs from the one the verdict path loads", t->model);
	if (with_pkru && !err_fast)
		assert_int_equal(pk_fast, pk_general);
	free(saved);
	free(fast);
}

static void check_uabi_to_kernel(struct task *t)
{
	/* bytes the checks read: XCOMP_BV, a reserved byte in each half of the header, MXCSR bit 31 */
	static const unsigned bad_at[] = { 520, 543, 575, 27 };

	t->buf[100] ^= 0xff;	/* new data: the load changes the kernel buffer */
	assert_loads_as_with_a_verdict(t, t->buf, t->len, true);
	for (unsigned i = 0; i < sizeof(bad_at) / sizeof(bad_at[0]); i++) {
		t->buf[bad_at[i]] ^= 0x80;
		assert_loads_as_with_a_verdict(t, t->buf, t->len, true);
		t->buf[bad_at[i]] ^= 0x80;
	}
	/* KVM passes no PKRU; a buffer one byte short */
	assert_loads_as_with_a_verdict(t, t->buf, t->len, false);
	assert_loads_as_with_a_verdict(t, t->buf, t->len - 1, true);
}

static void test_uabi_to_kernel_without_a_verdict_loads_as_with_one_on_every_fixture(void **state)
{
	(void)state;
	for_each_task(check_uabi_to_kernel);
}

static void check_layout_kept(struct task *t)
{
	uint64_t xcomp_bv = xs_hdr_word(t->fpu.fpstate->regs, 1);
	bool found = false;

	for (unsigned i = 0; i < XS_BUFFER_SHAPES; i++)
		found |= t->sys->shape_xcomp_bv[i] == xcomp_bv;
	if (!found)
		fail_msg("%s: XCOMP_BV 0x%llx of the %s task buffer has no layout", t->model,
			 (unsigned long long)xcomp_bv, t->amx ? "AMX" : "default");
}

/*
 * The buffer fpstate_realloc() gives a task at its first use of AMX tile
 * data (default features and tile data) is one of the shapes the system
 * keeps a layout for, as the default buffer is.
 */
static void test_the_buffer_a_task_gets_at_its_first_use_of_amx_has_a_precomputed_layout(void **state)
{
	(void)state;
	assert_true(for_each_task(check_layout_kept) >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_to_uabi_writes_what___copy_xstate_to_uabi_buf_writes_on_every_fixture),
		cmocka_unit_test(test_uabi_to_kernel_without_a_verdict_loads_as_with_one_on_every_fixture),
		cmocka_unit_test(test_the_buffer_a_task_gets_at_its_first_use_of_amx_has_a_precomputed_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
