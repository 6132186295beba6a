// SPDX-License-Identifier: MIT
/* xs-test-label: fixture */
/*
 * A pool's levelled CPU and its VMM settings (xstate baseline --format
 * plain|dmesg, --emit qemu|libvirt|firecracker|rr), on real CPU dumps:
 *   - the levelled CPU of an AVX pool and of a pool with a host without
 *     XSAVE, derived by hand from the dumps and the SDM's numbers;
 *   - XCR0's groups leave together (a host whose Hi16_ZMM sits elsewhere
 *     takes AVX-512's three components with it);
 *   - the Firecracker template obeys the documented format (firecracker
 *     docs/cpu_templates/schema.json and cpu-templates.md: every field's
 *     type, leaf and subleaf strings holding integers, "0b" and 32 (MSR:
 *     64) characters of 0, 1, x), and applied to every host's own CPUID as
 *     that document defines it (0 clears, 1 sets, x keeps) gives the
 *     levelled CPU's leaf 0xD and the bits that decide it;
 *   - rr's options are `rr record`'s (RecordCommand.cc: hex masks, two for
 *     leaf 1, three for leaf 7.0, one for 0xD.1), mask exactly what the
 *     levelled process CPU lacks, and the exit status says whether the
 *     hosts' XCR0 let a trace replay everywhere;
 *   - QEMU's -cpu value for pools only KVM can show (AVX-512 on AMD's
 *     layout, AMX with CET) pins each deciding bit as the levelled CPU has
 *     it, and says on stderr what QEMU 7.2 cannot name;
 *   - bad input (an unknown VMM, options that do not go together) exits 2
 *     with a precise message and prints nothing on stdout.
 */
#include <errno.h>
#include <stdio.h>

#include <jansson.h>

#include "testutil.h"

/* fixtures under tests/data/cpuid */
#define D ""
#define POOL_AVX D "intel-sandy-bridge.plain.txt", D "intel-ivy-bridge.plain.txt", \
	D "intel-haswell.instlat.txt", D "intel-broadwell-ep.plain.txt"

enum { EAX, EBX, ECX, EDX };

/* "xstate baseline" and the pool's dumps (full paths), then `rest`. */
static char *baseline_args(const char *const *pool, unsigned n, const char *rest)
{
	static char args[8192];
	char path[1024];
	char rel[512];
	size_t len = (size_t)snprintf(args, sizeof(args), "baseline");

	for (unsigned i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "cpuid/%s", pool[i]);
		len += (size_t)snprintf(args + len, sizeof(args) - len, " %s",
					xt_data_path(rel, path, sizeof(path)));
	}
	snprintf(args + len, sizeof(args) - len, " %s", rest);
	return args;
}

#define POOL(...) (const char *const[]){ __VA_ARGS__ }, \
	sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)

/* Run the tool: stdout in *out, stderr in *err (either may be NULL); the exit status. */
static int tool(const char *args, char **out, char **err)
{
	char *o, *both;
	int st = xt_tool(args, &o, false);

	assert_int_equal(xt_tool(args, &both, true), st);
	if (err) {
		/* the tool writes its notes after its output: what follows stdout */
		*err = strdup(strncmp(both, o, strlen(o)) ? both : both + strlen(o));
	}
	free(both);
	if (out)
		*out = o;
	else
		free(o);
	return st;
}

/* The levelled CPU the tool prints with --format plain. */
static void plain_cpu(const char *const *pool, unsigned n, const char *opts, xs_cpu *cpu)
{
	char *out, rest[256];
	struct xs_diag diag;

	snprintf(rest, sizeof(rest), "%s --format plain", opts);
	assert_int_equal(tool(baseline_args(pool, n, rest), &out, NULL), 0);
	if (xs_cpu_parse(cpu, out, strlen(out), 0, "plain", &diag))
		fail_msg("--format plain is not a plain dump: %s", diag.msg);
	free(out);
}

