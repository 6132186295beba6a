// SPDX-License-Identifier: MIT
/*
 * Moving XSAVE buffers between CPUs (library and `xstate convert`), and
 * `xstate check` verdicts: an AVX-512 server's state refused by an AVX2
 * client with the components named, forced conversion dropping exactly
 * those, Zen 3 -> Zen 4 (PKRU), compacted <-> standard, and the converted
 * buffer accepted by the target kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"
#include "common/le.h"

static char dir[] = "/tmp/xs-conv-XXXXXX";
static xs_system *zen4, *client, *zen3, *spr;
static char zen4_path[512], client_path[512], zen3_path[512], spr_path[512];

static int setup(void **state)
{
	(void)state;
	if (xt_scratch_dir(dir))
		return -1;
	zen4 = xt_model(xt_cpu_zen4_cet, dir, "zen4.txt", zen4_path, sizeof(zen4_path));
	client = xt_model(xt_cpu_avx2_client, dir, "client.txt", client_path, sizeof(client_path));
	zen3 = xt_model(xt_cpu_zen3, dir, "zen3.txt", zen3_path, sizeof(zen3_path));
	spr = xt_model(xt_cpu_spr, dir, "spr.txt", spr_path, sizeof(spr_path));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(zen4);
	free(client);
	free(zen3);
	free(spr);
	return xt_remove_dir(dir);
}

/* A ptrace buffer of `sys` with data in the components of `bv`. */
static uint8_t *buffer_with(const xs_system *sys, uint64_t bv, size_t *len)
{
	xs_fpu fpu;
	uint8_t *b;
	uint32_t mxcsr = 0x1fa0;

	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	*len = xs_ptrace_xstate_size(sys);
	b = calloc(1, *len);
	assert_int_equal(xs_ptrace_getregset(&fpu, b, *len, NULL), 0);
	for (unsigned i = 32; i < 416; i++)
		b[i] = (uint8_t)(i ^ 0x5a);
	memcpy(b + 24, &mxcsr, 4);
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if (bv & XS_BIT(nr))
			for (unsigned i = 0; i < sys->xstate_sizes[nr]; i++)
				b[sys->xstate_offsets[nr] + i] = (uint8_t)(nr * 16 + i);
	if (bv & XS_XFEATURE_MASK_PKRU)
		memset(b + sys->xstate_offsets[9] + 4, 0, 4);
	memcpy(b + 512, &bv, 8);
	xs_fpu_destroy(&fpu);
	return b;
}

static void test_avx512_state_is_refused_by_an_avx2_client_naming_the_components(void **state)
{
	struct xs_compat_report r;
	size_t len, need = 0;
	uint8_t *in = buffer_with(zen4, 0xe7, &len);
	uint8_t out[4096];

	(void)state;
	assert_int_equal(xs_convert_buffer(zen4, in, len, client, XS_BUF_STANDARD, false, out, sizeof(out),
					   &need, &r, NULL), -EOPNOTSUPP);
	assert_int_equal(r.in_use, 0xe7);
	assert_int_equal(r.missing, XS_XFEATURE_MASK_AVX512);
	assert_int_equal(r.dropped, 0);
	assert_int_equal(r.size_a, 2432);
	assert_int_equal(r.size_b, 1088);
	assert_non_null(strstr(r.notes[0], "avx512_opmask is in use on A; B does not have it"));
	free(in);
}

static void test_forced_conversion_drops_exactly_the_missing_components(void **state)
{
	struct xs_compat_report r;
	size_t len, need = 0;
	uint8_t *in = buffer_with(zen4, 0xe7, &len);
	uint8_t out[1088];
	xs_fpu fpu;

	(void)state;
	assert_int_equal(xs_convert_buffer(zen4, in, len, client, XS_BUF_STANDARD, true, out, sizeof(out),
					   &need, &r, NULL), 0);
	assert_int_equal(need, 1088);
	assert_int_equal(r.dropped, XS_XFEATURE_MASK_AVX512);
	/* the rest is identical: legacy area and YMM at the same offsets */
	assert_memory_equal(out, in, 416);
	assert_memory_equal(out + 576, in + 576, 256);
	{
		uint64_t bv;

		memcpy(&bv, out + 512, 8);
		assert_int_equal(bv, 0x7);
	}
	/* and the client's kernel takes it */
	assert_int_equal(xs_fpu_init(&fpu, client, NULL), 0);
	assert_int_equal(xs_ptrace_setregset(&fpu, out, sizeof(out), NULL), 0);
	xs_fpu_destroy(&fpu);
	free(in);
}

