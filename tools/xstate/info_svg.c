// SPDX-License-Identifier: MIT
/*
 * xstate info --format svg: a CPU's XSAVE buffer layouts as a drawing.
 *
 * Two columns side by side: the standard format (what ptrace, signal
 * frames and KVM carry: the user components at their CPUID 0xD offsets,
 * user.max_size bytes) and, when the kernel uses it, the compacted format
 * of the kernel's own buffers (every kernel component packed in index
 * order, 64-byte aligned where CPUID 0xD.i ECX[1] says, kernel.max_size
 * bytes). Byte offsets map linearly to height, the same scale in both
 * columns, so a box's height is its size and the gaps between boxes are
 * the padding the layout has. Components too thin for a label inside get
 * it beside them, with a leader line. Marks H, G, U: in a host task's
 * default fpstate, a vCPU's, the user ABI.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "xsave_layout.h"

#define TOP 130			/* y of byte 0 */
#define BOX_W 170
#define COL_W 560		/* box, marks and labels of one column */
#define LEFT 90			/* x of the first column's boxes */
#define LINE 14			/* label line height */
#define MAX_SEGS (2 * XS_XFEATURE_MAX + 8)

enum seg_kind { SEG_LEGACY, SEG_HEADER, SEG_USER, SEG_SUPERVISOR, SEG_DYNAMIC, SEG_PAD };

struct seg {
	unsigned off, size;
	int nr;			/* component number, -1 for header and padding */
	enum seg_kind kind;
	const char *name;
};

struct column {
	const char *title, *subtitle;
	bool compacted;
	unsigned total;
	unsigned nsegs;
	struct seg segs[MAX_SEGS];
};

static const char *const fills[] = {
	[SEG_LEGACY] = "#cfe2f3", [SEG_HEADER] = "#d9d9d9", [SEG_USER] = "#b6d7a8",
	[SEG_SUPERVISOR] = "#f9cb9c", [SEG_DYNAMIC] = "#d5a6bd", [SEG_PAD] = "url(#pad)",
};

/* Text for XML: the five characters XML reserves, escaped. */
static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void add(struct column *c, unsigned off, unsigned size, int nr, enum seg_kind kind, const char *name)
{
	if (c->nsegs < MAX_SEGS && size)
		c->segs[c->nsegs++] = (struct seg){ off, size, nr, kind, name };
}

static enum seg_kind kind_of(unsigned nr)
{
	const struct xs_xfeature_info *x = xs_xfeature_info(nr);

	return x->dynamic ? SEG_DYNAMIC : x->supervisor ? SEG_SUPERVISOR : SEG_USER;
}

/* The legacy area: the FXSAVE image (SDM1 §10.5.1). */
static void fxsave_image(struct column *c)
{
	add(c, 0, FX_XMM0, XS_XFEATURE_FP, SEG_LEGACY, "x87");
	add(c, FX_XMM0, FX_XMM_SIZE, XS_XFEATURE_SSE, SEG_LEGACY, "sse");
	add(c, FX_PAD, XS_FXSAVE_SIZE - FX_PAD, -1, SEG_PAD, "reserved, software bytes");
}

/* The legacy area and header every XSAVE buffer starts with (xsave-isa.md §1). */
static void legacy(struct column *c)
{
	fxsave_image(c);
	add(c, XS_XSAVE_HDR_OFFSET, XS_XSAVE_HDR_SIZE, -1, SEG_HEADER, "XSAVE header");
}