static uint32_t reg(const xs_cpu *cpu, uint32_t leaf, uint32_t subleaf, unsigned r)
{
	uint32_t v[4];

	xs_cpuid(cpu, leaf, subleaf, v);
	return v[r];
}

/* ---- the levelled CPU ------------------------------------------------------ */

static void test_avx_pool_levels_to_the_hand_derived_cpu(void **state)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));
	uint32_t v[4];

	(void)state;
	assert_non_null(cpu);
	plain_cpu(POOL(POOL_AVX), "", cpu);
	/* SDM Vol. 1 13.4: legacy area 512 + header 64 = 576, where YMM's 256 bytes sit */
	assert_true(xs_cpuid(cpu, 0xd, 0, v));
	assert_int_equal(v[EAX], 0x7);
	assert_int_equal(v[EBX], 832);
	assert_int_equal(v[ECX], 832);
	assert_int_equal(v[EDX], 0);
	/* every host has XSAVEOPT (Sandy Bridge has nothing more) */
	assert_true(xs_cpuid(cpu, 0xd, 1, v));
	assert_int_equal(v[EAX], 0x1);
	assert_int_equal(v[ECX], 0);
	assert_true(xs_cpuid(cpu, 0xd, 2, v));
	assert_int_equal(v[EAX], 256);
	assert_int_equal(v[EBX], 576);
	assert_false(xs_cpuid(cpu, 0xd, 3, v));
	/* XSAVE, OSXSAVE (a Linux guest sets CR4.OSXSAVE), AVX */
	assert_int_equal(reg(cpu, 1, 0, ECX) & 0x1c000000, 0x1c000000);
	/* Sandy and Ivy Bridge have no AVX2, Haswell does: the pool does not */
	assert_int_equal(reg(cpu, 7, 0, EBX) & (1u << 5), 0);
	assert_int_equal(reg(cpu, 0, 0, EAX), 0xd);
	assert_string_equal(cpu->vendor, "GenuineIntel");
	free(cpu);
}

static void test_a_host_without_xsave_takes_xsave_from_the_guests(void **state)
{
	const xs_system *pool[2];
	xs_system *nhm = xt_system(D "intel-nehalem-bloomfield.plain.txt", NULL);
	xs_system *snb = xt_system(D "intel-sandy-bridge.plain.txt", NULL);
	xs_cpu *cpu = malloc(sizeof(*cpu));
	const struct xs_baseline_info *bi;
	struct xs_cpuid_leaf l;
	xs_baseline *bl;
	uint32_t v[4];

	(void)state;
	assert_non_null(cpu);
	pool[0] = nhm;
	pool[1] = snb;
	assert_int_equal(xs_baseline_new(&bl, pool, 2, XS_COMPAT_VCPU), 0);
	bi = xs_baseline_info(bl);
	assert_int_equal(bi->no_xsave, XS_BIT(0));
	assert_int_equal(bi->xcr0, 0x3);
	assert_int_equal(bi->d1_eax, 0);
	assert_true(xs_baseline_leaf_d(bl, 0, &l));
	assert_int_equal(l.eax, 0);
	assert_int_equal(l.ebx, 0);
	assert_int_equal(bi->standard_size, 512);	/* FXSAVE's image */
	assert_int_equal(xs_baseline_limiting(bl, 2), XS_BIT(0));
	assert_int_equal(xs_baseline_cpu(pool, 2, bl, cpu), 0);
	/* XSAVE, OSXSAVE, AVX and what needs AVX (FMA 12, F16C 29) all gone */
	assert_int_equal(reg(cpu, 1, 0, ECX) & (0x1c000000 | 1u << 12 | 1u << 29), 0);
	assert_false(xs_cpuid(cpu, 0xd, 0, v));
	assert_int_equal(reg(cpu, 0, 0, EAX), 7);
	assert_int_equal(xs_baseline_cpu(pool, 0, bl, cpu), -EINVAL);
	xs_baseline_free(bl);
	free(cpu);
	free(nhm);
	free(snb);
}