static void test_avx2_state_moves_to_an_avx512_server(void **state)
{
	struct xs_compat_report r;
	size_t len, need;
	uint8_t *in = buffer_with(client, 0x7, &len);
	uint8_t out[2432];

	(void)state;
	assert_int_equal(xs_convert_buffer(client, in, len, zen4, XS_BUF_STANDARD, false, out, sizeof(out),
					   &need, &r, NULL), 0);
	assert_int_equal(r.missing, 0);
	assert_memory_equal(out + 576, in + 576, 256);
	free(in);
}

static void test_zen3_pkru_state_has_nowhere_to_go_on_a_zen4_without_pku(void **state)
{
	struct xs_compat_report r;
	size_t len, need;
	uint8_t *in = buffer_with(zen3, 0x207, &len);
	uint8_t out[2432];

	(void)state;
	assert_int_equal(xs_convert_buffer(zen3, in, len, zen4, XS_BUF_STANDARD, false, out, sizeof(out),
					   &need, &r, NULL), -EOPNOTSUPP);
	assert_int_equal(r.missing, XS_XFEATURE_MASK_PKRU);
	/* without PKRU in use, Zen 3 -> Zen 4 is fine */
	free(in);
	in = buffer_with(zen3, 0x7, &len);
	assert_int_equal(xs_convert_buffer(zen3, in, len, zen4, XS_BUF_STANDARD, false, out, sizeof(out),
					   &need, &r, NULL), 0);
	free(in);
}

static void test_standard_to_compacted_and_back_is_lossless(void **state)
{
	struct xs_compat_report r;
	size_t len, need;
	uint8_t *in = buffer_with(zen4, 0xe7, &len);
	uint8_t cmp[2472], back[2432];
	uint64_t xcomp;
	struct xs_buffer_view v;

	(void)state;
	assert_int_equal(xs_convert_buffer(zen4, in, len, zen4, XS_BUF_COMPACTED, false, cmp, sizeof(cmp),
					   &need, &r, NULL), 0);
	assert_int_equal(need, 2472);	/* the kernel buffer: with CET_U and CET_S */
	memcpy(&xcomp, cmp + 520, 8);
	assert_int_equal(xcomp, XS_XCOMP_BV_COMPACTED_FORMAT | 0x18e7);
	assert_int_equal(xs_buffer_view(zen4, cmp, need, false, XS_BUF_STANDARD, &v, NULL), 0);
	assert_int_equal(v.format, XS_BUF_COMPACTED);
	assert_int_equal(v.offset[7], 1408);
	assert_int_equal(xs_convert_buffer(zen4, cmp, need, zen4, XS_BUF_STANDARD, false, back, sizeof(back),
					   &need, &r, NULL), 0);
	assert_memory_equal(back, in, 464);
	assert_memory_equal(back + 512, in + 512, 2432 - 512);
	free(in);
}

static void test_malformed_inputs_are_einval_with_a_message(void **state)
{
	struct xs_compat_report r;
	struct xs_diag d = { 0 };
	uint8_t buf[2432] = { 0 };
	uint64_t v;

	(void)state;
	assert_int_equal(xs_convert_buffer(zen4, buf, 100, client, XS_BUF_STANDARD, false, NULL, 0, NULL, &r, &d),
			 -EINVAL);
	assert_non_null(strstr(d.msg, "100 bytes"));
	v = XS_BIT(9);	/* Zen 4 model without PKU has no component 9 */
	memcpy(buf + 512, &v, 8);
	assert_int_equal(xs_convert_buffer(zen4, buf, sizeof(buf), client, XS_BUF_STANDARD, false, NULL, 0,
					   NULL, &r, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "this CPU has no such component"));
	v = XS_XFEATURE_MASK_CET_USER;	/* supervisor state cannot be standard */
	memcpy(buf + 512, &v, 8);
	assert_int_equal(xs_convert_buffer(zen4, buf, sizeof(buf), client, XS_BUF_STANDARD, false, NULL, 0,
					   NULL, &r, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "supervisor component"));
	v = 0x7;
	memcpy(buf + 512, &v, 8);
	v = XS_XCOMP_BV_COMPACTED_FORMAT | 0x3;	/* XSTATE_BV outside XCOMP_BV */
	memcpy(buf + 520, &v, 8);
	assert_int_equal(xs_convert_buffer(zen4, buf, sizeof(buf), client, XS_BUF_STANDARD, false, NULL, 0,
					   NULL, &r, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "outside XCOMP_BV"));
}

