// SPDX-License-Identifier: MIT
/*
 * Traces of the live run (trace_format.h, docs/traces.md).
 *
 * Recording: `verify --against cpu --record FILE` hands every case to
 * vt_write_case() after the CPU ran it: its inputs (steps, each buffer's
 * offset and initial bytes) and the CPU's outputs (exception per step,
 * XGETBV(1) after each step, XGETBV's results, every buffer after the
 * run, the signal-frame registers at a fault), after a header with the
 * CPU's CPUID, the kernel, the microcode, the engine's traits, XCR0,
 * MXCSR_MASK and the seed. The bytes go through zstd as they come.
 *
 * Replaying: `verify --against trace PATH...` builds the engine from each
 * trace's CPUID, XCR0, XFD, MXCSR_MASK and traits (the recorded traits
 * win over the table: the replay is the machine that was recorded), runs
 * it on every case in buffers at the recorded offsets within page-aligned
 * regions (what alignment and XRSTOR_INFO see is the same) and compares
 * with the recorded CPU outputs through vc_compare(), as the live run does.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include <zstd.h>

#include "cli.h"
#include "trace_format.h"
#include "verify_groups.h"
#include "verify_trace.h"

#define PAGE 4096u
#define ZSTD_LEVEL 19
#define VT_FILE_MAX (1u << 30)

_Static_assert(NSLOTS == VT_SLOTS && MAX_STEPS <= VT_MAX_STEPS && NOISE_SIZE <= VT_NOISE_MAX &&
		       VC_FRAME_MAX <= VT_FRAME_MAX,
	       "the trace format holds every case the generator makes");

/* ---- steps in the format's terms ------------------------------------------ */

static const unsigned op_insn[VT_OP_COUNT] = {
	[VT_OP_FXSAVE] = XS_INSN_FXSAVE, [VT_OP_FXRSTOR] = XS_INSN_FXRSTOR,
	[VT_OP_XSAVE] = XS_INSN_XSAVE, [VT_OP_XSAVEOPT] = XS_INSN_XSAVEOPT,
	[VT_OP_XSAVEC] = XS_INSN_XSAVEC, [VT_OP_XRSTOR] = XS_INSN_XRSTOR,
	[VT_OP_XGETBV] = XS_INSN_XGETBV, [VT_OP_POKE] = STEP_POKE,
	[VT_OP_RESERVED] = ~0u, [VT_OP_XSAVES] = XS_INSN_XSAVES, [VT_OP_XRSTORS] = XS_INSN_XRSTORS,
	[VT_OP_XSETBV] = XS_INSN_XSETBV,
};

/* Legacy prefixes: XS_PREFIX_* bit i is the byte prefix_bytes[i]. */
static const uint8_t prefix_bytes[4] = { 0xf0, 0x66, 0xf2, 0xf3 };

static uint8_t prefix_byte(unsigned flags)
{
	unsigned p = (flags & XS_HW_PREFIX_MASK) >> 8;

	return p ? prefix_bytes[__builtin_ctz(p) & 3] : 0;	/* at most one (xs_hw_step) */
}

static unsigned prefix_flags(uint8_t byte)
{
	for (unsigned i = 0; i < 4; i++)
		if (byte && byte == prefix_bytes[i])
			return XS_HW_PREFIX(1u << i);
	return 0;
}

static int insn_op(unsigned insn)
{
	for (int op = 1; op < VT_OP_COUNT; op++)
		if (op_insn[op] == insn)
			return op;
	return -1;
}

static const struct {
	enum xs_exception exc;
	uint8_t vector;
} vectors[] = {
	{ XS_EXC_NONE, VT_NONE }, { XS_EXC_UD, 6 }, { XS_EXC_NM, 7 },
	{ XS_EXC_GP, 13 }, { XS_EXC_PF, 14 }, { XS_EXC_AC, 17 },
};

static uint8_t exc_vector(enum xs_exception e)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		if (vectors[i].exc == e)
			return vectors[i].vector;
	return VT_NONE;
}