static void test_avx512_components_leave_together(void **state)
{
	xs_cpu *moved = malloc(sizeof(*moved));
	const xs_system *pool[2];
	xs_system *a, *b;
	xs_baseline *bl;
	uint32_t v[4];

	(void)state;
	assert_non_null(moved);
	/* Skylake-SP, with Hi16_ZMM moved past PKRU (0xb00): opmask and ZMM_Hi256 still agree */
	xt_load_cpu(moved, D "intel-skylake-sp.plain.txt");
	xs_cpuid(moved, 0xd, 7, v);
	assert_int_equal(xs_cpu_set_leaf(moved, 0xd, 7, v[EAX], 0xb00, v[ECX], v[EDX]), 0);
	xs_cpuid(moved, 0xd, 0, v);
	assert_int_equal(xs_cpu_set_leaf(moved, 0xd, 0, v[EAX], 0xf00, 0xf00, v[EDX]), 0);
	a = xt_system(D "intel-skylake-sp.plain.txt", NULL);
	b = xt_system_of(moved, NULL);
	pool[0] = a;
	pool[1] = b;
	assert_int_equal(xs_baseline_new(&bl, pool, 2, XS_COMPAT_VCPU), 0);
	/* XCR0[7:5] only together (SDM 13.3): all three go, limited by the moved host */
	assert_int_equal(xs_baseline_info(bl)->xcr0, 0x21f);
	assert_int_equal(xs_baseline_info(bl)->dropped & XS_XFEATURE_MASK_AVX512, XS_XFEATURE_MASK_AVX512);
	for (unsigned nr = 5; nr <= 7; nr++)
		assert_int_equal(xs_baseline_limiting(bl, nr), XS_BIT(1));
	xs_baseline_free(bl);
	free(moved);
	free(a);
	free(b);
}

static void test_dmesg_is_what_a_guest_prints_on_the_levelled_cpu(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(tool(baseline_args(POOL(POOL_AVX), "--kernel 6.18 --format dmesg"), &out, NULL), 0);
	/* the kernel's print_xstate_features()/print_xstate_offset_size(); XSAVEOPT, no XSAVES: standard */
	assert_string_equal(out,
			    "x86/fpu: Supporting XSAVE feature 0x001: 'x87 floating point registers'\n"
			    "x86/fpu: Supporting XSAVE feature 0x002: 'SSE registers'\n"
			    "x86/fpu: Supporting XSAVE feature 0x004: 'AVX registers'\n"
			    "x86/fpu: xstate_offset[2]:  576, xstate_sizes[2]:  256\n"
			    "x86/fpu: Enabled xstate features 0x7, context size is 832 bytes, using 'standard' format.\n");
	free(out);
	assert_int_equal(tool(baseline_args(POOL(D "intel-nehalem-bloomfield.plain.txt", D "amd-zen4.instlat.txt"),
					    "--format dmesg --kernel 6.1"), &out, NULL), 0);
	assert_string_equal(out, "x86/fpu: x87 FPU will use FXSAVE\n");
	free(out);
}

/* ---- Firecracker ------------------------------------------------------------ */

/* A string holding an integer, as schema.json asks of leaf, subleaf and addr. */
static uint64_t integer_string(json_t *s, const char *what)
{
	const char *t = json_string_value(s);
	char *end;
	uint64_t v;

	if (!t || !*t)
		fail_msg("%s: expected a string holding an integer", what);
	v = strtoull(t, &end, 0);
	if (*end)
		fail_msg("%s: '%s' is not an integer", what, t);
	return v;
}

/* "0b" and `bits` characters of 0, 1, x ('_' separators allowed): clear and set masks. */
static void parse_bitmap(json_t *s, unsigned bits, uint64_t *clear, uint64_t *set)
{
	const char *t = json_string_value(s);
	unsigned n = 0;

	if (!t || strncmp(t, "0b", 2))
		fail_msg("bitmap '%s': expected \"0b\" and %u characters of 0, 1, x", t ? t : "(not a string)", bits);
	*clear = *set = 0;
	for (t += 2; *t; t++) {
		if (*t == '_')
			continue;
		if (!strchr("01x", *t) || n == bits)
			fail_msg("bitmap: '%c' at %u: expected %u characters of 0, 1, x", *t, n, bits);
		if (*t == '0')
			*clear |= 1ull << (bits - 1 - n);
		else if (*t == '1')
			*set |= 1ull << (bits - 1 - n);
		n++;
	}
	if (n != bits)
		fail_msg("bitmap: %u characters, expected %u", n, bits);
}

