// SPDX-License-Identifier: MIT
/*
 * vt_read(), the reader of `xstate verify` traces, on arbitrary bytes.
 *
 * Input: byte 0 bit 0 picks what the rest is — 0: a whole trace file;
 * 1: a trace body (the records), which the target compresses and puts
 * behind a valid header, so that mutations reach the records rather than
 * stopping at zstd's checks.
 *
 * Invariants: the reader returns 0, -EINVAL with a message that names the
 * file, or -ENOMEM; what it hands to the callbacks is in range (a header
 * with a parsed CPU, region and area within bounds; cases with 1..16
 * steps, buffers inside their regions, pokes inside the buffer and the
 * noise); every byte it hands over is initialised (MSan/ASan see reads).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "fuzz_models.h"
#include "trace_format.h"

static int on_header(void *ctx, const struct vt_header *h)
{
	(void)ctx;
	FZ_CHECK(h->area >= 576 && h->area <= h->region && h->region <= VT_REGION_MAX,
		 "area %u, region %u", h->area, h->region);
	FZ_CHECK(h->noise_len <= VT_NOISE_MAX, "noise %u", h->noise_len);
	FZ_CHECK(xs_cpu_has(h->cpu, XS_CPU_FPU), "a CPU without an FPU got through");
	return 0;
}

static volatile unsigned sink;

static int on_case(void *ctx, const struct vt_header *h, const struct vt_case *c)
{
	unsigned sum = 0;

	(void)ctx;
	FZ_CHECK(c->nsteps >= 1 && c->nsteps <= VT_MAX_STEPS, "%u steps", c->nsteps);
	for (int s = 0; s < VT_SLOTS; s++) {
		size_t n = h->region - c->start[s];

		FZ_CHECK(c->start[s] <= h->region, "buffer %d at +%u", s, c->start[s]);
		for (size_t i = 0; i < n; i++)
			sum += c->init[s][i] ^ c->after[s][i];	/* every byte was written */
	}
	for (unsigned i = 0; i < c->nsteps; i++) {
		const struct vt_step *s = &c->steps[i];

		FZ_CHECK(s->op >= 1 && s->op < VT_OP_COUNT, "op %u", s->op);
		if (s->op == VT_OP_POKE)
			FZ_CHECK(s->poke_at + s->arg <= h->region - c->start[s->slot] &&
					 s->poke_from + s->arg <= h->noise_len,
				 "a poke outside its buffer or the noise");
	}
	FZ_CHECK(c->frame_len <= VT_FRAME_MAX, "frame of %u bytes", c->frame_len);
	for (uint32_t i = 0; i < c->frame_len; i++)
		sum += c->frame[i];
	sink = sum;
	return 0;
}

/* The body behind a valid header, compressed. */
static uint8_t *wrap(const uint8_t *body, size_t n, size_t *len)
{
	size_t cap = VT_HEADER_SIZE + ZSTD_compressBound(n);
	uint8_t *file = malloc(cap);
	size_t z;

	if (!file)
		abort();
	memcpy(file, VT_MAGIC, 8);
	memcpy(file + 8, (const uint8_t[]){ VT_VERSION, 0, 0, 0, VT_COMPRESSION_ZSTD, 0, 0, 0 }, 8);
	z = ZSTD_compress(file + VT_HEADER_SIZE, cap - VT_HEADER_SIZE, body, n, 1);
	FZ_CHECK(!ZSTD_isError(z), "zstd: %s", ZSTD_getErrorName(z));
	*len = VT_HEADER_SIZE + z;
	return file;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vt_reader_ops ops = { on_header, on_case };
	char err[512] = "";
	uint8_t *file;
	size_t len;
	int ret;

	if (!size)
		return 0;
	if (data[0] & 1)
		file = wrap(data + 1, size - 1, &len);
	else
		file = fz_dup(data + 1, len = size - 1);
	ret = vt_read(file, len, "fuzz.xstrace", &ops, NULL, err, sizeof(err));
	FZ_CHECK(ret == 0 || ret == -EINVAL || ret == -ENOMEM, "vt_read returned %d", ret);
	if (ret == -EINVAL)
		FZ_CHECK(!strncmp(err, "fuzz.xstrace", 12), "an error that does not name the file: '%s'", err);
	free(file);
	return 0;
}
