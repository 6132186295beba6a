// SPDX-License-Identifier: MIT
/*
 * `xstate decode` on buffers the library makes: a ptrace buffer of a task
 * whose registers were set through PTRACE_SETREGSET (x87 stack order and
 * tags, XMM/YMM/ZMM, opmask, PKRU keys, TILECFG), a signal frame with its
 * fx_sw_bytes, a compacted XSAVES-style image built by hand (CET, AMX
 * tiles), the JSON keys, the decimal value of special x87 numbers, and
 * every input error (exit 2 with the reason).
 */
#include <stdio.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"
#include "common/le.h"

static char dir[] = "/tmp/xs-decode-XXXXXX";
static xs_system *spr, *zen4;
static char spr_path[512], zen4_path[512];

static int setup(void **state)
{
	(void)state;
	if (xt_scratch_dir(dir))
		return -1;
	spr = xt_model(xt_cpu_spr, dir, "spr.txt", spr_path, sizeof(spr_path));
	zen4 = xt_model(xt_cpu_zen4_cet, dir, "zen4.txt", zen4_path, sizeof(zen4_path));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(spr);
	free(zen4);
	return xt_remove_dir(dir);
}

static const char *write_buffer(const char *name, const void *buf, size_t len)
{
	return xt_write_file(dir, name, buf, len);
}

static void expect_line(const char *out, const char *needle)
{
	if (!strstr(out, needle))
		fail_msg("'%s' is not in the output:\n%s", needle, out);
}

/* x87 after FLD1: TOP = 7, ST(0) = physical R7 = 1.0, only R7 tagged. */
static void set_st0_one(uint8_t *b)
{
	xs_st16(b + 2, 0x3800);
	b[4] = 0x80;
	xs_st64(b + 32, UINT64_C(0x8000000000000000));
	xs_st16(b + 40, 0x3fff);
}

static void set_vectors(uint8_t *b, const xs_system *sys)
{
	for (unsigned i = 0; i < 16; i++) {
		b[160 + 48 + i] = (uint8_t)(i + 1);			/* XMM3 */
		b[sys->xstate_offsets[2] + 48 + i] = (uint8_t)(0xa0 + i);	/* YMM3 high half */
	}
}

/*
 * A task of `sys` whose state was set with PTRACE_SETREGSET from a buffer
 * `fill` prepared; returns what PTRACE_GETREGSET then gives.
 */
static uint8_t *ptrace_buffer(const xs_system *sys, uint64_t bv, void (*fill)(uint8_t *, const xs_system *),
			      size_t *len)
{
	struct xs_verdict v = { 0 };
	xs_fpu fpu;
	uint8_t *b;

	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	*len = xs_ptrace_xstate_size(sys);
	b = calloc(1, *len);
	assert_non_null(b);
	assert_int_equal(xs_ptrace_getregset(&fpu, b, *len, NULL), 0);
	fill(b, sys);
	xs_st64(b + 512, bv);
	if (xs_ptrace_setregset(&fpu, b, *len, &v))
		fail_msg("PTRACE_SETREGSET refused: %s", v.reason);
	memset(b, 0xee, *len);
	assert_int_equal(xs_ptrace_getregset(&fpu, b, *len, NULL), 0);
	xs_fpu_destroy(&fpu);
	return b;
}

static void fill_spr(uint8_t *b, const xs_system *sys)
{
	uint8_t *cfg = b + sys->xstate_offsets[XS_XFEATURE_XTILE_CFG];

	set_st0_one(b);
	set_vectors(b, sys);
	xs_st64(b + sys->xstate_offsets[XS_XFEATURE_OPMASK] + 8, 0x1234);	/* k1 */
	xs_st32(b + sys->xstate_offsets[XS_XFEATURE_PKRU], 0x4c);	/* key 1 AD+WD, key 3 AD */
	cfg[0] = 1;	/* palette 1: two tiles of 16 rows x 64 bytes */
	xs_st16(cfg + 16, 64);
	xs_st16(cfg + 18, 64);
	cfg[48] = 16;
	cfg[49] = 16;
}