static enum xs_exception vector_exc(uint8_t v)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		if (vectors[i].vector == v)
			return vectors[i].exc;
	return XS_EXC_NONE;
}

/* ---- recording --------------------------------------------------------------- */

struct vt_writer {
	FILE *f;
	ZSTD_CCtx *z;
	struct vt_buf out, payload;
	struct vt_matcher *m;
	uint8_t *stream, *inputs;
	size_t stream_cap, inputs_cap;
	int error;
};

/* Compress what `out` holds and write it. */
static int emit(struct vt_writer *w, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { w->out.p, w->out.len, 0 };
	uint8_t chunk[1 << 14];
	size_t left;

	if (w->out.failed)
		return -ENOMEM;
	do {
		ZSTD_outBuffer o = { chunk, sizeof(chunk), 0 };

		left = ZSTD_compressStream2(w->z, &o, &in, mode);
		if (ZSTD_isError(left))
			return -EIO;
		if (o.pos && fwrite(chunk, 1, o.pos, w->f) != o.pos)
			return -errno;
	} while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
	w->out.len = 0;
	return 0;
}

static void put_text_record(struct vt_writer *w, uint32_t type, const char *text)
{
	vt_put_record(&w->out, type, text, strlen(text));
}

/* "microcode : 0xa0011d1" of /proc/cpuinfo, or "unknown". */
static void read_microcode(char *buf, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256], *colon;

	snprintf(buf, size, "unknown");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "microcode", 9) && (colon = strchr(line, ':'))) {
			snprintf(buf, size, "%s", colon + 1 + strspn(colon + 1, " \t"));
			buf[strcspn(buf, "\n")] = 0;
			break;
		}
	if (f)
		fclose(f);
}

static int put_info(struct vt_writer *w, const struct verifier *v, uint64_t seed)
{
	struct utsname u;
	char microcode[64], text[1024];

	read_microcode(microcode, sizeof(microcode));
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	snprintf(text, sizeof(text),
		 "tool=xstate %s\nkernel=%s\nmachine=%s\nmicrocode=%s\nseed=%llu\nxcr0=0x%llx\nxfd=0x%llx\n"
		 "mxcsr_mask=0x%x\nxgetbv1=%d\nxsaveopt=%d\nxsavec=%d\narea=%zu\nregion=%zu\n",
		 XS_VERSION_STRING, u.release, u.machine, microcode, (unsigned long long)seed,
		 (unsigned long long)v->xcr0, (unsigned long long)xs_machine_xfd(v->reset),
		 (unsigned)xs_machine_trait(v->reset, XS_TRAIT_MXCSR_MASK),
		 v->hw.xgetbv1, v->hw.xsaveopt, v->hw.xsavec, v->area, v->slots[0].region_size);
	put_text_record(w, VT_REC_INFO, text);
	return 0;
}

static int put_cpuid(struct vt_writer *w)
{
	xs_cpu *cpu = xs_cpu_new();
	char *text = NULL;
	size_t len;
	int ret = cpu ? xs_cpu_from_host(cpu) : -ENOMEM;

	if (!ret) {
		len = xs_cpu_dump(cpu, XS_DUMP_PLAIN, NULL, 0) + 1;
		if ((text = malloc(len)))
			xs_cpu_dump(cpu, XS_DUMP_PLAIN, text, len);
		else
			ret = -ENOMEM;
	}
	if (!ret)
		put_text_record(w, VT_REC_CPUID, text);
	free(text);
	xs_cpu_free(cpu);
	return ret;
}

static void put_traits(struct vt_writer *w, const xs_machine *m)
{
	char text[2048];
	size_t at = 0;

	text[0] = 0;
	for (unsigned i = 0; i < vt_ntraits && at < sizeof(text); i++)
		at += (size_t)snprintf(text + at, sizeof(text) - at, "%s=%llu\n", vt_trait_name(i),
				       (unsigned long long)xs_machine_trait(m, vt_traits[i].trait));
	put_text_record(w, VT_REC_TRAITS, text);
}

