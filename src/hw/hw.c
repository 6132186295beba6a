// SPDX-License-Identifier: MIT
/*
 * The hardware backend: the only code in the project that executes
 * XSAVE-family instructions on the real CPU (user mode: FXSAVE, FXRSTOR,
 * XSAVE, XSAVEOPT, XSAVEC, XRSTOR, XGETBV; in xs_hw_run also the CPL 0
 * XSAVES, XRSTORS, XSETBV and prefixed encodings, for the exceptions
 * they raise). Each is guarded by what CPUID said at xs_hw_init(); faults
 * are the caller's (signal handlers).
 *
 * xs_hw_run() executes a list of steps inside one asm block: code the
 * compiler generates (memcpy, printf, spills) may use XMM/YMM/ZMM
 * registers and so change the very XINUSE and XMODIFIED bits under test.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "xstate.h"

#if defined(__x86_64__)
#include <cpuid.h>

/* A state with every component in its init configuration (§7), MXCSR 1F80h. */
static const unsigned char clean_compacted[576] __attribute__((aligned(64))) = {
	[24] = 0x80, [25] = 0x1f, [527] = 0x80,	/* MXCSR; XCOMP_BV = bit 63 */
};
static const unsigned char clean_standard[4096] __attribute__((aligned(64))) = {
	[24] = 0x80, [25] = 0x1f,
};

static uint64_t xgetbv(uint32_t ecx)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(ecx));
	return (uint64_t)hi << 32 | lo;
}

int xs_hw_init(struct xs_hw *hw)
{
	unsigned a, b, c, d, max = __get_cpuid_max(0, NULL);

	memset(hw, 0, sizeof(*hw));
	if (max < 1)
		return -ENODEV;
	__cpuid(1, a, b, c, d);
	hw->fxsr = (d >> 24) & 1;
	/* XSAVE and OSXSAVE: the instructions exist and the OS enabled them */
	if (((c >> 26) & 3) != 3 || max < 0xd)
		return 0;
	hw->xsave = true;
	__cpuid_count(0xd, 1, a, b, c, d);
	hw->xsaveopt = a & 1;
	hw->xsavec = (a >> 1) & 1;
	hw->xgetbv1 = (a >> 2) & 1;
	hw->xsaves = (a >> 3) & 1;	/* CPL 0 only: never executed here */
	hw->xcr0 = xgetbv(0);
	__cpuid_count(0xd, 0, a, b, c, d);
	hw->standard_size = b;
	return 0;
}

/* The clean image for xs_hw_reset: compacted needs only 576 bytes. */
static const void *clean_image(const struct xs_hw *hw)
{
	if (hw->xsavec)
		return clean_compacted;
	return hw->standard_size <= sizeof(clean_standard) ? clean_standard : NULL;
}

#define EAX_EDX(mask) "a"((uint32_t)(mask)), "d"((uint32_t)((mask) >> 32))
#define VECTOR_CLOBBERS                                                                         \
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", \
		"xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

int xs_hw_fxsave(const struct xs_hw *hw, void *buf, unsigned flags)
{
	if (!hw->fxsr)
		return -EOPNOTSUPP;
	if (flags & XS_REX_W)
		__asm__ volatile("fxsave64 (%0)" : : "r"(buf) : "memory");
	else
		__asm__ volatile("fxsave (%0)" : : "r"(buf) : "memory");
	return 0;
}

int xs_hw_fxrstor(const struct xs_hw *hw, const void *buf, unsigned flags)
{
	if (!hw->fxsr)
		return -EOPNOTSUPP;
	if (flags & XS_REX_W)
		__asm__ volatile("fxrstor64 (%0)" : : "r"(buf) : "memory", VECTOR_CLOBBERS);
	else
		__asm__ volatile("fxrstor (%0)" : : "r"(buf) : "memory", VECTOR_CLOBBERS);
	return 0;
}