static void test_ptrace_buffer_decodes_registers_the_task_was_given(void **state)
{
	uint64_t bv = XS_XFEATURE_MASK_FPSSE | XS_XFEATURE_MASK_YMM | XS_XFEATURE_MASK_OPMASK |
		      XS_XFEATURE_MASK_PKRU | XS_XFEATURE_MASK_XTILE_CFG;
	size_t len;
	uint8_t *b = ptrace_buffer(spr, bv, fill_spr, &len);
	char args[2048], *out;

	(void)state;
	snprintf(args, sizeof(args), "decode %s --cpuid %s --kind ptrace", write_buffer("spr.ptrace", b, len), spr_path);
	assert_int_equal(xt_tool(args, &out, true), 0);
	expect_line(out, "XSTATE_BV:  0x20227 (x87,sse,avx,avx512_opmask,pkru,amx_tilecfg)");
	expect_line(out, "  xcr0             0x602e7\n");
	expect_line(out, "  st0          1  tag=valid phys=R7 raw=0x3fff8000000000000000\n");
	expect_line(out, "  st1          0  tag=empty phys=R0");
	expect_line(out, "  fsw          0x3800  top=7");
	expect_line(out, "  xmm3         0x100f0e0d0c0b0a090807060504030201\n");
	expect_line(out, "  ymm3         0xafaeadacabaaa9a8a7a6a5a4a3a2a1a0100f0e0d0c0b0a090807060504030201\n");
	expect_line(out, "  k1           0x0000000000001234\n");
	expect_line(out, "  pkru         0x0000004c\n  access_disabled 1,3\n  write_disabled 1\n");
	expect_line(out, "  palette      1\n  start_row    0\n  colsb        64,64,0,0,0,0,0,0\n"
			 "  rows         16,16,0,0,0,0,0,0\n");
	expect_line(out, "component 9 pkru: offset 2688, 8 bytes");
	/* components XSTATE_BV leaves in their init state are not listed */
	assert_null(strstr(out, "avx512_zmm_hi256:"));
	free(out);
	free(b);
}

static void fill_zen4(uint8_t *b, const xs_system *sys)
{
	set_vectors(b, sys);
	for (unsigned i = 0; i < 32; i++)
		b[sys->xstate_offsets[XS_XFEATURE_ZMM_Hi256] + 96 + i] = (uint8_t)(0xc0 + i);	/* ZMM3 */
	b[sys->xstate_offsets[XS_XFEATURE_Hi16_ZMM] + 64 * 15] = 0x77;	/* ZMM31 */
}

static void test_zmm_combines_xmm_ymm_and_zmm_hi256(void **state)
{
	size_t len;
	uint8_t *b = ptrace_buffer(zen4, 0xe7, fill_zen4, &len);
	char args[2048], *out;

	(void)state;
	snprintf(args, sizeof(args), "decode %s --cpuid %s", write_buffer("zen4.ptrace", b, len), zen4_path);
	assert_int_equal(xt_tool(args, &out, true), 0);
	expect_line(out, "  zmm3         0xdfdedddcdbdad9d8d7d6d5d4d3d2d1d0cfcecdcccbcac9c8c7c6c5c4c3c2c1c0"
			 "afaeadacabaaa9a8a7a6a5a4a3a2a1a0100f0e0d0c0b0a090807060504030201\n");
	expect_line(out, "component 7 avx512_hi16_zmm: offset 1408, 1024 bytes");
	expect_line(out, "  zmm31        0x");
	expect_line(out, "0077\n");
	free(out);
	free(b);
}

/* Without SSE in XSTATE_BV the upper halves are shown on their own. */
static void test_ymm_without_sse_shows_only_the_high_halves(void **state)
{
	uint8_t b[2432] = { 0 };
	char args[2048], *out;

	(void)state;
	xs_st64(b + 512, XS_XFEATURE_MASK_YMM);
	b[576 + 16] = 0x42;
	snprintf(args, sizeof(args), "decode %s --cpuid %s --kind xsave", write_buffer("ymm.xsave", b, sizeof(b)),
		 zen4_path);
	assert_int_equal(xt_tool(args, &out, true), 0);
	expect_line(out, "  ymm_hi128_1  0x00000000000000000000000000000042\n");
	assert_null(strstr(out, "component 1 sse"));
	free(out);
}