/* ---- the tool ---- */

static const char *write_bin(const char *name, const void *buf, size_t len)
{
	return xt_write_file(dir, name, buf, len);
}

static int tool(const char *args, char **out)
{
	return xt_tool(args, out, true);
}

static void test_convert_command_refuses_then_forces(void **state)
{
	size_t len;
	uint8_t *in = buffer_with(zen4, 0xe7, &len);
	char args[4096], outp[512], *out;
	uint8_t *written;
	size_t wlen;
	json_t *j;

	(void)state;
	snprintf(outp, sizeof(outp), "%s/out.bin", dir);
	snprintf(args, sizeof(args), "convert %s %s --from %s --to %s", write_bin("in.bin", in, len), outp,
		 zen4_path, client_path);
	assert_int_equal(tool(args, &out), 1);
	assert_non_null(strstr(out, "missing on B:  avx512_opmask,avx512_zmm_hi256,avx512_hi16_zmm"));
	assert_int_equal(access(outp, F_OK), -1);	/* nothing written */
	free(out);
	strcat(args, " --force --format json");
	assert_int_equal(tool(args, &out), 0);
	assert_non_null(strstr(out, "\"dropped_mask\": \"0xe0\""));
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	for (const char *key = "missing"; key; key = strcmp(key, "missing") ? NULL : "dropped") {
		json_t *arr = json_object_get(j, key);

		assert_int_equal(json_array_size(arr), 3);
		for (unsigned i = 0; i < 3; i++) {
			json_t *c = json_array_get(arr, i);

			assert_int_equal(json_integer_value(json_object_get(c, "index")), 5 + i);
			assert_string_equal(json_string_value(json_object_get(c, "name")),
					    xs_xfeature_info(5 + i)->short_name);
		}
	}
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "ptrace");
	json_decref(j);
	free(out);
	written = (uint8_t *)xt_read_file(outp, &wlen);
	assert_int_equal(wlen, 1088);
	assert_memory_equal(written + 576, in + 576, 256);
	free(written);
	free(in);
}

static void test_check_command_gives_the_kernels_verdict(void **state)
{
	size_t len;
	uint8_t *in = buffer_with(zen4, 0x7, &len);
	char args[4096], *out;
	const char *p;
	json_t *j;

	(void)state;
	p = write_bin("ok.bin", in, len);
	snprintf(args, sizeof(args), "check %s --kind ptrace --cpuid %s", p, zen4_path);
	assert_int_equal(tool(args, &out), 0);
	assert_non_null(strstr(out, "accepted"));
	free(out);
	in[530] = 1;
	p = write_bin("bad.bin", in, len);
	snprintf(args, sizeof(args), "check %s --kind ptrace --cpuid %s --format json", p, zen4_path);
	assert_int_equal(tool(args, &out), 1);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_false(json_boolean_value(json_object_get(j, "accepted")));
	assert_string_equal(json_string_value(json_object_get(j, "errno")), "EINVAL");
	assert_non_null(strstr(json_string_value(json_object_get(j, "reason")), "reserved header byte 2"));
	json_decref(j);
	free(out);
	/* the same bytes as a signal frame: no magic, so an FX-only restore */
	snprintf(args, sizeof(args), "check %s --kind sigframe --cpuid %s", p, zen4_path);
	assert_int_equal(tool(args, &out), 0);
	assert_non_null(strstr(out, "accepted as fx-only"));
	free(out);
	snprintf(args, sizeof(args), "check %s --kind kvm --cpuid %s", p, zen4_path);
	assert_int_equal(tool(args, &out), 1);
	assert_non_null(strstr(out, "refused: EFAULT"));	/* 2432 < 4096 bytes */
	free(out);
	free(in);
}