/* One save instruction in its two forms (REX.W = 1: the "64" mnemonic). */
#define HW_SAVE(fn, feature, mnemonic)                                                            \
	int fn(const struct xs_hw *hw, void *buf, uint64_t edx_eax, unsigned flags)                \
	{                                                                                          \
		if (!hw->feature)                                                                  \
			return -EOPNOTSUPP;                                                        \
		if (flags & XS_REX_W)                                                              \
			__asm__ volatile(mnemonic "64 (%0)" : : "r"(buf), EAX_EDX(edx_eax) : "memory"); \
		else                                                                               \
			__asm__ volatile(mnemonic " (%0)" : : "r"(buf), EAX_EDX(edx_eax) : "memory");   \
		return 0;                                                                          \
	}

HW_SAVE(xs_hw_xsave, xsave, "xsave")
HW_SAVE(xs_hw_xsaveopt, xsaveopt, "xsaveopt")
HW_SAVE(xs_hw_xsavec, xsavec, "xsavec")

int xs_hw_xrstor(const struct xs_hw *hw, const void *buf, uint64_t edx_eax, unsigned flags)
{
	if (!hw->xsave)
		return -EOPNOTSUPP;
	if (flags & XS_REX_W)
		__asm__ volatile("xrstor64 (%0)" : : "r"(buf), EAX_EDX(edx_eax) : "memory", VECTOR_CLOBBERS);
	else
		__asm__ volatile("xrstor (%0)" : : "r"(buf), EAX_EDX(edx_eax) : "memory", VECTOR_CLOBBERS);
	return 0;
}

int xs_hw_xgetbv(const struct xs_hw *hw, uint32_t ecx, uint64_t *edx_eax)
{
	if (!hw->xsave || (ecx == 1 && !hw->xgetbv1))
		return -EOPNOTSUPP;
	*edx_eax = xgetbv(ecx);
	return 0;
}

int xs_hw_reset(const struct xs_hw *hw)
{
	const void *clean = clean_image(hw);

	if (!hw->xsave || !clean)
		return -EOPNOTSUPP;
	return xs_hw_xrstor(hw, clean, hw->xcr0, XS_REX_W);
}

/* ---- xs_hw_run: a list of steps in one asm block ------------------------ */

_Static_assert(offsetof(struct xs_hw_step, op) == 0 && offsetof(struct xs_hw_step, flags) == 4 &&
		       offsetof(struct xs_hw_step, buf) == 8 && offsetof(struct xs_hw_step, src) == 16 &&
		       offsetof(struct xs_hw_step, arg) == 24 &&
		       offsetof(struct xs_hw_step, result) == 32 &&
		       offsetof(struct xs_hw_step, xinuse) == 40 &&
		       offsetof(struct xs_hw_step, done) == 48 && sizeof(struct xs_hw_step) == 56,
	       "the asm below knows this layout");

/* One legacy prefix, without REX.W, on an instruction that has prefixed arms below. */
static bool prefix_supported(const struct xs_hw_step *s)
{
	uint32_t p = s->flags & XS_HW_PREFIX_MASK;

	if (!p)
		return true;
	if (p & (p - 1) || s->flags & XS_REX_W)
		return false;
	return (s->op >= XS_HW_OP_FXSAVE && s->op <= XS_HW_OP_XGETBV) ||
	       (s->op >= XS_HW_OP_XSAVES && s->op <= XS_HW_OP_XSETBV);
}

static bool step_supported(const struct xs_hw *hw, const struct xs_hw_step *s)
{
	if (!prefix_supported(s))
		return false;
	switch (s->op) {
	case XS_HW_OP_FXSAVE:
	case XS_HW_OP_FXRSTOR: return hw->fxsr;
	case XS_HW_OP_XSAVE:
	case XS_HW_OP_XRSTOR:
	case XS_HW_OP_XGETBV:
	case XS_HW_OP_XSAVES:
	case XS_HW_OP_XRSTORS:
	case XS_HW_OP_XSETBV: return hw->xsave;	/* the last three fault at CPL 3: the point */
	case XS_HW_OP_XSAVEOPT: return hw->xsaveopt;
	case XS_HW_OP_XSAVEC: return hw->xsavec;
	case XS_HW_OP_POKE:
	case XS_HW_OP_SYSCALL: return true;
	default: return false;
	}
}