static int by_offset(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* Sort the components and make every gap between them a padding segment. */
static void fill_gaps(struct column *c, bool compacted)
{
	struct seg s[MAX_SEGS];
	unsigned n = 0, end = 0;

	qsort(c->segs, c->nsegs, sizeof(c->segs[0]), by_offset);
	for (unsigned i = 0; i < c->nsegs && n < MAX_SEGS; i++) {
		if (c->segs[i].off > end && n < MAX_SEGS - 1)
			s[n++] = (struct seg){ end, c->segs[i].off - end, -1, SEG_PAD,
					       compacted ? "64-byte alignment" : "unused" };
		s[n++] = c->segs[i];
		if (c->segs[i].off + c->segs[i].size > end)
			end = c->segs[i].off + c->segs[i].size;
	}
	if (c->total > end && n < MAX_SEGS)
		s[n++] = (struct seg){ end, c->total - end, -1, SEG_PAD, "tail padding" };
	memcpy(c->segs, s, n * sizeof(s[0]));
	c->nsegs = n;
}

static void standard_column(const xs_system *sys, struct column *c)
{
	const struct xs_system_info *info = xs_system_info(sys);
	struct xs_component_info ci;

	memset(c, 0, sizeof(*c));
	c->title = "standard format";
	c->subtitle = "ptrace NT_X86_XSTATE, signal frames, KVM_GET_XSAVE";
	c->total = info->user.max_size;
	legacy(c);
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if ((info->user.max_features & XS_BIT(nr)) && !xs_system_component(sys, nr, &ci) &&
		    ci.offset != UINT32_MAX)
			add(c, ci.offset, ci.size, (int)nr, kind_of(nr), xs_xfeature_info(nr)->short_name);
	fill_gaps(c, false);
}

static void compacted_column(const xs_system *sys, struct column *c)
{
	const struct xs_system_info *info = xs_system_info(sys);
	struct xs_component_info ci;

	memset(c, 0, sizeof(*c));
	c->title = "compacted format";
	c->compacted = true;
	c->subtitle = info->xsaves ? "the kernel's fpstates (XSAVES), all kernel components"
				   : "the kernel's fpstates (XSAVEC), all kernel components";
	c->total = info->kernel.max_size;
	legacy(c);
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if ((info->kernel.max_features & XS_BIT(nr)) && !xs_system_component(sys, nr, &ci))
			add(c, ci.comp_offset, ci.size, (int)nr, kind_of(nr), xs_xfeature_info(nr)->short_name);
	fill_gaps(c, true);
}

struct scale {
	unsigned bytes_per_px;
};

static double y_of(const struct scale *s, unsigned byte)
{
	return TOP + (double)byte / s->bytes_per_px;
}

/* H, G, U: the component's membership, as three small marks. */
static void marks(FILE *f, const xs_system *sys, int nr, double x, double y)
{
	const struct xs_system_info *info = xs_system_info(sys);
	const uint64_t sets[3] = { info->kernel.default_features, info->kernel.guest_default_features,
				   info->user.max_features };
	static const char *const letters[3] = { "H", "G", "U" };

	for (unsigned k = 0; k < 3; k++) {
		bool in = nr >= 0 && (sets[k] & XS_BIT(nr));

		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"11\" height=\"11\" rx=\"2\" fill=\"%s\" stroke=\"#444\"/>",
			x + 13 * k, y - 9, in ? "#444" : "#fff");
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"8\" text-anchor=\"middle\" fill=\"%s\">%s</text>\n",
			x + 13 * k + 5.5, y, in ? "#fff" : "#999", letters[k]);
	}
}

static void seg_label(const struct seg *sg, char *buf, size_t size)
{
	if (sg->nr >= 0)
		snprintf(buf, size, "%s (%d): %u bytes at %u", sg->name, sg->nr, sg->size, sg->off);
	else
		snprintf(buf, size, "%s: %u bytes at %u", sg->name, sg->size, sg->off);
}

/*
 * Each box and its labels in a group whose attributes say what it is, for
 * scripts: class component (data-index, data-name, membership as
 * data-host, data-guest, data-user), padding or header; offset and size.
 */
static void group(FILE *f, const xs_system *sys, const struct seg *sg)
{
	static const char *const classes[] = { [SEG_HEADER] = "header", [SEG_PAD] = "padding" };
	const struct xs_system_info *info = xs_system_info(sys);

	if (sg->nr < 0) {
		fprintf(f, "<g class=\"%s\" data-offset=\"%u\" data-size=\"%u\">\n",
			classes[sg->kind] ? classes[sg->kind] : "padding", sg->off, sg->size);
		return;
	}
	fprintf(f, "<g class=\"component\" data-index=\"%d\" data-name=\"%s\" data-offset=\"%u\" data-size=\"%u\" data-host=\"%s\" data-guest=\"%s\" data-user=\"%s\">\n",
		sg->nr, sg->name, sg->off, sg->size,
		info->kernel.default_features & XS_BIT(sg->nr) ? "yes" : "no",
		info->kernel.guest_default_features & XS_BIT(sg->nr) ? "yes" : "no",
		info->user.max_features & XS_BIT(sg->nr) ? "yes" : "no");
}