static void test_check_and_convert_option_errors_exit_2(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(tool("check", &out), 2);
	assert_non_null(strstr(out, "expected exactly one FILE"));
	free(out);
	assert_int_equal(tool("check /etc/hostname", &out), 2);
	assert_non_null(strstr(out, "--kind ptrace|sigframe|kvm is required"));
	free(out);
	assert_int_equal(tool("check /etc/hostname --kind core", &out), 2);
	free(out);
	assert_int_equal(tool("check /nonexistent --kind ptrace", &out), 2);
	assert_non_null(strstr(out, "/nonexistent: No such file"));
	free(out);
	assert_int_equal(tool("convert a b", &out), 2);
	assert_non_null(strstr(out, "--from and --to"));
	free(out);
	assert_int_equal(tool("convert a b --from live --to live --output-format weird", &out), 2);
	free(out);
}

/* A task of `sys` holding buffer_with(bv), as its signal frame. */
static uint8_t *frame_with(const xs_system *sys, uint64_t bv, size_t *flen)
{
	size_t len;
	uint8_t *b = buffer_with(sys, bv, &len), *f;
	xs_fpu fpu;

	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	assert_int_equal(xs_ptrace_setregset(&fpu, b, len, NULL), 0);
	*flen = xs_sigframe_fpstate_size(&fpu);
	f = calloc(1, *flen);
	assert_int_equal(xs_sigframe_save(&fpu, f, *flen), 0);
	xs_fpu_destroy(&fpu);
	free(b);
	return f;
}

static uint8_t *convert_to(const xs_system *a, const uint8_t *in, size_t len, const xs_system *b,
			   enum xs_container kind, bool force, size_t *olen)
{
	struct xs_compat_report r;
	struct xs_diag d = { 0 };
	uint8_t *out;

	assert_int_equal(xs_convert_container(a, in, len, b, kind, XS_BUF_STANDARD, force, NULL, 0, olen, &r, &d),
			 -ENOSPC);
	out = calloc(1, *olen);
	assert_int_equal(xs_convert_container(a, in, len, b, kind, XS_BUF_STANDARD, force, out, *olen, olen, &r, &d),
			 0);
	assert_int_equal(r.size_b, *olen);
	return out;
}

static void test_a_signal_frame_stays_a_signal_frame_with_b_sizes_and_round_trips(void **state)
{
	size_t flen, olen, blen;
	uint8_t *f = frame_with(client, 0x7, &flen), *o, *back;
	struct xs_fx_sw_bytes sw;
	struct xs_verdict v;
	xs_fpu t;

	(void)state;
	assert_int_equal(xs_container_detect(client, f, flen), XS_CONTAINER_SIGFRAME);
	o = convert_to(client, f, flen, zen4, XS_CONTAINER_SIGFRAME, false, &olen);
	assert_int_equal(xs_fpu_init(&t, zen4, NULL), 0);
	assert_int_equal(olen, xs_sigframe_fpstate_size(&t));
	memcpy(&sw, o + 464, sizeof(sw));
	assert_int_equal(sw.magic1, XS_FP_XSTATE_MAGIC1);
	assert_int_equal(sw.xstate_size, t.fpstate->user_size);
	assert_int_equal(sw.extended_size, t.fpstate->user_size + 4);
	assert_int_equal(sw.xfeatures, t.fpstate->user_xfeatures);
	assert_int_equal(xs_ld32(o + t.fpstate->user_size), XS_FP_XSTATE_MAGIC2);
	assert_memory_equal(o + 576, f + 576, 256);	/* the YMM data */
	assert_int_equal(xs_container_detect(zen4, o, olen), XS_CONTAINER_SIGFRAME);
	/* B's sigreturn restores it in full */
	assert_int_equal(xs_sigframe_check(&t, o, olen, &v), XS_SIGRETURN_XSTATE);
	xs_fpu_destroy(&t);
	/* and back: the frame A's kernel wrote, byte for byte */
	back = convert_to(zen4, o, olen, client, XS_CONTAINER_SIGFRAME, false, &blen);
	assert_int_equal(blen, flen);
	assert_memory_equal(back, f, flen);
	free(back);
	free(o);
	free(f);
}

