// SPDX-License-Identifier: MIT
/*
 * Microarchitecture traits: what the XSAVE family does where the manuals
 * leave a choice and CPUID does not say which — one table keyed by vendor
 * and family/model ranges, each value with its provenance. A row is
 * measured where a session of this project ran `xstate verify` (and its
 * probes) on that core; documented where a manual's section fixes it;
 * assumed, and flagged so, everywhere else. The Zen model ranges are the
 * ones Linux assigns X86_FEATURE_ZEN3/4/5 in bsp_init_amd().
 *
 * The machines behind "measured" (their CPUID dumps are fixtures under
 * tests/data/cpuid/):
 *   Zen 3 — AMD EPYC Milan, family 19h model 01h, KVM guest, Linux
 *           6.18.44 (amd-zen3-vm.cpuid-r.txt): verify's probes, 2026-12-07.
 *   Zen 4 — AMD EPYC Genoa, family 19h model 11h, KVM guest
 *           (amd-zen4-vm.cpuid-r.txt): user-mode probes and 1,000,000
 *           `verify --against cpu` cases, 2026-12-03.
 *   Zen 5 — AMD "Turin-like", family 1Ah model 02h, VM
 *           (amd-zen5-vm.cpuid-r.txt): `verify --against cpu`, 2026-11-25;
 *           MXCSR_MASK in the ptrace buffer tests/data/buffers/amd-zen5-vm.ptrace.
 * No Intel, Hygon or Zhaoxin part has been measured yet.
 */
#include <errno.h>

#include "engine/engine.h"

/* A value that follows the CPU's CPUID (resolved by from_cpuid()). */
#define FROM_CPUID UINT64_MAX

#define M(v, s) { (v), XS_PROVENANCE_MEASURED, (s) }
#define D(v, s) { (v), XS_PROVENANCE_DOCUMENTED, (s) }
#define A(v, s) { (v), XS_PROVENANCE_ASSUMED, (s) }

#define ZEN3 "measured on an AMD EPYC Milan (19h/01h) KVM guest, Linux 6.18.44, 2026-12-07 " \
	"(its trace: tests/data/traces/amd-19h-01h-zen3-vm.xstrace)"
#define ZEN4 "measured on an AMD EPYC Genoa (19h/11h) KVM guest, 2026-12-03"
#define ZEN5 "measured on an AMD Zen 5 (1Ah/02h) VM, 2026-11-25"

#define PTR_RULE_AMD                                                                        \
	": FIP/FDP/FOP read back 0 unless the restored image has an unmasked exception "       \
	"pending, although CPUID 8000_0008h:EBX[2] XSaveErPtr is set"
#define FCS_FDS_CPUID "CPUID.(07h,0):EBX[13] 'FCS and FDS deprecated' (SDM1 §8.1.8)"
#define MXCSR_AMD_CPUID                                                                     \
	"assumed: 0000FFFFh, with bit 17 (MM) writable where CPUID 8000_0001h:ECX[7] "          \
	"MisAlignSse = 1 (as on every measured Zen)"
#define OPT_SDM "SDM1 §13.6/§13.9 describe the optimisation; CPUID does not say whether a part has it"

struct model_range {
	uint8_t lo, hi;
};

struct trait_row {
	const char *vendor, *vendor2;	/* NULL: any vendor */
	unsigned family;		/* 0: any family */
	struct model_range models[4];	/* {0, 0} ends the list; none: every model */
	const char *name;
	struct xs_trait_value v[XS_TRAIT_COUNT];
};