static void test_sigframe_shows_fx_sw_bytes_and_magic2(void **state)
{
	xs_fpu fpu;
	uint8_t frame[2432 + 4];
	char args[2048], *out;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, zen4, NULL), 0);
	assert_int_equal(xs_sigframe_save(&fpu, frame, sizeof(frame)), 0);
	xs_fpu_destroy(&fpu);
	snprintf(args, sizeof(args), "decode %s --cpuid %s --kind sigframe",
		 write_buffer("frame", frame, sizeof(frame)), zen4_path);
	assert_int_equal(xt_tool(args, &out, true), 0);
	expect_line(out, "signal frame fx_sw_bytes:\n  magic1           0x46505853\n  magic1_ok        yes\n"
			 "  extended_size    2436\n  xfeatures        0xe7\n");
	expect_line(out, "  xstate_size      2432\n  magic2_present   yes\n");
	expect_line(out, "  fcw          0x037f  masks=IM,DM,ZM,OM,UM,PM pc=extended rc=nearest\n");
	free(out);
	/* without MAGIC2 the kernel would restore only the FXSAVE part */
	frame[2432] ^= 0xff;
	snprintf(args, sizeof(args), "decode %s --cpuid %s --kind sigframe",
		 write_buffer("frame", frame, sizeof(frame)), zen4_path);
	assert_int_equal(xt_tool(args, &out, true), 0);
	expect_line(out, "  magic2_present   no\n");
	free(out);
}

/*
 * An XSAVES image of an SPR vCPU built from the numbers of xsave-isa.md
 * §1.1: components ascending from 576, TILECFG and TILEDATA aligned to 64.
 */
enum { C_OPMASK = 832, C_PKRU = 2432, C_CET_U = 2440, C_CET_S = 2456, C_TILECFG = 2496,
       C_TILEDATA = 2560, C_END = 10752 };

static uint8_t *compacted_image(void)
{
	/* x87, SSE, AVX, AVX-512, PKRU, CET_U, CET_S, TILECFG, TILEDATA */
	uint64_t comp = UINT64_C(0x61ae7);
	uint8_t *b = calloc(1, C_END);

	assert_non_null(b);
	xs_st64(b + 512, comp);
	xs_st64(b + 520, comp | XS_XCOMP_BV_COMPACTED_FORMAT);
	xs_st16(b, 0x037f);
	xs_st32(b + 24, 0x1f80);
	xs_st64(b + C_OPMASK + 56, 0xff);				/* k7 */
	xs_st32(b + C_PKRU, 0x4);					/* key 1 AD */
	xs_st64(b + C_CET_U, UINT64_C(0x7f0000001005));		/* SH_STK_EN ENDBR_EN, bitmap */
	xs_st64(b + C_CET_U + 8, UINT64_C(0x7ffd0000fff8));	/* PL3_SSP */
	xs_st64(b + C_CET_S + 16, UINT64_C(0xffff800000001000));	/* PL2_SSP */
	b[C_TILECFG] = 1;
	b[C_TILEDATA + 2 * 1024 + 5] = 0x99;			/* one byte of TMM2 */
	return b;
}