/* One dispatch arm: op code in %ecx (+16 for the REX.W form), operand in %rdi. */
#define ARM(code, insn) "cmp $" #code ", %%ecx\n\tjne 1f\n\t" insn " (%%rdi)\n\tjmp 80f\n1:\n\t"
/* A prefixed arm: op code + the prefix flag bits (XS_HW_PREFIX), the prefix byte, the instruction. */
#define PARM(code, byte, pre, insn) \
	"cmp $" code ", %%ecx\n\tjne 1f\n\t" pre ".byte " byte "\n\t" insn "\n\tjmp 80f\n1:\n\t"
#define PREFIXED(code, pre, insn)                                                            \
	PARM(#code "+0x100", "0xf0", pre, insn) PARM(#code "+0x200", "0x66", pre, insn)       \
	PARM(#code "+0x400", "0xf2", pre, insn) PARM(#code "+0x800", "0xf3", pre, insn)

#define AC_SET_OR_CLEAR(op)                                          \
	"testl $2, 4(%[p])\n\t"                                      \
	"jz 1f\n\t"                                                  \
	"lea -128(%%rsp), %%rsp\n\t"                                 \
	"pushfq\n\t" op " (%%rsp)\n\t"                               \
	"popfq\n\t"                                                  \
	"lea 128(%%rsp), %%rsp\n"                                    \
	"1:\n\t"

int xs_hw_run(const struct xs_hw *hw, struct xs_hw_step *steps, unsigned n)
{
	struct xs_hw_step *p = steps, *end = steps + n;
	const void *clean = clean_image(hw);
	uint64_t reset_mask = hw->xcr0;
	uint8_t xgetbv1 = hw->xgetbv1;

	if (!hw->xsave || !clean)
		return -EOPNOTSUPP;
	for (unsigned i = 0; i < n; i++) {
		if (!step_supported(hw, &steps[i]))
			return -EOPNOTSUPP;
		steps[i].done = 0;
		steps[i].result = steps[i].xinuse = 0;
	}
	__asm__ volatile(
		"70:\n\t"
		"cmp %[end], %[p]\n\t"
		"jae 90f\n\t"
		AC_SET_OR_CLEAR("orl $0x40000,")
		"mov 8(%[p]), %%rdi\n\t"
		"mov 24(%[p]), %%rax\n\t"
		"mov %%rax, %%rdx\n\t"
		"shr $32, %%rdx\n\t"
		"mov (%[p]), %%ecx\n\t"
		"testl $1, 4(%[p])\n\t"
		"jz 1f\n\t"
		"add $16, %%ecx\n"
		"1:\n\t"
		"mov 4(%[p]), %%esi\n\t"
		"and $0xf00, %%esi\n\t"
		"or %%esi, %%ecx\n\t"
		ARM(1, "fxsave") ARM(17, "fxsave64")
		ARM(2, "fxrstor") ARM(18, "fxrstor64")
		ARM(3, "xsave") ARM(19, "xsave64")
		ARM(4, "xsaveopt") ARM(20, "xsaveopt64")
		ARM(5, "xsavec") ARM(21, "xsavec64")
		ARM(6, "xrstor") ARM(22, "xrstor64")
		ARM(10, "xsaves") ARM(26, "xsaves64")
		ARM(11, "xrstors") ARM(27, "xrstors64")
		PREFIXED(1, "", "fxsave (%%rdi)") PREFIXED(2, "", "fxrstor (%%rdi)")
		PREFIXED(3, "", "xsave (%%rdi)") PREFIXED(4, "", "xsaveopt (%%rdi)")
		PREFIXED(5, "", "xsavec (%%rdi)") PREFIXED(6, "", "xrstor (%%rdi)")
		PREFIXED(7, "mov %%eax, %%ecx\n\t", "xgetbv")
		PREFIXED(10, "", "xsaves (%%rdi)") PREFIXED(11, "", "xrstors (%%rdi)")
		PREFIXED(12, "xor %%ecx, %%ecx\n\t", "xsetbv")
		"and $15, %%ecx\n\t"
		"cmp $12, %%ecx\n\t"
		"jne 1f\n\t"
		"xor %%ecx, %%ecx\n\t"
		"xsetbv\n\t"
		"jmp 80f\n"
		"1:\n\t"
		"cmp $7, %%ecx\n\t"
		"jne 1f\n\t"
		"mov %%eax, %%ecx\n\t"
		"xgetbv\n\t"
		"mov %%eax, 32(%[p])\n\t"
		"mov %%edx, 36(%[p])\n\t"
		"jmp 80f\n"
		"1:\n\t"
		"cmp $8, %%ecx\n\t"
		"jne 1f\n\t"
		"mov 16(%[p]), %%rsi\n\t"
		"mov 24(%[p]), %%rcx\n\t"
		"rep movsb\n\t"
		"jmp 80f\n"
		"1:\n\t"
		"cmp $9, %%ecx\n\t"
		"jne 80f\n\t"
		"mov 24(%[p]), %%rax\n\t"
		"mov 16(%%rdi), %%rdx\n\t"
		"mov 8(%%rdi), %%rsi\n\t"
		"mov (%%rdi), %%rdi\n\t"
		"syscall\n\t"
		"mov %%rax, 32(%[p])\n"
		"80:\n\t"
		AC_SET_OR_CLEAR("andl $~0x40000,")
		"cmpb $0, %[x1]\n\t"
		"je 1f\n\t"
		"mov $1, %%ecx\n\t"
		"xgetbv\n\t"
		"mov %%eax, 40(%[p])\n\t"
		"mov %%edx, 44(%[p])\n"
		"1:\n\t"
		"movq $1, 48(%[p])\n\t"
		"add $56, %[p]\n\t"
		"jmp 70b\n"
		"90:\n\t"
		"mov %[clean], %%rdi\n\t"
		"mov %[mask], %%rax\n\t"
		"mov %%rax, %%rdx\n\t"
		"shr $32, %%rdx\n\t"
		"xrstor64 (%%rdi)\n\t"
		: [p] "+r"(p)
		: [end] "r"(end), [x1] "m"(xgetbv1), [clean] "m"(clean), [mask] "m"(reset_mask)
		: "rax", "rcx", "rdx", "rsi", "rdi", "r11", "memory", "cc", VECTOR_CLOBBERS);
	return 0;
}

#else /* not x86-64 */

int xs_hw_init(struct xs_hw *hw)
{
	memset(hw, 0, sizeof(*hw));
	return -ENODEV;
}

int xs_hw_fxsave(const struct xs_hw *hw, void *buf, unsigned flags)
{
	(void)hw, (void)buf, (void)flags;
	return -EOPNOTSUPP;
}

int xs_hw_fxrstor(const struct xs_hw *hw, const void *buf, unsigned flags)
{
	(void)hw, (void)buf, (void)flags;
	return -EOPNOTSUPP;
}

int xs_hw_xsave(const struct xs_hw *hw, void *buf, uint64_t edx_eax, unsigned flags)
{
	(void)hw, (void)buf, (void)edx_eax, (void)flags;
	return -EOPNOTSUPP;
}

int xs_hw_xsaveopt(const struct xs_hw *hw, void *buf, uint64_t edx_eax, unsigned flags)
{
	return xs_hw_xsave(hw, buf, edx_eax, flags);
}

int xs_hw_xsavec(const struct xs_hw *hw, void *buf, uint64_t edx_eax, unsigned flags)
{
	return xs_hw_xsave(hw, buf, edx_eax, flags);
}

int xs_hw_xrstor(const struct xs_hw *hw, const void *buf, uint64_t edx_eax, unsigned flags)
{
	(void)hw, (void)buf, (void)edx_eax, (void)flags;
	return -EOPNOTSUPP;
}

int xs_hw_xgetbv(const struct xs_hw *hw, uint32_t ecx, uint64_t *edx_eax)
{
	(void)hw, (void)ecx, (void)edx_eax;
	return -EOPNOTSUPP;
}

int xs_hw_reset(const struct xs_hw *hw)
{
	(void)hw;
	return -EOPNOTSUPP;
}

int xs_hw_run(const struct xs_hw *hw, struct xs_hw_step *steps, unsigned n)
{
	(void)hw, (void)steps, (void)n;
	return -EOPNOTSUPP;
}

#endif