static const struct trait_row table[] = {
	{ "AuthenticAMD", NULL, 0x19, { { 0x00, 0x0f }, { 0x20, 0x5f } },
	  "AMD Zen 3 (family 19h, models 00h-0Fh 20h-5Fh)", {
		[XS_TRAIT_X87_PTR_BITS] = M(48, ZEN3 ": FIP 0x00ab800000001000 restored (FXRSTOR64, XRSTOR64) "
					       "with an unmasked exception pending reads back 0xffff800000001000; "
					       "FDP the same"),
		[XS_TRAIT_X87_PTRS_NEED_EXCEPTION] = M(1, ZEN3 PTR_RULE_AMD),
		[XS_TRAIT_FCS_FDS_ZERO] = M(FROM_CPUID, ZEN3 ": FCS/FDS kept by FXRSTOR/FXSAVE; " FCS_FDS_CPUID " is 0"),
		[XS_TRAIT_MXCSR_MASK] = M(0x2ffff, ZEN3 ": FXSAVE stores 0002FFFFh"),
		[XS_TRAIT_XINUSE_BY_VALUE] = M(1, ZEN3 ": XGETBV(1) is 0 after XRSTOR of x87, SSE and AVX "
						      "init values with XSTATE_BV set"),
		[XS_TRAIT_FXRSTOR_SETS_XMODIFIED] = M(1, ZEN3 ": after XRSTOR, FXRSTOR, XSAVEOPT to the XRSTOR's "
							     "buffer rewrites AVX"),
		[XS_TRAIT_FX_AC_ALIGN] = M(4, ZEN3 ": #AC at +1, +2, +3, #GP at +4, +8, +12 (FXSAVE, FXRSTOR)"),
		[XS_TRAIT_XSAVE_AC_ALIGN] = M(0, ZEN3 ": #GP at every misaligned offset (XSAVE, XSAVEOPT, "
						     "XSAVEC, XRSTOR)"),
		[XS_TRAIT_INIT_OPT] = M(1, ZEN3 ": XSAVE after an XRSTOR that initialised everything stores XSTATE_BV 0"),
		[XS_TRAIT_MODIFIED_OPT] = M(1, ZEN3 ": XSAVEOPT to the last XRSTOR's buffer skips unmodified AVX"),
	} },
	{ "AuthenticAMD", NULL, 0x19, { { 0x10, 0x1f }, { 0x60, 0xaf } },
	  "AMD Zen 4 (family 19h, models 10h-1Fh 60h-AFh)", {
		[XS_TRAIT_X87_PTR_BITS] = M(57, ZEN4 ": 57 bits kept, sign-extended, although CPUID reports 48 "
					       "linear-address bits and no LA57"),
		[XS_TRAIT_X87_PTRS_NEED_EXCEPTION] = M(1, ZEN4 PTR_RULE_AMD " (FXRSTOR and XRSTOR, both pointer forms)"),
		[XS_TRAIT_FCS_FDS_ZERO] = D(FROM_CPUID, FCS_FDS_CPUID),
		[XS_TRAIT_MXCSR_MASK] = M(0x2ffff, ZEN4 ": FXSAVE stores 0002FFFFh"),
		[XS_TRAIT_XINUSE_BY_VALUE] = M(1, ZEN4 ": x87, SSE, AVX and the three AVX-512 components"),
		[XS_TRAIT_FXRSTOR_SETS_XMODIFIED] = M(1, ZEN4 ": an FXRSTOR between XRSTOR and XSAVEOPT makes "
							     "XSAVEOPT rewrite AVX and AVX-512; FXSAVE does not"),
		[XS_TRAIT_FX_AC_ALIGN] = M(4, ZEN4 ": #AC at +1..3 mod 4, #GP at +4, +8, +12"),
		[XS_TRAIT_XSAVE_AC_ALIGN] = M(0, ZEN4 ": #GP at every misaligned offset"),
		[XS_TRAIT_INIT_OPT] = M(1, ZEN4 ": 1,000,000 verify cases agree"),
		[XS_TRAIT_MODIFIED_OPT] = M(1, ZEN4 ": 1,000,000 verify cases agree"),
	} },
	{ "AuthenticAMD", NULL, 0x1a, { { 0x00, 0x2f }, { 0x40, 0x4f }, { 0x60, 0x7f } },
	  "AMD Zen 5 (family 1Ah, models 00h-2Fh 40h-4Fh 60h-7Fh)", {
		[XS_TRAIT_X87_PTR_BITS] = M(57, ZEN5 ": 57 bits kept, sign-extended"),
		[XS_TRAIT_X87_PTRS_NEED_EXCEPTION] = M(1, ZEN5 PTR_RULE_AMD),
		[XS_TRAIT_FCS_FDS_ZERO] = D(FROM_CPUID, FCS_FDS_CPUID),
		[XS_TRAIT_MXCSR_MASK] = M(0x2ffff, ZEN5 ": bytes 28-31 of tests/data/buffers/amd-zen5-vm.ptrace"),
		[XS_TRAIT_XINUSE_BY_VALUE] = M(1, ZEN5 ": XRSTOR of init data with XSTATE_BV set leaves XINUSE 0"),
		[XS_TRAIT_FXRSTOR_SETS_XMODIFIED] = M(1, ZEN5),
		[XS_TRAIT_FX_AC_ALIGN] = M(4, ZEN5),
		[XS_TRAIT_XSAVE_AC_ALIGN] = M(0, ZEN5 ": always #GP"),
		[XS_TRAIT_INIT_OPT] = M(1, ZEN5),
		[XS_TRAIT_MODIFIED_OPT] = M(1, ZEN5),
	} },
	{ "AuthenticAMD", NULL, 0x1a, { { 0 } },
	  "AMD family 1Ah, other models (Zen 6 and later: assumed as Zen 5)", {
		[XS_TRAIT_X87_PTR_BITS] = A(57, "assumed as Zen 5 (57 bits)"),
		[XS_TRAIT_X87_PTRS_NEED_EXCEPTION] = A(1, "assumed as Zen 3, Zen 4 and Zen 5"),
		[XS_TRAIT_FCS_FDS_ZERO] = D(FROM_CPUID, FCS_FDS_CPUID),
		[XS_TRAIT_MXCSR_MASK] = A(FROM_CPUID, MXCSR_AMD_CPUID),
		[XS_TRAIT_XINUSE_BY_VALUE] = A(1, "assumed as Zen 3, Zen 4 and Zen 5"),
		[XS_TRAIT_FXRSTOR_SETS_XMODIFIED] = A(1, "assumed as Zen 3, Zen 4 and Zen 5"),
		[XS_TRAIT_FX_AC_ALIGN] = A(4, "assumed as Zen 3, Zen 4 and Zen 5"),
		[XS_TRAIT_XSAVE_AC_ALIGN] = A(0, "assumed as Zen 3, Zen 4 and Zen 5"),
		[XS_TRAIT_INIT_OPT] = A(1, "assumed as Zen 3, Zen 4 and Zen 5"),
		[XS_TRAIT_MODIFIED_OPT] = A(1, "assumed as Zen 3, Zen 4 and Zen 5"),
	} },
	{ "AuthenticAMD", "HygonGenuine", 0, { { 0 } },
	  "AMD and Hygon, other families and models (Zen 1, Zen 2, pre-Zen: assumed as Zen 3)", {
		[XS_TRAIT_X87_PTR_BITS] = A(48, "assumed as Zen 3: a core without LA57 keeps 48 bits"),
		[XS_TRAIT_X87_PTRS_NEED_EXCEPTION] = D(1, "AMD APM Vol. 4, FXSAVE/FXRSTOR: the last instruction and "
							  "data pointers and opcode only with FSW.ES = 1 "
							  "(CPUs without XSaveErPtr; Zen 3, 4, 5 measured the same)"),
		[XS_TRAIT_FCS_FDS_ZERO] = D(FROM_CPUID, FCS_FDS_CPUID),
		[XS_TRAIT_MXCSR_MASK] = A(FROM_CPUID, MXCSR_AMD_CPUID),
		[XS_TRAIT_XINUSE_BY_VALUE] = A(1, "assumed as Zen 3, Zen 4 and Zen 5"),
		[XS_TRAIT_FXRSTOR_SETS_XMODIFIED] = A(1, "assumed as Zen 3, Zen 4 and Zen 5"),
		[XS_TRAIT_FX_AC_ALIGN] = A(4, "assumed as Zen 3, Zen 4 and Zen 5"),
		[XS_TRAIT_XSAVE_AC_ALIGN] = A(0, "assumed as Zen 3, Zen 4 and Zen 5"),
		[XS_TRAIT_INIT_OPT] = A(1, OPT_SDM "; assumed on"),
		[XS_TRAIT_MODIFIED_OPT] = A(1, OPT_SDM "; assumed on"),
	} },
	{ "GenuineIntel", NULL, 0, { { 0 } },
	  "Intel (every family; nothing measured yet)", {
		[XS_TRAIT_X87_PTR_BITS] = D(64, "SDM1 §8.1.8 and §10.5.1: 64-bit FPU instruction and data "
					       "pointers in the REX.W image"),
		[XS_TRAIT_X87_PTRS_NEED_EXCEPTION] = D(0, "SDM2 FXSAVE/FXRSTOR: the pointers are saved and loaded "
							  "whatever FSW says; FDP_EXCPTN_ONLY (CPUID.(07h,0):EBX[6]) "
							  "only changes which x87 instructions update FDP"),
		[XS_TRAIT_FCS_FDS_ZERO] = D(FROM_CPUID, FCS_FDS_CPUID),
		[XS_TRAIT_MXCSR_MASK] = D(0xffff, "SDM1 §11.6.6: 0000FFFFh where DAZ is supported (every "
						  "x86-64 part); 0000FFBFh on the first SSE parts"),
		[XS_TRAIT_XINUSE_BY_VALUE] = A(0, "assumed: SDM1 §13.6 lets XINUSE[i] stay 1 after a load "
						  "from memory; Bochs evaluates it on the values"),
		[XS_TRAIT_FXRSTOR_SETS_XMODIFIED] = A(0, "assumed: SDM1 §13.6 sets XMODIFIED[i] for the components "
							 "an instruction may change (FXRSTOR: x87, SSE)"),
		[XS_TRAIT_FX_AC_ALIGN] = A(4, "assumed: Bochs raises #AC for an address not 4-byte aligned; "
					      "SDM2 FXSAVE leaves the #AC width to the implementation"),
		[XS_TRAIT_XSAVE_AC_ALIGN] = A(4, "assumed: Bochs raises #AC for an address not 4-byte aligned "
						 "(SDM1 §13.7 footnote: #AC may be raised instead of #GP)"),
		[XS_TRAIT_INIT_OPT] = A(1, OPT_SDM "; assumed on"),
		[XS_TRAIT_MODIFIED_OPT] = A(1, OPT_SDM "; assumed on"),
	} },
	{ NULL, NULL, 0, { { 0 } },
	  "Zhaoxin, Centaur and any other vendor (the SDM's rules, assumed)", {
		[XS_TRAIT_X87_PTR_BITS] = A(64, "assumed: the SDM's 64-bit pointers"),
		[XS_TRAIT_X87_PTRS_NEED_EXCEPTION] = A(0, "assumed: the SDM's rule"),
		[XS_TRAIT_FCS_FDS_ZERO] = D(FROM_CPUID, FCS_FDS_CPUID),
		[XS_TRAIT_MXCSR_MASK] = A(0xffff, "assumed: the SDM's value with DAZ"),
		[XS_TRAIT_XINUSE_BY_VALUE] = A(0, "assumed as Intel"),
		[XS_TRAIT_FXRSTOR_SETS_XMODIFIED] = A(0, "assumed as Intel"),
		[XS_TRAIT_FX_AC_ALIGN] = A(4, "assumed as Intel (Bochs)"),
		[XS_TRAIT_XSAVE_AC_ALIGN] = A(4, "assumed as Intel (Bochs)"),
		[XS_TRAIT_INIT_OPT] = A(1, OPT_SDM "; assumed on"),
		[XS_TRAIT_MODIFIED_OPT] = A(1, OPT_SDM "; assumed on"),
	} },
};