static void test_compacted_image_built_by_hand(void **state)
{
	uint8_t *b = compacted_image();
	const char *path = write_buffer("spr.xsaves", b, C_END);
	char args[2048], *out;

	(void)state;
	snprintf(args, sizeof(args), "decode %s --cpuid %s", path, spr_path);
	assert_int_equal(xt_tool(args, &out, true), 0);
	expect_line(out, "kind:       auto, compacted format\n");
	expect_line(out, "XCOMP_BV:   0x8000000000061ae7 (x87,sse,avx,avx512_opmask,avx512_zmm_hi256,"
			 "avx512_hi16_zmm,pkru,cet_u,cet_s,amx_tilecfg,amx_tiledata)");
	expect_line(out, "component 11 cet_u: offset 2440, 16 bytes\n"
			 "  ia32_u_cet   0x00007f0000001005  bits=SH_STK_EN,ENDBR_EN legacy_bitmap=0x00007f0000001000\n"
			 "  ia32_pl3_ssp 0x00007ffd0000fff8\n");
	expect_line(out, "  ia32_pl2_ssp 0xffff800000001000\n");
	expect_line(out, "component 17 amx_tilecfg: offset 2496, 64 bytes\n  palette      1\n");
	expect_line(out, "component 18 amx_tiledata: offset 2560, 8192 bytes\n  tmm0         all zero\n");
	expect_line(out, "  tmm2         non-zero (1 of 1024 bytes set)\n");
	expect_line(out, "  k7           0x00000000000000ff\n");
	expect_line(out, "  access_disabled 1\n  write_disabled -\n");
	free(out);
	/* --kind xsavec says the same; --kind xsave reads it as standard and refuses */
	snprintf(args, sizeof(args), "decode %s --cpuid %s --kind xsavec", path, spr_path);
	assert_int_equal(xt_tool(args, &out, true), 0);
	expect_line(out, "kind:       xsavec, compacted format\n");
	free(out);
	snprintf(args, sizeof(args), "decode %s --cpuid %s --kind xsave", path, spr_path);
	assert_int_equal(xt_tool(args, &out, true), 2);
	expect_line(out, "xstate: ");
	free(out);
	free(b);
}

static void test_mpx_registers_on_a_client(void **state)
{
	xs_cpu cpu;
	uint8_t b[1088] = { 0 };
	char args[2048], *out;
	const char *dump;

	(void)state;
	xt_cpu_avx2_client(&cpu);
	dump = xt_write_dump(&cpu, dir, "client.txt");
	xs_st64(b + 512, XS_XFEATURE_MASK_BNDREGS | XS_XFEATURE_MASK_BNDCSR);
	xs_st64(b + 960, 0x1000);				/* BND0 lower */
	xs_st64(b + 968, ~UINT64_C(0x1fff));		/* BND0 upper, one's complement */
	xs_st64(b + 1024, UINT64_C(0x70000003));		/* BNDCFGU: EN, BNDPRESERVE, base */
	xs_st64(b + 1032, 2);				/* BNDSTATUS */
	snprintf(args, sizeof(args), "decode %s --cpuid %s --kind xsave", write_buffer("mpx", b, sizeof(b)), dump);
	assert_int_equal(xt_tool(args, &out, true), 0);
	expect_line(out, "  bnd0         lower=0x0000000000001000 upper=0xffffffffffffe000\n");
	expect_line(out, "  bndcfgu      0x0000000070000003  bits=EN,BNDPRESERVE base=0x0000000070000000\n"
			 "  bndstatus    0x0000000000000002\n");
	free(out);
}

/*
 * A CPU with PT, PASID and APX (synthetic: component numbers and sizes of
 * xsave-isa.md §1.1) and an XSAVES image of them: PT has no decoder and
 * shows as bytes, PASID and R16..R31 as registers.
 */
static void test_pasid_apx_and_raw_components(void **state)
{
	static const struct xt_comp comps[] = {
		{ 2, 256, 576, 0 }, { 8, 128, 0, 1 }, { 10, 8, 0, 1 }, { 19, 128, 960, 0 },
	};
	const struct xt_synth s = {
		.vendor = "GenuineIntel", .leaf1_eax = 0x000a06a4,
		.leaf1_ecx = XT_L1_ECX_XSAVE | XT_L1_ECX_OSXSAVE | XT_L1_ECX_AVX, .leaf1_edx = XT_L1_EDX_BASE,
		.leaf7_ecx = XT_L7_ECX_ENQCMD, .leaf7_1_edx = XT_L71_EDX_APX, .d1_eax = 0xf,
		.comps = comps, .ncomps = 4,
	};
	uint64_t comp = UINT64_C(0x80507);
	uint8_t b[1096] = { 0 };
	char args[2048], *out;
	const char *dump;
	xs_cpu cpu;

	(void)state;
	xt_cpu_synth(&cpu, &s);
	dump = xt_write_dump(&cpu, dir, "apx.txt");
	xs_st64(b + 512, comp & ~XS_XFEATURE_MASK_FPSSE & ~XS_XFEATURE_MASK_YMM);
	xs_st64(b + 520, comp | XS_XCOMP_BV_COMPACTED_FORMAT);
	b[832] = 0xab;					/* PT: IA32_RTIT_CTL */
	xs_st64(b + 960, UINT64_C(0x80000005));		/* PASID */
	xs_st64(b + 968, 0x16);				/* R16 */
	xs_st64(b + 968 + 15 * 8, 0x31);			/* R31 */
	snprintf(args, sizeof(args), "decode %s --cpuid %s", write_buffer("apx", b, sizeof(b)), dump);
	assert_int_equal(xt_tool(args, &out, true), 0);
	expect_line(out, "component 8 pt: offset 832, 128 bytes\n  bytes        ab000000");
	expect_line(out, "component 10 pasid: offset 960, 8 bytes\n  ia32_pasid   0x0000000080000005\n");
	expect_line(out, "component 19 apx: offset 968, 128 bytes\n  r16          0x0000000000000016\n");
	expect_line(out, "  r31          0x0000000000000031\n");
	free(out);
}