static void test_a_kvm_buffer_is_4096_bytes_or_the_xsave2_size_and_round_trips(void **state)
{
	size_t len, olen, plen, klen;
	uint8_t *in = buffer_with(zen4, 0xe7, &len), *k, *p, *k2, *amx;
	xs_fpu vmm;
	xs_fpu_guest g;
	struct xs_verdict v;
	uint32_t pkru = 0;

	(void)state;
	k = convert_to(zen4, in, len, zen4, XS_CONTAINER_KVM, false, &olen);
	assert_int_equal(olen, 4096);
	assert_int_equal(xs_container_detect(zen4, k, olen), XS_CONTAINER_KVM);
	assert_int_equal(xs_fpu_init(&vmm, zen4, NULL), 0);
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&vmm, &g), 0);
	assert_int_equal(xs_kvm_set_xsave(zen4, &g, k, olen, &pkru, &v), 0);
	xs_fpu_free_guest_fpstate(&vmm, &g);
	xs_fpu_destroy(&vmm);
	assert_memory_equal(k + 576, in + 576, len - 576);
	/* kvm -> ptrace -> kvm gives the same bytes */
	p = convert_to(zen4, k, olen, zen4, XS_CONTAINER_PTRACE, false, &plen);
	assert_int_equal(plen, len);
	assert_memory_equal(p, in, len);
	k2 = convert_to(zen4, p, plen, zen4, XS_CONTAINER_KVM, false, &klen);
	assert_int_equal(klen, olen);
	assert_memory_equal(k2, k, klen);
	free(k2);
	free(p);
	free(k);
	free(in);
	/* AMX in use: KVM_GET_XSAVE2's 11008 bytes */
	in = buffer_with(spr, 0x602e7, &len);
	amx = convert_to(spr, in, len, spr, XS_CONTAINER_KVM, false, &olen);
	assert_int_equal(olen, 11008);
	assert_int_equal(xs_ld64(amx + 512), 0x602e7);
	assert_memory_equal(amx + 2816, in + 2816, 8192);
	free(amx);
	free(in);
}

static void test_containers_refuse_compacted_output_and_xsave_has_no_software_bytes(void **state)
{
	size_t len, olen;
	uint8_t *in = buffer_with(zen4, 0x7, &len), *x;
	struct xs_compat_report r;
	struct xs_diag d = { 0 };

	(void)state;
	assert_int_equal(xs_convert_container(zen4, in, len, zen4, XS_CONTAINER_KVM, XS_BUF_COMPACTED, false, NULL, 0,
					      &olen, &r, &d),
			 -EINVAL);
	assert_non_null(strstr(d.msg, "standard format"));
	x = convert_to(zen4, in, len, zen4, XS_CONTAINER_XSAVE, false, &olen);
	assert_int_equal(olen, len);
	for (unsigned i = 464; i < 512; i++)
		assert_int_equal(x[i], 0);
	assert_memory_equal(x + 512, in + 512, len - 512);
	assert_int_equal(xs_container_detect(zen4, in, len), XS_CONTAINER_PTRACE);
	free(x);
	free(in);
}