static const struct {
	const char *name, *description;
} traits[XS_TRAIT_COUNT] = {
	[XS_TRAIT_X87_PTR_BITS] = { "x87_ptr_bits",
		"FIP/FDP bits a 64-bit FXRSTOR/XRSTOR keeps, sign-extended from the top" },
	[XS_TRAIT_X87_PTRS_NEED_EXCEPTION] = { "x87_ptrs_need_exception",
		"FIP/FDP/FOP are loaded only when the image has an unmasked x87 exception pending (else 0)" },
	[XS_TRAIT_FCS_FDS_ZERO] = { "fcs_fds_zero", "FCS and FDS are stored as 0" },
	[XS_TRAIT_MXCSR_MASK] = { "mxcsr_mask", "MXCSR_MASK: the MXCSR bits software may set" },
	[XS_TRAIT_XINUSE_BY_VALUE] = { "xinuse_by_value",
		"XRSTOR of a component's init values leaves its XINUSE bit 0" },
	[XS_TRAIT_FXRSTOR_SETS_XMODIFIED] = { "fxrstor_sets_xmodified",
		"FXRSTOR marks every component modified, ending XSAVEOPT's modified optimisation" },
	[XS_TRAIT_FX_AC_ALIGN] = { "fx_ac_align",
		"FXSAVE/FXRSTOR with EFLAGS.AC: #AC for an operand not aligned to this, else #GP (0: never #AC)" },
	[XS_TRAIT_XSAVE_AC_ALIGN] = { "xsave_ac_align",
		"the XSAVE family with EFLAGS.AC: #AC for an operand not aligned to this, else #GP (0: never #AC)" },
	[XS_TRAIT_INIT_OPT] = { "init_opt", "the init optimisation: saves skip components in their init configuration" },
	[XS_TRAIT_MODIFIED_OPT] = { "modified_opt",
		"the modified optimisation: XSAVEOPT/XSAVES skip components unmodified since the last XRSTOR[S]" },
};