static void expect_keys(json_t *o, const char *const *keys, unsigned n, const char *what)
{
	const char *k;
	json_t *v;

	if (!json_is_object(o))
		fail_msg("%s: expected an object", what);
	json_object_foreach(o, k, v) {
		bool known = false;

		for (unsigned i = 0; i < n; i++)
			known |= !strcmp(k, keys[i]);
		if (!known)
			fail_msg("%s: unknown key '%s'", what, k);
	}
	for (unsigned i = 0; i < n; i++)
		if (!json_object_get(o, keys[i]))
			fail_msg("%s: missing '%s'", what, keys[i]);
}

/* Apply a template's CPUID modifiers to `cpu`, checking the format on the way. */
static void apply_template(json_t *t, xs_cpu *cpu)
{
	static const char *const top[] = { "cpuid_modifiers", "msr_modifiers" };
	static const char *const leaf_keys[] = { "leaf", "subleaf", "flags", "modifiers" };
	static const char *const mod_keys[] = { "register", "bitmap" };
	static const char *const msr_keys[] = { "addr", "bitmap" };
	static const char *const regs[] = { "eax", "ebx", "ecx", "edx" };
	size_t i, j;
	json_t *l, *m;

	expect_keys(t, top, 2, "template");
	assert_true(json_is_array(json_object_get(t, "cpuid_modifiers")));
	json_array_foreach(json_object_get(t, "cpuid_modifiers"), i, l) {
		uint32_t leaf, subleaf, v[4];
		unsigned seen = 0;

		expect_keys(l, leaf_keys, 4, "cpuid modifier");
		leaf = (uint32_t)integer_string(json_object_get(l, "leaf"), "leaf");
		subleaf = (uint32_t)integer_string(json_object_get(l, "subleaf"), "subleaf");
		/* KVM_CPUID_FLAG_SIGNIFCANT_INDEX for the leaves with sub-leaves */
		assert_true(json_is_integer(json_object_get(l, "flags")));
		assert_int_equal(json_integer_value(json_object_get(l, "flags")),
				 leaf == 7 || leaf == 0xd || leaf == 0x1d);
		assert_true(json_is_array(json_object_get(l, "modifiers")));
		assert_true(json_array_size(json_object_get(l, "modifiers")) > 0);
		xs_cpuid(cpu, leaf, subleaf, v);
		json_array_foreach(json_object_get(l, "modifiers"), j, m) {
			const char *r;
			uint64_t clear, set;
			unsigned k;

			expect_keys(m, mod_keys, 2, "register modifier");
			r = json_string_value(json_object_get(m, "register"));
			for (k = 0; k < 4 && r && strcmp(r, regs[k]); k++)
				;
			if (k == 4)
				fail_msg("register '%s': expected eax, ebx, ecx or edx", r ? r : "(not a string)");
			assert_false(seen & (1u << k));	/* one modifier per register */
			seen |= 1u << k;
			parse_bitmap(json_object_get(m, "bitmap"), 32, &clear, &set);
			v[k] = (uint32_t)((v[k] & ~clear) | set);
		}
		assert_int_equal(xs_cpu_set_leaf(cpu, leaf, subleaf, v[EAX], v[EBX], v[ECX], v[EDX]), 0);
	}
	assert_true(json_is_array(json_object_get(t, "msr_modifiers")));
	json_array_foreach(json_object_get(t, "msr_modifiers"), i, m) {
		uint64_t clear, set;

		expect_keys(m, msr_keys, 2, "msr modifier");
		/* IA32_XSS: nothing set, everything outside the baseline cleared */
		assert_int_equal(integer_string(json_object_get(m, "addr"), "addr"), 0xda0);
		parse_bitmap(json_object_get(m, "bitmap"), 64, &clear, &set);
		assert_int_equal(set, 0);
	}
}