static void test_convert_command_keeps_the_container_and_check_accepts_the_result(void **state)
{
	size_t flen, len, wlen;
	uint8_t *f = frame_with(client, 0x7, &flen), *in = buffer_with(zen4, 0x7, &len), *w;
	char args[4096], outp[512], out2[512], *out;

	(void)state;
	/* a signal frame: auto keeps it one, B's sigreturn takes all of it */
	snprintf(outp, sizeof(outp), "%s/frame-b.bin", dir);
	snprintf(args, sizeof(args), "convert %s %s --from %s --to %s", write_bin("frame-a.bin", f, flen), outp,
		 client_path, zen4_path);
	assert_int_equal(tool(args, &out), 0);
	free(out);
	snprintf(args, sizeof(args), "check %s --kind sigframe --cpuid %s", outp, zen4_path);
	assert_int_equal(tool(args, &out), 0);
	assert_non_null(strstr(out, "accepted as xstate"));
	free(out);
	/* and back to A: the original frame */
	snprintf(out2, sizeof(out2), "%s/frame-a2.bin", dir);
	snprintf(args, sizeof(args), "convert %s %s --from %s --to %s --kind sigframe", outp, out2, zen4_path,
		 client_path);
	assert_int_equal(tool(args, &out), 0);
	free(out);
	w = (uint8_t *)xt_read_file(out2, &wlen);
	assert_int_equal(wlen, flen);
	assert_memory_equal(w, f, flen);
	free(w);
	/* a ptrace buffer made a KVM one: 4096 bytes that KVM_SET_XSAVE takes */
	snprintf(outp, sizeof(outp), "%s/kvm-b.bin", dir);
	snprintf(args, sizeof(args), "convert %s %s --from %s --to %s --kind kvm --format json",
		 write_bin("ptrace-a.bin", in, len), outp, zen4_path, zen4_path);
	assert_int_equal(tool(args, &out), 0);
	assert_non_null(strstr(out, "\"kind\": \"kvm\""));
	assert_non_null(strstr(out, "\"size_b\": 4096"));
	free(out);
	snprintf(args, sizeof(args), "check %s --kind kvm --cpuid %s", outp, zen4_path);
	assert_int_equal(tool(args, &out), 0);
	free(out);
	/* auto: the KVM buffer stays one, and so does check's verdict */
	snprintf(out2, sizeof(out2), "%s/kvm-c.bin", dir);
	snprintf(args, sizeof(args), "convert %s %s --from %s --to %s --force", outp, out2, zen4_path, client_path);
	assert_int_equal(tool(args, &out), 0);
	free(out);
	snprintf(args, sizeof(args), "check %s --kind kvm --cpuid %s", out2, client_path);
	assert_int_equal(tool(args, &out), 0);
	free(out);
	assert_int_equal(tool("convert a b --from live --to live --kind core", &out), 2);
	assert_non_null(strstr(out, "--kind: expected auto"));
	free(out);
	free(in);
	free(f);
}

/* ---- real CPUs (tests/data/cpuid): hand-read CPUID 0xD layouts ------------------ */

/*
 * Convert a buffer of `a` holding data in `bv` to `b`'s standard format;
 * returns the status, the output in *out (caller frees) and the report.
 */
static int convert_real(const char *a_name, const char *b_name, uint64_t bv, bool force, uint8_t **in,
			uint8_t **out, size_t *in_len, size_t *out_len, struct xs_compat_report *r,
			xs_system **a, xs_system **b)
{
	*a = xt_system(a_name, NULL);
	*b = xt_system(b_name, NULL);
	*in = buffer_with(*a, bv, in_len);
	*out = calloc(1, 16384);
	assert_non_null(*out);
	return xs_convert_buffer(*a, *in, *in_len, *b, XS_BUF_STANDARD, force, *out, 16384, out_len, r, NULL);
}

static void accepted_by(const xs_system *sys, const uint8_t *buf, size_t len)
{
	struct xs_verdict v = { 0 };
	xs_fpu fpu;

	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	if (xs_ptrace_setregset(&fpu, buf, len, &v))
		fail_msg("the target kernel refuses the converted buffer: %s", v.reason);
	xs_fpu_destroy(&fpu);
}

/* A conversion between two real CPUs and what must survive it. */
struct real_case {
	const char *a, *b;
	uint64_t bv;			/* components with data on A */
	uint64_t missing;		/* refused without force, dropped with it */
	size_t in_len, out_len;
	struct { unsigned off, len; } same[3];	/* byte ranges carried over unchanged */
};

static void check_real(const struct real_case *c)
{
	struct xs_compat_report r;
	xs_system *a, *b;
	uint8_t *in, *out;
	size_t in_len, out_len;
	int ret = convert_real(c->a, c->b, c->bv, false, &in, &out, &in_len, &out_len, &r, &a, &b);

	assert_int_equal(ret, c->missing ? -EOPNOTSUPP : 0);
	assert_int_equal(r.missing, c->missing);
	if (c->missing) {
		free(in), free(out), free(a), free(b);
		assert_int_equal(convert_real(c->a, c->b, c->bv, true, &in, &out, &in_len, &out_len, &r, &a, &b), 0);
		assert_int_equal(r.dropped, c->missing);
	}
	assert_int_equal(in_len, c->in_len);
	assert_int_equal(out_len, c->out_len);
	for (unsigned i = 0; i < 3 && c->same[i].len; i++)
		assert_memory_equal(out + c->same[i].off, in + c->same[i].off, c->same[i].len);
	assert_int_equal(xs_ld64(out + 512), c->bv & ~c->missing);
	accepted_by(b, out, out_len);
	free(in), free(out), free(a), free(b);
}