static bool vendor_is(const struct trait_row *r, const char *vendor)
{
	return !r->vendor || !strcmp(r->vendor, vendor) || (r->vendor2 && !strcmp(r->vendor2, vendor));
}

static bool row_matches(const struct trait_row *r, const xs_cpu *cpu)
{
	if (!vendor_is(r, cpu->vendor) || (r->family && r->family != cpu->family))
		return false;
	if (!r->models[0].hi)
		return true;	/* every model */
	for (size_t i = 0; i < XS_ARRAY_SIZE(r->models) && r->models[i].hi; i++)
		if (cpu->model >= r->models[i].lo && cpu->model <= r->models[i].hi)
			return true;
	return false;
}

static uint64_t from_cpuid(enum xs_trait t, const xs_cpu *cpu)
{
	switch (t) {
	case XS_TRAIT_FCS_FDS_ZERO: return xs_cpu_has(cpu, XS_CPU_ZERO_FCS_FDS);
	case XS_TRAIT_MXCSR_MASK: return 0xffffu | (xs_cpu_has(cpu, XS_CPU_MISALIGNSSE) ? 0x20000u : 0);
	default: return 0;
	}
}

static const struct trait_row *row_of(const xs_cpu *cpu)
{
	const struct trait_row *r = table;

	while (!row_matches(r, cpu))
		r++;	/* the last row matches every CPU */
	return r;
}