/* The bits of leaves 1 and 7 that decide the xsave state (OSXSAVE and OSPKE follow CR4). */
static void expect_same_xsave_cpuid(const xs_cpu *got, const xs_cpu *want, const char *what)
{
	static const struct { uint32_t leaf, subleaf; unsigned r; uint32_t mask; } decide[] = {
		{ 1, 0, ECX, 1u << 26 | 1u << 28 },			/* XSAVE, AVX */
		{ 7, 0, EBX, 1u << 14 | 1u << 16 },			/* MPX, AVX512F */
		{ 7, 0, ECX, 1u << 3 | 1u << 7 | 1u << 29 },		/* PKU, SHSTK, ENQCMD */
		{ 7, 0, EDX, 1u << 19 | 1u << 20 | 1u << 24 },		/* ARCH_LBR, IBT, AMX_TILE */
		{ 7, 1, EDX, 1u << 21 },				/* APX */
	};

	for (unsigned s = 0; s < 64; s++)
		for (unsigned r = 0; r < 4; r++)
			if (reg(got, 0xd, s, r) != reg(want, 0xd, s, r))
				fail_msg("%s: CPUID 0xd.%u reg %u is %#x, the levelled CPU's %#x", what, s, r,
					 reg(got, 0xd, s, r), reg(want, 0xd, s, r));
	for (unsigned i = 0; i < sizeof(decide) / sizeof(decide[0]); i++) {
		uint32_t g = reg(got, decide[i].leaf, decide[i].subleaf, decide[i].r) & decide[i].mask;
		uint32_t w = reg(want, decide[i].leaf, decide[i].subleaf, decide[i].r) & decide[i].mask;

		if (g != w)
			fail_msg("%s: CPUID %#x.%u reg %u bits %#x are %#x, the levelled CPU's %#x", what,
				 decide[i].leaf, decide[i].subleaf, decide[i].r, decide[i].mask, g, w);
	}
}

static void check_firecracker(const char *const *pool, unsigned n)
{
	xs_cpu *want = malloc(sizeof(*want)), *host = malloc(sizeof(*host));
	json_error_t jerr;
	char *out;
	json_t *t;

	assert_non_null(want);
	assert_non_null(host);
	plain_cpu(pool, n, "", want);
	assert_int_equal(tool(baseline_args(pool, n, "--emit firecracker"), &out, NULL), 0);
	t = json_loads(out, 0, &jerr);
	if (!t)
		fail_msg("--emit firecracker: not JSON: line %d: %s", jerr.line, jerr.text);
	for (unsigned i = 0; i < n; i++) {
		/* the template on this host's own CPUID, as Firecracker applies it */
		xt_load_cpu(host, pool[i]);
		apply_template(t, host);
		expect_same_xsave_cpuid(host, want, pool[i]);
	}
	json_decref(t);
	free(out);
	free(want);
	free(host);
}

static void test_firecracker_template_is_valid_and_levels_every_host(void **state)
{
	(void)state;
	check_firecracker(POOL(POOL_AVX));
	check_firecracker(POOL(D "intel-nehalem-bloomfield.plain.txt", D "intel-sandy-bridge.plain.txt"));
	check_firecracker(POOL(D "amd-zen3.instlat.txt", D "amd-zen4.instlat.txt", D "intel-skylake-sp.plain.txt"));
	check_firecracker(POOL(D "amd-zen4.instlat.txt", D "amd-zen5-turin.instlat.txt"));
	check_firecracker(POOL(D "intel-sapphire-rapids-ws.instlat.txt", D "intel-emerald-rapids.instlat.txt",
			       D "intel-alder-lake-s-avx512.instlat.txt"));
	check_firecracker(POOL(D "intel-skylake-sp.plain.txt", D "intel-cascade-lake-sp.plain.txt",
			       D "intel-skylake-client.instlat.txt"));
}

