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
 * (set with XSETBV at CPL 0); `cpl` afterwards.
 */
static inline xs_machine *et_machine_of(const xs_cpu *cpu, unsigned cpl)
{
	xs_machine *m = malloc(sizeof(*m));

	assert_non_null(m);
	assert_int_equal(xs_machine_init(m, cpu), 0);
	if (m->cpu.xsave)
		assert_int_equal(xs_xsetbv(m, 0, m->cpu.xcr0_supported), XS_EXC_NONE);
	m->ctx.cpl = cpl;
	return m;
}

/* The same for a fixture under tests/data/cpuid/. */
static inline xs_machine *et_machine(const char *fixture, unsigned cpl)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));
	xs_machine *m;

	assert_non_null(cpu);
	xt_load_cpu(cpu, fixture);
	m = et_machine_of(cpu, cpl);
	free(cpu);
	return m;
}

/* Fill component nr's registers with a non-zero pattern and mark it written. */
static inline void et_dirty(xs_machine *m, unsigned nr, uint8_t pattern)
{
	if (nr == XS_XFEATURE_FP) {
		m->regs.x87.fcw = 0x027f;
		m->regs.x87.r[0][9] = pattern;
		m->regs.x87.ftw = 0xfffc;	/* R0 valid */
	} else if (nr == XS_XFEATURE_SSE) {
		memset(m->regs.xmm, pattern, sizeof(m->regs.xmm));
	} else if (nr == XS_XFEATURE_PKRU) {
		m->regs.pkru.pkru = pattern;
	} else {
		/* the named layouts start at the component's first byte */
		uint8_t *base = (uint8_t *)&m->regs;
		static const size_t where[XS_XFEATURE_MAX] = {
			[2] = offsetof(xs_regs, ymm_hi128), [3] = offsetof(xs_regs, bndregs),
			[4] = offsetof(xs_regs, bndcsr), [5] = offsetof(xs_regs, opmask),
			[6] = offsetof(xs_regs, zmm_hi256), [7] = offsetof(xs_regs, hi16_zmm),
			[17] = offsetof(xs_regs, tilecfg), [18] = offsetof(xs_regs, tiledata),
			[19] = offsetof(xs_regs, apx),
		};

		assert_true(where[nr] != 0);
		memset(base + where[nr], pattern, m->cpu.size[nr]);
	}
	xs_machine_wrote(m, XS_BIT(nr));
}

/* Every user component in XCR0 dirty. */
static inline void et_dirty_all(xs_machine *m, uint8_t pattern)
{
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++)
		if (m->xcr0 & XS_BIT(nr) && nr != XS_XFEATURE_PKRU)
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
