// SPDX-License-Identifier: MIT
/*
 * xs_convert_buffer() between two of three fixed CPU models, to the
 * standard and the compacted format, with and without force.
 *
 * Input: byte 0 bits 0..1 pick CPU A, bits 2..3 CPU B, bit 4 the output
 * format (compacted), bit 5 force; the rest is A's buffer.
 *
 * Invariants: the result is one of the documented errors; the size asked
 * for is the size written; a refusal without force names a reason; a
 * converted buffer re-views cleanly on B in the requested format with
 * exactly the kept components, carries their bytes unchanged, and (standard
 * format, not forced) is accepted by B's PTRACE_SETREGSET.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_models.h"

struct pair {
	const xs_system *a, *b;
	enum xs_buf_format fmt;
	bool force;
};

/* Component bytes moved unchanged (cut to B's size when B's is smaller). */
static void check_bytes(const struct pair *p, const uint8_t *in, size_t in_len, const uint8_t *out,
			size_t out_len, uint64_t kept)
{
	struct xs_buffer_view *va = xs_buffer_view_new(), *vb = xs_buffer_view_new();
	unsigned oa, sa, ob, sb;

	if (!va || !vb)
		abort();
	FZ_CHECK(!xs_buffer_view(p->a, in, in_len, false, XS_BUF_STANDARD, va, NULL), "A's view vanished");
	FZ_CHECK(!xs_buffer_view(p->b, out, out_len, true, p->fmt, vb, NULL), "the output does not view on B");
	FZ_CHECK(xs_view_present(vb) == kept, "present 0x%llx on B, kept 0x%llx",
		 (unsigned long long)xs_view_present(vb), (unsigned long long)kept);
	FZ_CHECK(!memcmp(out, in, 24) && !memcmp(out + 32, in + 32, 416 - 32), "legacy area changed");
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++) {
		if (!(kept & XS_BIT(nr)))
			continue;
		FZ_CHECK(xs_view_component(va, nr, &oa, &sa) && xs_view_component(vb, nr, &ob, &sb),
			 "component %u kept but not in both views", nr);
		FZ_CHECK(!memcmp(out + ob, in + oa, sb < sa ? sb : sa), "component %u changed on the way", nr);
	}
	xs_buffer_view_free(va);
	xs_buffer_view_free(vb);
}

/* B's kernel takes an unforced standard result (AMX permitted first). */
static void check_accepted(const xs_system *b, const uint8_t *out, size_t len)
{
	struct xs_verdict v = { 0 };
	xs_fpu *fpu;

	if (xs_fpu_new(&fpu, b, NULL))
		abort();
	if (!xs_arch_prctl(fpu, XS_ARCH_REQ_XCOMP_PERM, XS_XFEATURE_XTILE_DATA, NULL))
		xs_xfd_enable_feature(fpu, XS_XFEATURE_MASK_XTILE_DATA);
	FZ_CHECK(!xs_ptrace_setregset(fpu, out, len, &v), "B's kernel refuses the converted buffer: %s", v.reason);
	xs_fpu_free(fpu);
}

static void convert(const struct pair *p, const uint8_t *in, size_t len)
{
	struct xs_compat_report rep;
	struct xs_diag d = { 0 };
	size_t need = 0, written = 0;
	uint8_t *out;
	int ret = xs_convert_buffer(p->a, in, len, p->b, p->fmt, p->force, NULL, 0, &need, &rep, &d);

	FZ_CHECK(ret == -EINVAL || ret == -EOPNOTSUPP || ret == -ENOSPC, "sizing call returned %d", ret);
	FZ_CHECK(ret != -EINVAL || d.msg[0], "EINVAL without a message");
	FZ_CHECK(ret != -EOPNOTSUPP || (!p->force && (rep.missing || rep.nnotes)), "refused without a reason");
	if (ret != -ENOSPC)
		return;
	out = malloc(need);
	if (!out)
		abort();
	ret = xs_convert_buffer(p->a, in, len, p->b, p->fmt, p->force, out, need, &written, &rep, &d);
	FZ_CHECK(!ret && written == need, "conversion into %zu bytes: %d, wrote %zu", need, ret, written);
	FZ_CHECK(rep.dropped == (p->force ? rep.missing : 0), "dropped 0x%llx", (unsigned long long)rep.dropped);
	check_bytes(p, in, len, out, written, rep.in_use & ~rep.missing);
	if (p->fmt == XS_BUF_STANDARD && !p->force)
		check_accepted(p->b, out, written);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pair p;

	if (!size)
		return 0;
	p.a = fz_system(fz_pick(data[0] & 3));
	p.b = fz_system(fz_pick((data[0] >> 2) & 3));
	p.fmt = data[0] & 0x10 ? XS_BUF_COMPACTED : XS_BUF_STANDARD;
	p.force = data[0] & 0x20;
	convert(&p, data + 1, size - 1);
	return 0;
}