static json_t *decode_json(const char *args)
{
	char *out;
	json_error_t err;
	json_t *doc;

	assert_int_equal(xt_tool(args, &out, true), 0);
	doc = json_loads(out, 0, &err);
	if (!doc)
		fail_msg("not JSON (%s): %s", err.text, out);
	free(out);
	return doc;
}

static json_t *component(json_t *doc, int index)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(doc, "components"), i, c)
		if (json_integer_value(json_object_get(c, "index")) == index)
			return c;
	fail_msg("component %d not in the document", index);
	return NULL;
}

static void test_json_has_stable_keys_and_tile_bytes(void **state)
{
	uint8_t *b = compacted_image();
	char args[2048];
	json_t *doc, *c, *regs, *tmm2;

	(void)state;
	snprintf(args, sizeof(args), "decode %s --cpuid %s --format json", write_buffer("spr.json.bin", b, C_END),
		 spr_path);
	doc = decode_json(args);
	assert_string_equal(json_string_value(json_object_get(doc, "format")), "compacted");
	assert_string_equal(json_string_value(json_object_get(doc, "xstate_bv")), "0x61ae7");
	assert_string_equal(json_string_value(json_object_get(doc, "xcomp_bv")), "0x8000000000061ae7");
	c = component(doc, 12);
	assert_string_equal(json_string_value(json_object_get(c, "name")), "cet_s");
	assert_int_equal(json_integer_value(json_object_get(c, "offset")), C_CET_S);
	assert_int_equal(json_integer_value(json_object_get(c, "size")), 24);
	regs = json_object_get(component(doc, 18), "registers");
	tmm2 = json_object_get(regs, "tmm2");
	assert_true(json_is_true(json_object_get(tmm2, "nonzero")));
	assert_int_equal(strlen(json_string_value(json_object_get(tmm2, "hex"))), 2048);
	assert_memory_equal(json_string_value(json_object_get(tmm2, "hex")) + 10, "99", 2);
	regs = json_object_get(component(doc, 0), "registers");
	assert_string_equal(json_string_value(json_object_get(json_object_get(regs, "fcw"), "value")), "0x037f");
	regs = json_object_get(component(doc, 9), "registers");
	assert_int_equal(json_integer_value(json_array_get(json_object_get(regs, "access_disabled"), 0)), 1);
	json_decref(doc);
	free(b);
}