static bool label_inside(const struct seg *sg, const struct scale *s)
{
	return (double)sg->size / s->bytes_per_px >= LINE + 2 && sg->kind != SEG_PAD;
}

static bool label_beside(const struct seg *sg, const struct scale *s)
{
	return !label_inside(sg, s) || sg->nr >= 0;
}

/*
 * Where each label beside a box goes: level with the box's middle, pushed
 * down below the one before so none overlap. Returns the lowest line.
 */
static double place_labels(const struct column *c, const struct scale *s, double ly[])
{
	double next = 0;

	for (unsigned i = 0; i < c->nsegs; i++) {
		const struct seg *sg = &c->segs[i];

		ly[i] = y_of(s, sg->off) + (double)sg->size / s->bytes_per_px / 2 + 4;
		if (!label_beside(sg, s))
			continue;
		if (ly[i] < next)
			ly[i] = next;
		next = ly[i] + LINE;
	}
	return next;
}

/* One column at x. */
static void draw_column(FILE *f, const xs_system *sys, const struct column *c, const struct scale *s, double x)
{
	double lys[MAX_SEGS];
	char label[160];

	fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"15\" font-weight=\"bold\">", x, TOP - 40);
	xml_text(f, c->title);
	fprintf(f, ": %u bytes</text>\n<text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"#555\">", c->total, x, TOP - 24);
	xml_text(f, c->subtitle);
	fputs("</text>\n", f);
	fprintf(f, "<g class=\"layout\" data-format=\"%s\" data-size=\"%u\" data-bytes-per-px=\"%u\" data-top=\"%d\">\n",
		c->compacted ? "compacted" : "standard", c->total, s->bytes_per_px, TOP);
	place_labels(c, s, lys);
	for (unsigned i = 0; i < c->nsegs; i++) {
		const struct seg *sg = &c->segs[i];
		double y0 = y_of(s, sg->off), h = (double)sg->size / s->bytes_per_px, ly = lys[i];
		bool inside = label_inside(sg, s);

		group(f, sys, sg);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.2f\" width=\"%d\" height=\"%.2f\" fill=\"%s\" stroke=\"#333\" stroke-width=\"0.6\"><title>",
			x, y0, BOX_W, h, fills[sg->kind]);
		seg_label(sg, label, sizeof(label));
		xml_text(f, label);
		fputs("</title></rect>\n", f);
		if (label_beside(sg, s)) {
			/* beside the box: leader line from the box's middle to the label */
			fprintf(f, "<path d=\"M %.1f %.2f L %.1f %.2f L %.1f %.2f\" stroke=\"#888\" stroke-width=\"0.6\" fill=\"none\"/>\n",
				x + BOX_W, y0 + h / 2, x + BOX_W + 14, ly - 4, x + BOX_W + 20, ly - 4);
			if (sg->nr >= 0)
				marks(f, sys, sg->nr, x + BOX_W + 24, ly);
			fprintf(f, "<text x=\"%.1f\" y=\"%.2f\" font-size=\"11\"%s>", x + BOX_W + 66, ly,
				sg->kind == SEG_PAD ? " fill=\"#777\" font-style=\"italic\"" : "");
			xml_text(f, label);
			fputs("</text>\n", f);
		}
		if (inside) {
			fprintf(f, "<text x=\"%.1f\" y=\"%.2f\" font-size=\"12\" text-anchor=\"middle\" font-weight=\"bold\">",
				x + BOX_W / 2.0, y0 + h / 2 + 4);
			xml_text(f, sg->name);
			fputs("</text>\n", f);
		}
		fputs("</g>\n", f);
	}
	fputs("</g>\n", f);
}

/* Byte ticks on the left edge of a column. */
static void axis(FILE *f, const struct scale *s, unsigned total, double x)
{
	unsigned step = total > 8192 ? 1024 : total > 2048 ? 256 : 128;

	for (unsigned b = 0; b <= total; b += step) {
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.2f\" x2=\"%.1f\" y2=\"%.2f\" stroke=\"#999\" stroke-width=\"0.6\"/>",
			x - 6, y_of(s, b), x, y_of(s, b));
		fprintf(f, "<text x=\"%.1f\" y=\"%.2f\" font-size=\"9\" text-anchor=\"end\" fill=\"#666\">%u</text>\n",
			x - 8, y_of(s, b) + 3, b);
	}
}