int vt_writer_open(struct vt_writer **wp, FILE *f, const struct verifier *v, uint64_t seed)
{
	static const uint8_t header[VT_HEADER_SIZE] = { 'X', 'S', 'T', 'R', 'A', 'C', 'E', 0x1a,
							VT_VERSION, 0, 0, 0, VT_COMPRESSION_ZSTD, 0, 0, 0 };
	struct vt_writer *w;
	const char *gap = vt_traits_gap();
	int ret;

	if (gap) {
		cli_warn("--record: %s", gap);
		return -EPROTO;
	}
	if (!(w = calloc(1, sizeof(*w))))
		return -ENOMEM;
	*wp = w;
	w->f = f;
	w->z = ZSTD_createCCtx();
	w->m = vt_matcher_new();
	if (!w->z || !w->m)
		return -ENOMEM;
	ZSTD_CCtx_setParameter(w->z, ZSTD_c_compressionLevel, ZSTD_LEVEL);
	ZSTD_CCtx_setParameter(w->z, ZSTD_c_checksumFlag, 1);
	if (fwrite(header, 1, sizeof(header), f) != sizeof(header))
		return -errno;
	if ((ret = put_info(w, v, seed)) || (ret = put_cpuid(w)))
		return ret;
	put_traits(w, v->reset);
	vt_put_record(&w->out, VT_REC_NOISE, v->noise, NOISE_SIZE);
	return emit(w, ZSTD_e_continue);
}

static int grow(uint8_t **p, size_t *cap, size_t need)
{
	uint8_t *q;

	if (need <= *cap)
		return 0;
	if (!(q = realloc(*p, need)))
		return -ENOMEM;
	*p = q, *cap = need;
	return 0;
}

/* Calls of the generator's splitmix64 between two states: (to - from) / golden gamma mod 2^64. */
static uint64_t words_between(uint64_t from, uint64_t to)
{
	uint64_t gamma = 0x9e3779b97f4a7c15ull, inv = gamma;

	for (int i = 0; i < 6; i++)
		inv *= 2 - gamma * inv;	/* Newton: the inverse of an odd number mod 2^64 */
	return (to - from) * inv;
}

static int put_steps(struct vt_buf *b, const struct vcase *c)
{
	for (unsigned i = 0; i < c->nsteps; i++) {
		const struct vstep *s = &c->steps[i];
		int op = insn_op(s->insn);

		unsigned prefixes = (s->flags & XS_HW_PREFIX_MASK) >> 8;

		/* a step kind or flag the format lacks: extend docs/traces.md first */
		if (op < 0 || s->flags & ~(XS_REX_W | XS_HW_AC | XS_HW_PREFIX_MASK) ||
		    (prefixes & (prefixes - 1)))
			return -EPROTO;
		vt_put_u8(b, (uint8_t)op);
		vt_put_u8(b, (uint8_t)((s->flags & XS_REX_W ? VT_FLAG_REX_W : 0) |
				       (s->flags & XS_HW_AC ? VT_FLAG_AC : 0)));
		vt_put_u8(b, s->slot < 0 ? VT_NONE : (uint8_t)s->slot);
		vt_put_u8(b, exc_vector(s->exc[1]));
		vt_put_u8(b, s->ran[1]);
		vt_put_u8(b, prefix_byte(s->flags));
		vt_put(b, "\0\0", 2);
		vt_put_u64(b, s->arg);
		vt_put_u32(b, (uint32_t)s->poke_at);
		vt_put_u32(b, (uint32_t)s->poke_from);
		vt_put_u64(b, s->xinuse[1]);
		vt_put_u64(b, s->result[1]);
	}
	return 0;
}