/* ---- rr ----------------------------------------------------------------------- */

static void test_rr_masks_what_the_levelled_process_cpu_lacks(void **state)
{
	const char *const pool[] = { D "intel-haswell.instlat.txt", D "intel-broadwell-ep.plain.txt",
				     D "intel-skylake-client.instlat.txt" };
	xs_cpu *want = malloc(sizeof(*want)), *host = malloc(sizeof(*host));
	unsigned l1c, l1d, l7b, l7c, l7d, d1a;
	char *out, *err;
	int used = 0;

	(void)state;
	assert_non_null(want);
	assert_non_null(host);
	plain_cpu(pool, 3, "--kind task", want);
	assert_int_equal(tool(baseline_args(pool, 3, "--emit rr"), &out, &err), 1);
	/* rr record's syntax (RecordCommand.cc parse_feature_bits: strtoull base 0, commas) */
	if (sscanf(out, "--disable-cpuid-features %x,%x --disable-cpuid-features-ext %x,%x,%x "
			"--disable-cpuid-features-xsave %x\n%n", &l1c, &l1d, &l7b, &l7c, &l7d, &d1a, &used) != 6 ||
	    out[used])
		fail_msg("--emit rr: '%s' is not rr record's options", out);
	assert_int_equal(l1c, ~reg(want, 1, 0, ECX));
	assert_int_equal(l1d, ~reg(want, 1, 0, EDX));
	assert_int_equal(l7b, ~reg(want, 7, 0, EBX));
	assert_int_equal(l7c, ~reg(want, 7, 0, ECX));
	assert_int_equal(l7d, ~reg(want, 7, 0, EDX));
	assert_int_equal(d1a, ~reg(want, 0xd, 1, EAX));
	/* what a tracee reads on each host (amend_cpuid_data) is the levelled CPU's */
	for (unsigned i = 0; i < 3; i++) {
		xt_load_cpu(host, pool[i]);
		assert_int_equal(reg(host, 1, 0, EDX) & ~l1d, reg(want, 1, 0, EDX));
		/* OSXSAVE (27) is the OS's: rr passes the host's through */
		assert_int_equal(reg(host, 1, 0, ECX) & ~l1c & ~(1u << 27), reg(want, 1, 0, ECX) & ~(1u << 27));
		assert_int_equal(reg(host, 7, 0, EBX) & ~l7b, reg(want, 7, 0, EBX));
		assert_int_equal(reg(host, 0xd, 1, EAX) & ~d1a, reg(want, 0xd, 1, EAX));
	}
	/* MPX: Skylake's XCR0 has it, the pool's does not; rr cannot mask XCR0 */
	assert_non_null(strstr(err, "intel-skylake-client.instlat.txt runs with XCR0 0x1f"));
	assert_non_null(strstr(err, "boot it with clearcpuid=mpx"));
	assert_null(strstr(err, "intel-haswell"));
	free(out);
	free(err);
	/* the same XCR0 everywhere: the masks alone make traces portable */
	assert_int_equal(tool(baseline_args(pool, 2, "--emit rr"), &out, &err), 0);
	assert_string_equal(err, "");
	free(out);
	free(err);
	free(want);
	free(host);
}

/* ---- QEMU for pools only KVM can show ------------------------------------------------- */

