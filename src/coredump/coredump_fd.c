// SPDX-License-Identifier: MIT
/*
 * Edge: an ELF core read from a file descriptor with pread(2), only where
 * coredump.c asks — the program headers and notes, not the memory
 * segments — so a core of any size (sparse, larger than 4 GiB) is cheap.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coredump/coredump.h"

static int fd_read(void *ctx, void *buf, size_t len, uint64_t offset)
{
	int fd = (int)(intptr_t)ctx;
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;	/* the file shrank under us */
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

int xs_core_open_fd(xs_core **core, int fd, struct xs_diag *diag)
{
	struct stat st;
	int err = 0;

	if (fstat(fd, &st))
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -ESPIPE;
	if (err)
		return xs_diag_fail(diag, err, "%s",
				    err == -ESPIPE ? "not a regular file: a core is read at the offsets its headers give"
				    : strerror(-err));
	return xs_core_open(core, (uint64_t)st.st_size, fd_read, (void *)(intptr_t)fd, diag);
}