/* The initial buffers against the case's stream, the CPU's against the initial ones. */
static int put_buffers(struct vt_writer *w, const struct verifier *v, uint64_t stream, uint32_t words)
{
	struct vt_buf *b = &w->payload;
	size_t at = 0, total = NOISE_SIZE;
	int ret;

	for (int s = 0; s < NSLOTS; s++)
		total += v->slots[s].region_size - v->slots[s].start;
	if ((ret = grow(&w->stream, &w->stream_cap, (size_t)words * 8)) ||
	    (ret = grow(&w->inputs, &w->inputs_cap, total)))
		return ret;
	vt_stream(stream, words, w->stream);
	vt_matcher_index(w->m, w->stream, (size_t)words * 8);
	for (int s = 0; s < NSLOTS; s++) {
		size_t n = v->slots[s].region_size - v->slots[s].start;

		vt_delta_encode(b, w->m, v->slots[s].init + v->slots[s].start, n, 0);
		memcpy(w->inputs + at, v->slots[s].init + v->slots[s].start, n);
		at += n;
	}
	memcpy(w->inputs + at, v->noise, NOISE_SIZE);
	vt_matcher_index(w->m, w->inputs, total);
	at = 0;
	for (int s = 0; s < NSLOTS; s++) {
		size_t n = v->slots[s].region_size - v->slots[s].start;

		vt_delta_encode(b, w->m, v->slots[s].region + v->slots[s].start, n, at);
		at += n;
	}
	vt_put_u32(b, (uint32_t)v->frame_len);
	vt_delta_encode(b, w->m, v->frame, v->frame_len, 0);
	return 0;
}

int vt_write_case(struct vt_writer *w, const struct verifier *v, const struct vcase *c,
		  unsigned long index, uint64_t stream, bool agreed)
{
	uint64_t words = words_between(stream, v->seed);
	int ret;

	if (w->error)
		return w->error;
	if (words > VT_STREAM_MAX)
		words = 0;	/* the buffers go in as literals */
	w->payload.len = 0;
	vt_put_u64(&w->payload, index);
	vt_put_u64(&w->payload, stream);
	vt_put_u32(&w->payload, (uint32_t)words);
	vt_put_u8(&w->payload, agreed);
	vt_put_u8(&w->payload, (uint8_t)c->nsteps);
	for (int s = 0; s < NSLOTS; s++)
		vt_put_u32(&w->payload, (uint32_t)v->slots[s].start);
	if ((ret = put_steps(&w->payload, c)))
		return w->error = ret;
	ret = put_buffers(w, v, stream, (uint32_t)words);
	if (ret || w->payload.failed)
		return w->error = ret ? ret : -ENOMEM;
	vt_put_record(&w->out, VT_REC_CASE, w->payload.p, w->payload.len);
	return w->error = emit(w, ZSTD_e_continue);
}

static void free_writer(struct vt_writer *w)
{
	ZSTD_freeCCtx(w->z);
	vt_matcher_free(w->m);
	free(w->out.p);
	free(w->payload.p);
	free(w->stream);
	free(w->inputs);
	free(w);
}

int vt_writer_close(struct vt_writer *w, unsigned long cases, int status)
{
	uint8_t count[8];
	int ret = status ? status : w->error;

	if (!ret) {
		for (int i = 0; i < 8; i++)
			count[i] = (uint8_t)((uint64_t)cases >> 8 * i);
		vt_put_record(&w->out, VT_REC_END, count, sizeof(count));
		ret = emit(w, ZSTD_e_end);
	}
	if (!ret && fflush(w->f))
		ret = -errno;
	free_writer(w);
	return ret;
}

/* ---- replaying ------------------------------------------------------------------ */

struct replay {
	const char *file;
	struct verifier v;
	struct vcase c;
	struct verify_result one;	/* this trace */
	unsigned long judged_otherwise;	/* cases whose recorded verdict differs from the replay's */
	struct vg_groups *groups;
	char missing[256];		/* traits the trace lacks: the table's values */
	char err[512];
	json_t *cpu;
	char kernel[128];
};

/*
 * The recorded traits over the table's, through xs_machine_set_trait()
 * (it refuses values the engine cannot model). A trait the trace lacks
 * (recorded before the trait existed) keeps the table's value, and the
 * report says so.
 */