/* Trait t of row r, resolved against the CPU's CPUID where the row says so. */
static struct xs_trait_value value_of(const struct trait_row *r, enum xs_trait t, const xs_cpu *cpu)
{
	struct xs_trait_value v = r->v[t];

	if (v.value == FROM_CPUID)
		v.value = from_cpuid(t, cpu);
	return v;
}

void xs_traits_of(const xs_cpu *cpu, struct xs_traits *out)
{
	const struct trait_row *r = row_of(cpu);

	out->row = r->name;
	for (unsigned t = 0; t < XS_TRAIT_COUNT; t++)
		out->v[t] = value_of(r, (enum xs_trait)t, cpu);
}

const char *xs_traits_row(const xs_cpu *cpu)
{
	return row_of(cpu)->name;
}

int xs_traits_value(const xs_cpu *cpu, enum xs_trait t, struct xs_trait_value *out)
{
	if ((unsigned)t >= XS_TRAIT_COUNT)
		return -EINVAL;
	*out = value_of(row_of(cpu), t, cpu);
	return 0;
}

const char *xs_trait_name(enum xs_trait t)
{
	return (unsigned)t < XS_TRAIT_COUNT ? traits[t].name : NULL;
}

int xs_trait_by_name(const char *name)
{
	for (unsigned t = 0; t < XS_TRAIT_COUNT; t++)
		if (!strcmp(traits[t].name, name))
			return (int)t;
	return -1;
}