/* ST0..ST3 hold special 80-bit values; the stack is full from TOP = 0. */
static void test_x87_values_infinities_nans_and_invalid_encodings(void **state)
{
	static const struct { uint64_t mant; uint16_t se; const char *text; } st[] = {
		{ UINT64_C(0xc000000000000000), 0xc000, "-3  tag=valid" },
		{ UINT64_C(0x8000000000000000), 0x7fff, "inf  tag=special" },
		{ UINT64_C(0xc000000000000000), 0xffff, "qnan  tag=special" },
		{ UINT64_C(0x4000000000000000), 0x4000, "invalid (unnormal)  tag=special" },
		{ 0, 0x8000, "-0  tag=zero" },
		{ 1, 0, "3.645199531882474603e-4951  tag=special" },
		{ UINT64_C(0xa000000000000000), 0x3ffd, "0.3125  tag=valid" },
		{ UINT64_C(0x8000000000000000), 0x7ffe, "5.948657476786158825e+4931  tag=valid" },
	};
	uint8_t b[2432] = { 0 };
	char args[2048], *out, line[128];

	(void)state;
	xs_st64(b + 512, XS_XFEATURE_MASK_FP);
	b[4] = 0xff;
	for (unsigned k = 0; k < 8; k++) {
		xs_st64(b + 32 + 16 * k, st[k].mant);
		xs_st16(b + 40 + 16 * k, st[k].se);
	}
	snprintf(args, sizeof(args), "decode %s --cpuid %s", write_buffer("x87", b, sizeof(b)), zen4_path);
	assert_int_equal(xt_tool(args, &out, true), 0);
	for (unsigned k = 0; k < 8; k++) {
		snprintf(line, sizeof(line), "  st%u          %s", k, st[k].text);
		expect_line(out, line);
	}
	free(out);
}

static void expect_error(const char *args, const char *needle)
{
	char *out;
	int st = xt_tool(args, &out, true);

	if (st != 2 || strncmp(out, "xstate: ", 8) || !strstr(out, needle))
		fail_msg("xstate %s: status %d, output '%s' (wanted 2 and '%s')", args, st, out, needle);
	free(out);
}

static void test_bad_input_is_a_precise_error_with_exit_2(void **state)
{
	uint8_t b[2432] = { 0 };
	char args[2048];
	const char *path;

	(void)state;
	snprintf(args, sizeof(args), "decode %s/missing.bin --cpuid %s", dir, zen4_path);
	expect_error(args, "missing.bin: No such file or directory");
	path = write_buffer("short", b, 575);
	snprintf(args, sizeof(args), "decode %s --cpuid %s", path, zen4_path);
	expect_error(args, "575 bytes: an XSAVE buffer has at least 576");
	xs_st64(b + 512, XS_XFEATURE_MASK_FPSSE | XS_XFEATURE_MASK_PKRU);
	path = write_buffer("pkru", b, sizeof(b));
	snprintf(args, sizeof(args), "decode %s --cpuid %s", path, zen4_path);
	expect_error(args, "XSTATE_BV bit 9 (pkru): this CPU has no such component");
	xs_st64(b + 512, XS_XFEATURE_MASK_FPSSE | XS_XFEATURE_MASK_Hi16_ZMM);
	path = write_buffer("cut", b, 2000);
	snprintf(args, sizeof(args), "decode %s --cpuid %s", path, zen4_path);
	expect_error(args, "2000 bytes: the header's components need 2432");
	snprintf(args, sizeof(args), "decode %s --cpuid %s --kind elf", path, zen4_path);
	expect_error(args, "--kind: expected xsave, xsavec, ptrace, sigframe, kvm or core, got 'elf'");
	snprintf(args, sizeof(args), "decode %s --cpuid %s --kind core", path, zen4_path);
	expect_error(args, "not an ELF file");
	snprintf(args, sizeof(args), "decode %s --cpuid %s --format csv", path, zen4_path);
	expect_error(args, "--format: unknown format 'csv'");
	expect_error("decode", "decode: expected exactly one FILE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ptrace_buffer_decodes_registers_the_task_was_given),
		cmocka_unit_test(test_zmm_combines_xmm_ymm_and_zmm_hi256),
		cmocka_unit_test(test_ymm_without_sse_shows_only_the_high_halves),
		cmocka_unit_test(test_sigframe_shows_fx_sw_bytes_and_magic2),
		cmocka_unit_test(test_compacted_image_built_by_hand),
		cmocka_unit_test(test_mpx_registers_on_a_client),
		cmocka_unit_test(test_pasid_apx_and_raw_components),
		cmocka_unit_test(test_json_has_stable_keys_and_tile_bytes),
		cmocka_unit_test(test_x87_values_infinities_nans_and_invalid_encodings),
		cmocka_unit_test(test_bad_input_is_a_precise_error_with_exit_2),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