static void test_qemu_value_pins_every_deciding_bit_of_kvm_only_pools(void **state)
{
	char *out, *err;

	(void)state;
	/* AVX-512 at AMD's offsets (opmask at 0x340): TCG's table has Intel's 0x440, KVM takes the host's */
	assert_int_equal(tool(baseline_args(POOL(D "amd-zen4.instlat.txt", D "amd-zen5-turin.instlat.txt"),
					    "--emit qemu --model EPYC-Milan"), &out, &err), 0);
	assert_string_equal(out,
			    "EPYC-Milan,+xsave,+avx,-mpx,+avx512f,+pku,-arch-lbr,-amx-bf16,-amx-tile,-amx-int8,"
			    "+xsaveopt,+xsavec,+xgetbv1,+xsaves,-xfd\n");
	/* both Zen 4 and 5 have shadow stacks: QEMU 7.2 cannot show CET, and says so */
	assert_non_null(strstr(err, "the pool offers guests cet_u,cet_s"));
	assert_non_null(strstr(err, "--disable shstk"));
	free(out);
	free(err);
	/* AMX with XFD */
	assert_int_equal(tool(baseline_args(POOL(D "intel-sapphire-rapids-ws.instlat.txt",
						 D "intel-emerald-rapids.instlat.txt"), "--emit qemu --disable shstk,ibt"),
			      &out, &err), 0);
	assert_string_equal(out, "kvm64,+xsave,+avx,-mpx,+avx512f,+pku,-arch-lbr,+amx-tile,"
				 "+xsaveopt,+xsavec,+xgetbv1,+xsaves,+xfd\n");
	assert_string_equal(err, "");
	free(out);
	free(err);
}

/* ---- bad input ------------------------------------------------------------------------ */

static void test_bad_options_exit_2_with_a_precise_message(void **state)
{
	static const struct { const char *args, *message; } cases[] = {
		{ "--emit vmware", "--emit: unknown VMM 'vmware' (expected qemu|libvirt|firecracker|rr)" },
		{ "--emit qemu --format plain", "--emit qemu prints that VMM's own settings; --format does not apply" },
		{ "--format json --emit libvirt", "--emit libvirt prints that VMM's own settings; --format does not apply" },
		{ "--kernel 6.1", "--kernel is the guest's release for --format dmesg" },
		{ "--kernel 6.1 --format plain", "--kernel is the guest's release for --format dmesg" },
		{ "--model Nehalem --emit firecracker", "--model names QEMU's or libvirt's CPU model; it needs --emit qemu or --emit libvirt" },
		{ "--model Nehalem", "--model names QEMU's or libvirt's CPU model" },
		{ "--emit qemu --model kvm64,+avx512f", "--model: 'kvm64,+avx512f' is not a CPU model name" },
		{ "--emit libvirt --model \"kvm64'/>\"", "is not a CPU model name" },
		{ "--emit qemu --kind task", "--emit qemu levels vCPUs; --kind task does not apply" },
		{ "--emit rr --kind vcpu", "--emit rr levels processes (rr records tasks); --kind vcpu does not apply" },
		{ "--format csv", "--format: unknown format 'csv' (expected text|json|plain|dmesg)" },
		{ "--disable avx9", "--disable: unknown CPU feature 'avx9'" },
		{ "--kernel 4.19 --format dmesg", "--kernel: expected a release" },
	};
	char args[8192], *out, *err;

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(args, sizeof(args), "%s", baseline_args(POOL(D "intel-haswell.instlat.txt"), cases[i].args));
		if (tool(args, &out, &err) != 2 || !strstr(err, cases[i].message) || *out)
			fail_msg("xstate %s: wanted exit 2, '%s' on stderr and nothing on stdout; got stdout '%s', stderr '%s'",
				 args, cases[i].message, out, err);
		free(out);
		free(err);
	}
	assert_int_equal(tool("baseline --emit qemu", &out, &err), 2);
	assert_non_null(strstr(err, "expected 1 to 64 hosts"));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_avx_pool_levels_to_the_hand_derived_cpu),
		cmocka_unit_test(test_a_host_without_xsave_takes_xsave_from_the_guests),
		cmocka_unit_test(test_avx512_components_leave_together),
		cmocka_unit_test(test_dmesg_is_what_a_guest_prints_on_the_levelled_cpu),
		cmocka_unit_test(test_firecracker_template_is_valid_and_levels_every_host),
		cmocka_unit_test(test_rr_masks_what_the_levelled_process_cpu_lacks),
		cmocka_unit_test(test_qemu_value_pins_every_deciding_bit_of_kvm_only_pools),
		cmocka_unit_test(test_bad_options_exit_2_with_a_precise_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