const char *xs_trait_description(enum xs_trait t)
{
	return (unsigned)t < XS_TRAIT_COUNT ? traits[t].description : NULL;
}

const char *xs_provenance_name(enum xs_provenance p)
{
	static const char *const names[] = { "measured", "documented", "assumed" };

	return (unsigned)p < XS_ARRAY_SIZE(names) ? names[p] : "?";
}

uint64_t xs_machine_trait(const xs_machine *m, enum xs_trait t)
{
	const struct xs_engine_impl *i = &m->impl;

	switch (t) {
	case XS_TRAIT_X87_PTR_BITS: return i->x87_ptr_bits;
	case XS_TRAIT_X87_PTRS_NEED_EXCEPTION: return i->x87_ptrs_need_exception;
	case XS_TRAIT_FCS_FDS_ZERO: return i->fcs_fds_zero;
	case XS_TRAIT_MXCSR_MASK: return m->mxcsr_mask;
	case XS_TRAIT_XINUSE_BY_VALUE: return i->xinuse_by_value;
	case XS_TRAIT_FXRSTOR_SETS_XMODIFIED: return i->fxrstor_sets_xmodified;
	case XS_TRAIT_FX_AC_ALIGN: return i->fx_ac_align;
	case XS_TRAIT_XSAVE_AC_ALIGN: return i->xsave_ac_align;
	case XS_TRAIT_INIT_OPT: return i->init_opt;
	case XS_TRAIT_MODIFIED_OPT: return i->modified_opt;
	default: return 0;
	}
}

/* 0 or a power of two up to `max`: where a misaligned operand may raise #AC. */
static bool ac_align_ok(uint64_t v, uint64_t max)
{
	return v <= max && !(v & (v - 1));
}

static bool value_ok(enum xs_trait t, uint64_t v)
{
	switch (t) {
	case XS_TRAIT_X87_PTR_BITS: return v >= 32 && v <= 64;
	case XS_TRAIT_MXCSR_MASK: return v <= UINT32_MAX && (v & 0xffbf) == 0xffbf;
	case XS_TRAIT_FX_AC_ALIGN: return ac_align_ok(v, 16);
	case XS_TRAIT_XSAVE_AC_ALIGN: return ac_align_ok(v, XS_XSAVE_ALIGNMENT);
	default: return v <= 1;
	}
}

int xs_machine_set_trait(xs_machine *m, enum xs_trait t, uint64_t v)
{
	struct xs_engine_impl *i = &m->impl;

	if ((unsigned)t >= XS_TRAIT_COUNT || !value_ok(t, v))
		return -EINVAL;
	switch (t) {
	case XS_TRAIT_X87_PTR_BITS: i->x87_ptr_bits = (unsigned)v; break;
	case XS_TRAIT_X87_PTRS_NEED_EXCEPTION: i->x87_ptrs_need_exception = v; break;
	case XS_TRAIT_FCS_FDS_ZERO: i->fcs_fds_zero = v; break;
	case XS_TRAIT_MXCSR_MASK: m->mxcsr_mask = (uint32_t)v; break;
	case XS_TRAIT_XINUSE_BY_VALUE: i->xinuse_by_value = v; break;
	case XS_TRAIT_FXRSTOR_SETS_XMODIFIED: i->fxrstor_sets_xmodified = v; break;
	case XS_TRAIT_FX_AC_ALIGN: i->fx_ac_align = (unsigned)v; break;
	case XS_TRAIT_XSAVE_AC_ALIGN: i->xsave_ac_align = (unsigned)v; break;
	case XS_TRAIT_INIT_OPT: i->init_opt = v; break;
	case XS_TRAIT_MODIFIED_OPT: i->modified_opt = v; break;
	default: break;
	}
	return 0;
}
