// SPDX-License-Identifier: MIT
/*
 * Reading the tool's inputs: files and standard input ("-", once per
 * command), a CPUID dump from either, and directories of dumps.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* ---- files and standard streams ------------------------------------------- */

/* Standard input can be read once; a second "-" would find it empty. */
static bool stdin_taken;

bool cli_is_stdin(const char *path)
{
	return path && !strcmp(path, "-");
}

/* PATH ("-": a descriptor of standard input) open for reading, or -errno and why. */
static int open_input(const char *path, const char *expected, int *fd, struct xs_diag *d)
{
	struct stat st;

	if (cli_is_stdin(path)) {
		if (stdin_taken)
			return xs_diag_fail(d, -EINVAL, "-: standard input is already read (only one '-' per command)");
		stdin_taken = true;
		*fd = dup(STDIN_FILENO);
	} else {
		*fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (*fd < 0)
		return xs_diag_fail(d, -errno, "%s: %s", path, strerror(errno));
	if (!fstat(*fd, &st) && S_ISDIR(st.st_mode)) {
		close(*fd);
		return xs_diag_fail(d, -EISDIR, "%s: is a directory, expected %s", path, expected);
	}
	return 0;
}

/* Everything fd holds, at most max bytes. */
static int read_all(int fd, const char *path, const char *expected, size_t max, uint8_t **buf, size_t *len,
		    struct xs_diag *d)
{
	size_t cap = 0, n = 0;
	uint8_t *b = NULL, *nb;
	ssize_t r;

	for (;;) {
		if (n > max) {	/* checked after every read: one byte over is too much */
			free(b);
			return xs_diag_fail(d, -EFBIG, "%s: larger than %zu bytes, expected %s", path, max, expected);
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			if (!(nb = realloc(b, cap))) {
				free(b);
				return xs_diag_fail(d, -ENOMEM, "%s: out of memory", path);
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			free(b);
			return xs_diag_fail(d, -err, "%s: %s", path, strerror(err));
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	return 0;
}

static int read_stream(const char *path, const char *expected, size_t max, uint8_t **buf, size_t *len,
		       struct xs_diag *d)
{
	int fd = -1, ret = open_input(path, expected, &fd, d);

	if (ret)
		return ret;
	ret = read_all(fd, path, expected, max, buf, len, d);
	close(fd);
	return ret;
}

int cli_read_fd(int fd, const char *path, const char *expected, size_t max, uint8_t **buf, size_t *len)
{
	struct xs_diag d = { 0 };

	if (read_all(fd, path, expected, max, buf, len, &d))
		return cli_error("%s", d.msg);
	return 0;
}

int cli_read_file(const char *path, const char *expected, size_t max, uint8_t **buf, size_t *len)
{
	struct xs_diag d = { 0 };

	if (read_stream(path, expected, max, buf, len, &d))
		return cli_error("%s", d.msg);
	return 0;
}

/* Copy the rest of in to out (a pipe into a temporary file). */
static int copy_fd(int in, int out)
{
	uint8_t b[65536];
	ssize_t r;

	while ((r = read(in, b, sizeof(b))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		for (ssize_t done = 0, w; done < r; done += w)
			if ((w = write(out, b + done, (size_t)(r - done))) < 0)
				return -errno;
	}
	return 0;
}

int cli_open_file(const char *path, const char *expected, int *fd)
{
	struct xs_diag d = { 0 };
	struct stat st;
	FILE *tmp;
	int in, ret;

	if (open_input(path, expected, &in, &d))
		return cli_error("%s", d.msg);
	if (!fstat(in, &st) && S_ISREG(st.st_mode)) {
		*fd = in;
		return 0;
	}
	/* a pipe: into an unlinked temporary file, so the reader may seek (any size, little memory) */
	tmp = tmpfile();
	ret = tmp ? copy_fd(in, fileno(tmp)) : -errno;
	close(in);
	if (ret) {
		if (tmp)
			fclose(tmp);
		return cli_error("%s: cannot keep standard input in a temporary file: %s", path, strerror(-ret));
	}
	*fd = lseek(fileno(tmp), 0, SEEK_SET) ? -1 : dup(fileno(tmp));
	fclose(tmp);
	return *fd < 0 ? cli_error("%s: %s", path, strerror(errno)) : 0;
}

int cli_write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = cli_is_stdin(path) ? stdout : fopen(path, "wb");

	if (!f)
		return cli_error("%s: %s", path, strerror(errno));
	if (fwrite(buf, 1, len, f) != len || (f == stdout ? fflush(f) : fclose(f)))
		return cli_error("%s: %s", cli_is_stdin(path) ? "standard output" : path, strerror(errno));
	return 0;
}

int cli_read_cpu(xs_cpu *cpu, const char *path, unsigned cpu_index, struct xs_diag *diag)
{
	uint8_t *text = NULL;
	size_t len = 0;
	int ret;

	if (!cli_is_stdin(path))
		return xs_cpu_from_file(cpu, path, cpu_index, diag);
	ret = read_stream(path, "a CPUID dump", CLI_DUMP_MAX, &text, &len, diag);
	if (!ret)
		ret = xs_cpu_parse(cpu, len ? (const char *)text : "", len, cpu_index, CLI_STDIN_NAME, diag);
	free(text);
	return ret;
}

int cli_is_dump_name(const struct dirent *d)
{
	static const char *const skip[] = { ".md", ".tsv", ".csv", ".json" };
	size_t n = strlen(d->d_name);

	if (d->d_name[0] == '.' || d->d_type == DT_DIR)	/* e.g. formats/: a corpus is flat */
		return 0;
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (n > strlen(skip[i]) && !strcmp(d->d_name + n - strlen(skip[i]), skip[i]))
			return 0;
	return 1;
}

bool cli_is_directory(const char *path)
{
	struct stat st;

	return path && !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* ---- directories of dumps --------------------------------------------------- */

static void free_names(struct dirent **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int cli_list_dumps(const char *dir, char ***paths, unsigned *n)
{
	struct dirent **names = NULL;
	char **p;
	unsigned k = 0;
	int count = scandir(dir, &names, cli_is_dump_name, alphasort);

	if (count < 0)
		return cli_error("%s: cannot read the directory: %s", dir, strerror(errno));
	p = calloc((size_t)count + 1, sizeof(*p));
	for (int i = 0; p && i < count; i++) {
		struct stat st;
		size_t len = strlen(dir) + strlen(names[i]->d_name) + 2;
		char *path = malloc(len);

		if (!path)
			break;
		snprintf(path, len, "%s/%s", dir, names[i]->d_name);
		if (!stat(path, &st) && S_ISREG(st.st_mode))
			p[k++] = path;
		else
			free(path);
	}
	free_names(names, count);
	if (!p)
		return cli_error("out of memory");
	if (!k) {
		free(p);
		return cli_error("%s: no CPUID dumps in this directory (README.md, *.tsv, *.csv, *.json and subdirectories are not dumps)",
				 dir);
	}
	*paths = p;
	*n = k;
	return 0;
}

void cli_free_paths(char **paths)
{
	for (char **p = paths; p && *p; p++)
		free(*p);
	free(paths);
}

/*
 * Hosts named by directories, for the rest of the command: the new argv
 * and the paths made for it, freed at exit.
 */
static char **expanded_argv;
static char **expanded_paths;
static unsigned nexpanded;

static void free_expanded(void)
{
	for (unsigned i = 0; i < nexpanded; i++)
		free(expanded_paths[i]);
	free(expanded_paths);
	free(expanded_argv);
	expanded_paths = expanded_argv = NULL;
	nexpanded = 0;
}

/* Keep the k paths of one directory; false when out of memory (they are freed). */
static bool keep_paths(char **paths, unsigned k)
{
	char **grown = realloc(expanded_paths, (nexpanded + k) * sizeof(*grown));

	if (!grown) {
		cli_free_paths(paths);
		return false;
	}
	expanded_paths = grown;
	memcpy(expanded_paths + nexpanded, paths, k * sizeof(*paths));
	nexpanded += k;
	free(paths);
	return true;
}

int cli_expand_dirs(int *argc, char ***argv, int first, unsigned max)
{
	static bool registered;
	size_t cap = (size_t)*argc + 1, n = 0;
	char **out = malloc(cap * sizeof(*out)), **paths, **grown;
	unsigned k;

	if (!registered) {
		atexit(free_expanded);
		registered = true;
	}
	for (int i = 0; out && i < *argc; i++) {
		if (i < first || !cli_is_directory((*argv)[i])) {
			out[n++] = (*argv)[i];
			continue;
		}
		if (cli_list_dumps((*argv)[i], &paths, &k)) {
			free(out);
			return XS_EXIT_USAGE;
		}
		grown = realloc(out, (cap += k) * sizeof(*out));
		if (!grown)
			cli_free_paths(paths);
		if (!grown || !keep_paths(paths, k)) {
			free(grown ? grown : out);
			return cli_error("out of memory");
		}
		out = grown;
		memcpy(out + n, expanded_paths + nexpanded - k, k * sizeof(*out));
		n += k;
	}
	if (!out)
		return cli_error("out of memory");
	out[n] = NULL;
	if (n - (size_t)first > max) {
		free(out);
		return cli_error("%zu hosts (directories give all their dumps): at most %u", n - (size_t)first, max);
	}
	free(expanded_argv);
	expanded_argv = out;
	*argc = (int)n;
	*argv = out;
	return 0;
}