static int apply_traits(struct replay *p, const struct vt_header *h)
{
	size_t at = 0;

	p->missing[0] = 0;
	for (unsigned i = 0; i < vt_ntraits; i++) {
		uint64_t value = h->traits[i];

		if (!(h->traits_recorded & UINT64_C(1) << i)) {
			if (at < sizeof(p->missing))
				at += (size_t)snprintf(p->missing + at, sizeof(p->missing) - at, "%s%s",
						       at ? ", " : "", vt_trait_name(i));
			continue;
		}
		if (xs_machine_set_trait(p->v.reset, vt_traits[i].trait, value))
			return snprintf(p->err, sizeof(p->err), "%s: TRAI %s: %llu is not a value the engine models",
					p->file, vt_trait_name(i), (unsigned long long)value), -EINVAL;
	}
	return 0;
}

/* The engine as the recorded CPU was configured: CPUID, XCR0, XFD, MXCSR_MASK, traits. */
static int configure(struct replay *p, const struct vt_header *h)
{
	struct verifier *v = &p->v;
	size_t area;
	int ret;

	if ((ret = xs_machine_new(&v->reset, h->cpu)) == -EINVAL)
		return snprintf(p->err, sizeof(p->err), "%s: the recorded CPUID gives no machine", p->file), -EINVAL;
	if (ret || !(v->m = xs_machine_dup(v->reset)))	/* a case's machine: a copy of v->reset */
		return ret ? ret : -ENOMEM;
	if (xs_machine_cpu_info(v->reset)->unmodelled & h->xcr0 ||
	    xs_xsetbv(v->reset, 0, h->xcr0) != XS_EXC_NONE)
		return snprintf(p->err, sizeof(p->err),
				"%s: INFO xcr0: 0x%llx is not an XCR0 this engine models for the recorded CPUID",
				p->file, (unsigned long long)h->xcr0), -EINVAL;
	if (h->xfd && vc_arm_xfd(v->reset, h->xfd))
		return snprintf(p->err, sizeof(p->err),
				"%s: INFO xfd: 0x%llx is not an IA32_XFD value the recorded CPUID allows",
				p->file, (unsigned long long)h->xfd), -EINVAL;
	xs_machine_context(v->reset)->cpl = 3;
	if (xs_machine_set_trait(v->reset, XS_TRAIT_MXCSR_MASK, h->mxcsr_mask))
		return snprintf(p->err, sizeof(p->err), "%s: INFO mxcsr_mask: 0x%x is not an MXCSR_MASK the engine models",
				p->file, h->mxcsr_mask), -EINVAL;
	if ((ret = apply_traits(p, h)))
		return ret;
	v->xcr0 = h->xcr0;
	v->hw.xgetbv1 = h->xgetbv1;
	area = xs_engine_standard_size(v->reset, v->xcr0);
	if (xs_engine_compacted_size(v->reset, v->xcr0) > area)
		area = xs_engine_compacted_size(v->reset, v->xcr0);
	v->area = (area + 63) & ~(size_t)63;
	if (v->area != h->area)
		return snprintf(p->err, sizeof(p->err),
				"%s: INFO area: %u, but the recorded CPUID and XCR0 give %zu", p->file, h->area,
				v->area), -EINVAL;
	return 0;
}

/* The live run's regions: a buffer at +start has the recorded alignment and ends at a guard page. */
static int map_regions(struct replay *p, const struct vt_header *h)
{
	struct verifier *v = &p->v;
	int ret;

	for (int s = 0; s < NSLOTS; s++)
		if ((ret = vc_map_slot(&v->slots[s], h->region)))
			return ret;
	v->state = aligned_alloc(64, v->area);
	v->noise = calloc(1, VT_NOISE_MAX);
	v->frame_copy = malloc(VC_FRAME_MAX);
	if (!v->state || !v->noise || !v->frame_copy)
		return -ENOMEM;
	memcpy(v->noise, h->noise, h->noise_len);
	return 0;
}