static void header(FILE *f, const xs_system *sys, unsigned width, unsigned height, const struct scale *s)
{
	const xs_cpu *cpu = xs_system_cpu(sys);
	const struct xs_options *opts = xs_system_options(sys);
	const struct xs_system_info *info = xs_system_info(sys);
	char kver[16], line[320];

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" font-family=\"DejaVu Sans, Verdana, sans-serif\">\n"
		   "<defs><pattern id=\"pad\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
		   "<rect width=\"6\" height=\"6\" fill=\"#f4f4f4\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#bbb\" stroke-width=\"2\"/></pattern></defs>\n"
		   "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
		width, height, width, height);
	snprintf(line, sizeof(line), "%s %s (family 0x%x, model 0x%x, stepping %u)", xs_cpu_vendor(cpu),
		 xs_cpu_brand(cpu), xs_cpu_family(cpu), xs_cpu_model(cpu), xs_cpu_stepping(cpu));
	fputs("<text x=\"20\" y=\"26\" font-size=\"16\" font-weight=\"bold\">", f);
	xml_text(f, line);
	snprintf(line, sizeof(line), "Linux %s, CET-S %s: XCR0 0x%llx, IA32_XSS 0x%llx. Drawn to scale: 1 px = %u bytes.",
		 xs_kernel_name(opts->kernel, kver, sizeof(kver)), xs_cet_s_policy_name(opts->cet_s),
		 (unsigned long long)info->xcr0, (unsigned long long)info->xss, s->bytes_per_px);
	fputs("</text>\n<text x=\"20\" y=\"44\" font-size=\"12\">", f);
	xml_text(f, line);
	fputs("</text>\n<text x=\"20\" y=\"60\" font-size=\"11\" fill=\"#555\">"
	      "H: in a host task's default fpstate; G: in a vCPU's; U: in the user ABI (ptrace, signal frames). "
	      "Green: user state, orange: supervisor, violet: dynamic (XFD), hatched: padding.</text>\n", f);
}

static int halted_svg(FILE *f, const xs_system *sys)
{
	struct scale s = { 1 };

	header(f, sys, 900, 120, &s);
	fputs("<text x=\"20\" y=\"90\" font-size=\"13\">Linux does not boot on this CPU: ", f);
	xml_text(f, xs_system_info(sys)->halt_reason);
	fputs("</text>\n</svg>\n", f);
	return ferror(f) ? cli_error("cannot write the drawing") : 0;
}

/* Below the column's last byte and its lowest label. */
static unsigned column_height(const struct column *c, const struct scale *s)
{
	double ly[MAX_SEGS], bottom = place_labels(c, s, ly), end = y_of(s, c->total);

	return (unsigned)((bottom > end ? bottom : end) - TOP);
}

int info_svg(FILE *f, const xs_system *sys)
{
	const struct xs_system_info *info = xs_system_info(sys);
	struct column *cols = calloc(2, sizeof(*cols));
	struct scale s;
	unsigned ncols = 1, max_total, height;

	if (info->halted) {
		free(cols);
		return halted_svg(f, sys);
	}
	if (!cols)
		return cli_error("out of memory");
	if (info->xsave) {
		standard_column(sys, &cols[0]);
		if (info->compacted)
			compacted_column(sys, &cols[ncols++]);
	} else {
		cols[0].title = "legacy FXSAVE image";
		cols[0].subtitle = info->disabled ? "XSAVE disabled by the kernel" : "no XSAVE";
		cols[0].total = XS_FXSAVE_SIZE;
		fxsave_image(&cols[0]);
	}
	max_total = cols[0].total > cols[1].total ? cols[0].total : cols[1].total;
	/* tall and linear: 2 bytes a pixel, 4 for the largest (AMX) buffers */
	s.bytes_per_px = max_total > 6144 ? 4 : 2;
	height = column_height(&cols[0], &s);
	if (ncols == 2 && column_height(&cols[1], &s) > height)
		height = column_height(&cols[1], &s);
	header(f, sys, LEFT + COL_W * ncols, TOP + height + 20, &s);
	for (unsigned i = 0; i < ncols; i++) {
		axis(f, &s, cols[i].total, LEFT + COL_W * i);
		draw_column(f, sys, &cols[i], &s, LEFT + COL_W * i);
	}
	fputs("</svg>\n", f);
	free(cols);
	return ferror(f) ? cli_error("cannot write the drawing") : 0;
}