/*
 * Ryzen 9 5900X <-> EPYC 9124 (amd-zen3, amd-zen4): both keep AVX at 576
 * and PKRU at 2432 (0xD.2, 0xD.9: AMD leaves the AVX-512 range empty on
 * Zen 3), so Zen 3's bytes carry over unchanged into a 2440-byte buffer.
 * The other way, Zen 4's AVX-512 state (0xD.5-7 at 832, 896, 1408) has no
 * place: refused with the components named; forced, exactly those go.
 */
static void test_real_zen3_and_zen4_both_ways(void **state)
{
	static const struct real_case to_zen4 = {
		"amd-zen3.instlat.txt", "amd-zen4.instlat.txt", 0x207, 0, 2440, 2440,
		{ { 0, 416 }, { 576, 256 }, { 2432, 8 } },
	};
	static const struct real_case to_zen3 = {
		"amd-zen4.instlat.txt", "amd-zen3.instlat.txt", 0x2e7, XS_XFEATURE_MASK_AVX512, 2440, 2440,
		{ { 0, 416 }, { 576, 256 }, { 2432, 8 } },
	};

	(void)state;
	check_real(&to_zen4);
	check_real(&to_zen3);
}

/*
 * Skylake-SP (0x2ff: MPX 960/1024, AVX-512 1088/1152/1664, PKRU 2688) and
 * a Skylake client (0x1f, 1088 bytes): the server's AVX-512 and PKRU are
 * refused, and dropped when forced; x87, SSE, AVX and MPX arrive byte for
 * byte, and the client's state fits the server as it is.
 */
static void test_real_avx512_server_and_avx2_client_both_ways(void **state)
{
	static const struct real_case to_client = {
		"intel-skylake-sp.plain.txt", "intel-skylake-client.instlat.txt", 0x2ff,
		XS_XFEATURE_MASK_AVX512 | XS_XFEATURE_MASK_PKRU, 2696, 1088, { { 0, 416 }, { 576, 512 } },
	};
	static const struct real_case to_server = {
		"intel-skylake-client.instlat.txt", "intel-skylake-sp.plain.txt", 0x1f, 0, 1088, 2696,
		{ { 0, 416 }, { 576, 512 } },
	};

	(void)state;
	check_real(&to_client);
	check_real(&to_server);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_zen3_and_zen4_both_ways),
		cmocka_unit_test(test_real_avx512_server_and_avx2_client_both_ways),
		cmocka_unit_test(test_avx512_state_is_refused_by_an_avx2_client_naming_the_components),
		cmocka_unit_test(test_forced_conversion_drops_exactly_the_missing_components),
		cmocka_unit_test(test_avx2_state_moves_to_an_avx512_server),
		cmocka_unit_test(test_zen3_pkru_state_has_nowhere_to_go_on_a_zen4_without_pku),
		cmocka_unit_test(test_standard_to_compacted_and_back_is_lossless),
		cmocka_unit_test(test_malformed_inputs_are_einval_with_a_message),
		cmocka_unit_test(test_convert_command_refuses_then_forces),
		cmocka_unit_test(test_check_command_gives_the_kernels_verdict),
		cmocka_unit_test(test_check_and_convert_option_errors_exit_2),
		cmocka_unit_test(test_a_signal_frame_stays_a_signal_frame_with_b_sizes_and_round_trips),
		cmocka_unit_test(test_a_kvm_buffer_is_4096_bytes_or_the_xsave2_size_and_round_trips),
		cmocka_unit_test(test_containers_refuse_compacted_output_and_xsave_has_no_software_bytes),
		cmocka_unit_test(test_convert_command_keeps_the_container_and_check_accepts_the_result),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