static int on_header(void *ctx, const struct vt_header *h)
{
	struct replay *p = ctx;
	int ret;

	if ((ret = configure(p, h)) || (ret = map_regions(p, h)))
		return ret;
	if (!(p->cpu = json_object()))
		return -ENOMEM;
	cli_json_set_path(p->cpu, "vendor", xs_cpu_vendor(h->cpu));	/* any bytes, as JSON text */
	json_object_set_new(p->cpu, "family", json_integer(xs_cpu_family(h->cpu)));
	json_object_set_new(p->cpu, "model", json_integer(xs_cpu_model(h->cpu)));
	json_object_set_new(p->cpu, "stepping", json_integer(xs_cpu_stepping(h->cpu)));
	cli_json_set_path(p->cpu, "brand", xs_cpu_brand(h->cpu));
	snprintf(p->kernel, sizeof(p->kernel), "%s", h->kernel[0] ? h->kernel : "unknown");
	return 0;
}

/* The case's inputs into the verifier, the CPU's outputs beside the engine's. */
static void load_case(struct replay *p, const struct vt_case *tc)
{
	struct verifier *v = &p->v;

	p->c.nsteps = tc->nsteps;
	for (unsigned i = 0; i < tc->nsteps; i++) {
		const struct vt_step *t = &tc->steps[i];
		struct vstep *s = &p->c.steps[i];

		memset(s, 0, sizeof(*s));
		s->insn = op_insn[t->op];
		s->flags = (t->flags & VT_FLAG_REX_W ? XS_REX_W : 0) | (t->flags & VT_FLAG_AC ? XS_HW_AC : 0) |
			   prefix_flags(t->prefix);
		s->slot = t->slot == VT_NONE ? -1 : t->slot;
		s->arg = t->arg;
		s->poke_at = t->poke_at;
		s->poke_from = t->poke_from;
	}
	for (int s = 0; s < NSLOTS; s++) {
		v->slots[s].start = tc->start[s];
		memset(v->slots[s].init, 0, tc->start[s]);
		memcpy(v->slots[s].init + tc->start[s], tc->init[s], v->slots[s].region_size - tc->start[s]);
	}
}

static void load_cpu_outputs(struct replay *p, const struct vt_case *tc)
{
	struct verifier *v = &p->v;

	for (unsigned i = 0; i < tc->nsteps; i++) {
		struct vstep *s = &p->c.steps[i];

		s->ran[1] = tc->steps[i].ran;
		s->exc[1] = vector_exc(tc->steps[i].vector);
		s->xinuse[1] = tc->steps[i].xinuse;
		s->result[1] = tc->steps[i].result;
	}
	for (int s = 0; s < NSLOTS; s++)
		memcpy(v->slots[s].region + tc->start[s], tc->after[s], v->slots[s].region_size - tc->start[s]);
	v->frame = tc->frame;
	v->frame_len = tc->frame_len;
}

static int on_case(void *ctx, const struct vt_header *h, const struct vt_case *tc)
{
	struct replay *p = ctx;
	struct vc_divergence d;
	bool agree;

	(void)h;
	load_case(p, tc);
	vc_run_engine(&p->v, &p->c);
	load_cpu_outputs(p, tc);
	agree = vc_compare(&p->v, &p->c, &d);
	p->one.cases++;
	p->judged_otherwise += agree != tc->agreed;
	if (agree) {
		p->one.agree++;
		return 0;
	}
	return vg_differ(&p->one, p->groups, &p->v, &p->c, &d,
			 &(struct vg_example){ .file = p->file, .index = (unsigned long)tc->index });
}

/* {"file", "cpu", "kernel", "cases", "agree", "differ", "judged_otherwise"} */
static json_t *trace_json(const struct replay *p, const char *path)
{
	json_t *t = json_object();

	cli_json_set_path(t, "file", path);
	json_object_set(t, "cpu", p->cpu);
	cli_json_set_path(t, "kernel", p->kernel);
	json_object_set_new(t, "cases", json_integer((json_int_t)p->one.cases));
	json_object_set_new(t, "agree", json_integer((json_int_t)p->one.agree));
	json_object_set_new(t, "differ", json_integer((json_int_t)p->one.differ));
	json_object_set_new(t, "judged_otherwise", json_integer((json_int_t)p->judged_otherwise));
	return t;
}

