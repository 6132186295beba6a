/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the engine tests (test_engine_*.c): machines built from the
 * CPUID fixtures or from numbers in xsave-isa.md, 64-byte aligned areas,
 * header words.
 */
#ifndef XS_ENGINE_UTIL_H
#define XS_ENGINE_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "common/le.h"
#include "testutil.h"

#define ET_ALL ~UINT64_C(0)
#define ET_XSTATE_BV 512
#define ET_XCOMP_BV 520
#define ET_CMP XS_XCOMP_BV_COMPACTED_FORMAT

/* Header and legacy-area fields at a byte offset (src/common/le.h does the access). */
static inline uint64_t et_ld64(const void *buf, size_t off) { return xs_ld64((const uint8_t *)buf + off); }
static inline void et_st64(void *buf, size_t off, uint64_t v) { xs_st64((uint8_t *)buf + off, v); }
static inline uint32_t et_ld32(const void *buf, size_t off) { return xs_ld32((const uint8_t *)buf + off); }
static inline void et_st32(void *buf, size_t off, uint32_t v) { xs_st32((uint8_t *)buf + off, v); }

/* A zeroed, 64-byte aligned area (free with free()). */
static inline uint8_t *et_area(size_t size)
{
	uint8_t *p = aligned_alloc(64, (size + 63) & ~(size_t)63);

	if (!p)
		abort();
	memset(p, 0, size);
	return p;
}

/*
 * A machine for `cpu` with XCR0 = every user component the CPU supports
 * (set with XSETBV at CPL 0); `cpl` afterwards. Free with xs_machine_free().
 */
static inline xs_machine *et_machine_of(const xs_cpu *cpu, unsigned cpl)
{
	const struct xs_engine_cpu_info *c;
	xs_machine *m;

	assert_int_equal(xs_machine_new(&m, cpu), 0);
	c = xs_machine_cpu_info(m);
	if (c->xsave)
		assert_int_equal(xs_xsetbv(m, 0, c->xcr0_supported), XS_EXC_NONE);
	xs_machine_context(m)->cpl = cpl;
	return m;
}

/* The same for a fixture under tests/data/cpuid/. */
static inline xs_machine *et_machine(const char *fixture, unsigned cpl)
{
	xs_cpu *cpu = xs_cpu_new();
	xs_machine *m;

	assert_non_null(cpu);
	xt_load_cpu(cpu, fixture);
	m = et_machine_of(cpu, cpl);
	xs_cpu_free(cpu);
	return m;
}

/* The machine's execution context (CPL, modes, CR0/CR4 bits). */
static inline struct xs_exec_context *et_ctx(xs_machine *m)
{
	return xs_machine_context(m);
}

/* Component nr's registers (1: XMM0..15; 2..19: the XSAVE image); fails the test when absent. */
static inline uint8_t *et_reg(xs_machine *m, unsigned nr)
{
	uint8_t *p = xs_machine_component(m, nr, NULL);

	assert_non_null(p);
	return p;
}

/* Register i of a register-indexed component, `width` bytes each (XMM, YMM_H 16, ZMM_H 32, Hi16_ZMM 64). */
static inline uint8_t *et_vreg(xs_machine *m, unsigned nr, size_t width, unsigned i)
{
	return et_reg(m, nr) + width * i;
}

static inline struct xs_tilecfg *et_tilecfg(xs_machine *m)
{
	return (struct xs_tilecfg *)(void *)et_reg(m, XS_XFEATURE_XTILE_CFG);
}

/* Component nr's size on the machine's model (CPUID 0xD.nr EAX; 0 when absent). */
static inline size_t et_size(const xs_machine *m, unsigned nr)
{
	uint32_t size = 0;

	xs_machine_component_layout(m, nr, &size, NULL, NULL);
	return size;
}

/* CPUID 0xD.nr EBX (standard offset) and ECX (flags) of the machine's model; 0 when absent. */
static inline size_t et_offset(const xs_machine *m, unsigned nr)
{
	uint32_t offset = 0;

	xs_machine_component_layout(m, nr, NULL, &offset, NULL);
	return offset;
}

static inline uint32_t et_flags(const xs_machine *m, unsigned nr)
{
	uint32_t flags = 0;

	xs_machine_component_layout(m, nr, NULL, NULL, &flags);
	return flags;
}

/* The bytes xs_machine_component() gives for component nr (0 when absent). */
static inline size_t et_len(xs_machine *m, unsigned nr)
{
	size_t len = 0;

	xs_machine_component(m, nr, &len);
	return len;
}

static inline struct xs_xrstor_info et_xrstor_info(const xs_machine *m)
{
	struct xs_xrstor_info info;

	xs_machine_xrstor_info(m, &info);
	return info;
}

/* Fill component nr's registers with a non-zero pattern and mark it written. */
static inline void et_dirty(xs_machine *m, unsigned nr, uint8_t pattern)
{
	if (nr == XS_XFEATURE_FP) {
		struct xs_x87 *x = xs_machine_x87(m);

		x->fcw = 0x027f;
		x->r[0][9] = pattern;
		x->ftw = 0xfffc;	/* R0 valid */
	} else if (nr == XS_XFEATURE_PKRU) {
		et_st32(et_reg(m, nr), 0, pattern);
	} else {
		size_t len;
		uint8_t *p = xs_machine_component(m, nr, &len);

		assert_non_null(p);
		memset(p, pattern, len);
	}
	xs_machine_wrote(m, XS_BIT(nr));
}

/* Every user component in XCR0 dirty. */
static inline void et_dirty_all(xs_machine *m, uint8_t pattern)
{
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++)
		if (xs_machine_xcr0(m) & XS_BIT(nr) && nr != XS_XFEATURE_PKRU)
			et_dirty(m, nr, pattern);
}

/*
 * A model with APX (component 19 at standard offset 960, 128 bytes;
 * xsave-isa.md §1.1) — no APX dump is among the fixtures. x87, SSE, AVX
 * and APX; XSAVEOPT, XSAVEC, XGETBV1.
 */
static inline void et_cpu_apx(xs_cpu *cpu)
{
	xs_cpu_init(cpu);
	xs_cpu_set_leaf(cpu, 0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69);	/* GenuineIntel */
	xs_cpu_set_leaf(cpu, 1, 0, 0x000c06f0, 0, (1u << 26) | (1u << 27) | (1u << 28), 0x07808001u);
	xs_cpu_set_leaf(cpu, 7, 0, 1, 0, 0, 0);
	xs_cpu_set_leaf(cpu, 7, 1, 0, 0, 0, 1u << 21);
	xs_cpu_set_leaf(cpu, 0xd, 0, 0x80007, 1088, 1088, 0);
	xs_cpu_set_leaf(cpu, 0xd, 1, 0x7, 960, 0, 0);
	xs_cpu_set_leaf(cpu, 0xd, 2, 256, 576, 0, 0);
	xs_cpu_set_leaf(cpu, 0xd, 19, 128, 960, 0, 0);
	xs_cpu_set_leaf(cpu, 0x80000000, 0, 0x80000008, 0, 0, 0);
	xs_cpu_set_leaf(cpu, 0x80000001, 0, 0, 0, 0, 1u << 29);
	xs_cpu_finish(cpu);
}

#endif