/* A replayed trace: its line (unless quiet), its JSON object, its counts into the total. */
static void report_trace(const struct replay *p, const char *path, json_t *traces, bool quiet,
			 struct verify_result *r)
{
	const json_t *cpu = p->cpu;

	if (!quiet) {
		printf("%s: %s (%s family 0x%llx model 0x%llx stepping %lld), Linux %s: %lu cases, %lu agree, %lu differ",
		       path, json_string_value(json_object_get(cpu, "brand")),
		       json_string_value(json_object_get(cpu, "vendor")),
		       (unsigned long long)json_integer_value(json_object_get(cpu, "family")),
		       (unsigned long long)json_integer_value(json_object_get(cpu, "model")),
		       (long long)json_integer_value(json_object_get(cpu, "stepping")), p->kernel, p->one.cases,
		       p->one.agree, p->one.differ);
		printf(p->missing[0] ? " (traits not recorded, the table's: %s)\n" : "%s\n", p->missing);
		if (p->judged_otherwise)
			printf("%s: %lu case(s) judged otherwise than when recorded (the engine or the comparison changed since)\n",
			       path, p->judged_otherwise);
	}
	if (traces)
		json_array_append_new(traces, trace_json(p, path));
	if (p->one.differ && !r->differ)
		snprintf(r->first, sizeof(r->first), "%s", p->one.first);
	r->cases += p->one.cases;
	r->agree += p->one.agree;
	r->differ += p->one.differ;
}

/* One trace file: its verdict into r (and traces), or XS_EXIT_USAGE after saying why. */
static int replay_file(const char *path, struct vg_groups *groups, json_t *traces, bool quiet,
		       struct verify_result *r)
{
	static const struct vt_reader_ops ops = { on_header, on_case };
	struct replay *p = calloc(1, sizeof(*p));
	uint8_t *data = NULL;
	size_t len;
	int ret;

	if (!p)
		return cli_error("out of memory");
	p->file = path;
	p->groups = groups;
	if ((ret = cli_read_file(path, "a trace (*.xstrace)", VT_FILE_MAX, &data, &len))) {
		free(p);
		return ret;
	}
	ret = vt_read(data, len, path, &ops, p, p->err, sizeof(p->err));
	free(data);
	if (ret) {
		if (!p->err[0])
			snprintf(p->err, sizeof(p->err), "%s: %s", path, strerror(-ret));
		cli_error("%s", p->err);
	} else {
		report_trace(p, path, traces, quiet, r);
	}
	json_decref(p->cpu);
	vc_teardown(&p->v);
	free(p);
	return ret ? XS_EXIT_USAGE : 0;
}

static int is_trace_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 8 && !strcmp(d->d_name + n - 8, ".xstrace");
}

static int replay_directory(const char *dir, struct vg_groups *groups, json_t *traces, bool quiet,
			    struct verify_result *r)
{
	struct dirent **list;
	int n = scandir(dir, &list, is_trace_name, alphasort), ret = 0;
	char path[4096];

	if (n < 0)
		return cli_error("%s: %s", dir, strerror(errno));
	if (!n)
		ret = cli_error("%s: no *.xstrace file in the directory", dir);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (!ret)
			ret = replay_file(path, groups, traces, quiet, r);
		free(list[i]);
	}
	free(list);
	return ret;
}

int verify_trace(char *const *paths, int npaths, struct vg_groups *groups, json_t *traces, bool quiet,
		 struct verify_result *r)
{
	const char *gap = vt_traits_gap();
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if (gap)
		return cli_error("verify --against trace: %s", gap);
	if (!npaths)
		return cli_error("verify --against trace: expected one or more trace files or directories");
	for (int i = 0; i < npaths && !ret; i++)
		ret = cli_is_directory(paths[i]) ? replay_directory(paths[i], groups, traces, quiet, r)
						 : replay_file(paths[i], groups, traces, quiet, r);
	return ret;
}
