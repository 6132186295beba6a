// SPDX-License-Identifier: MIT
/* xs-test-label: live */
/* xs-test-oracle: kvm test_vcpu_* */
/*
 * Oracle: the running kernel. Every arch_prctl XCOMP option, every feature
 * number 0..63, and seeded random sequences mixed with sigaltstack() and
 * (where /dev/kvm exists) vCPU creation run in a fresh child process; the
 * model for the live CPU must predict every return value, errno and
 * reported mask.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif
#define KVM_CREATE_VM_IOCTL 0xae01	/* _IO(KVMIO, 0x01) */
#define KVM_CREATE_VCPU_IOCTL 0xae41	/* _IO(KVMIO, 0x41) */

enum op_kind { OP_PRCTL, OP_PRCTL_NULL, OP_SIGALTSTACK, OP_VCPU };

struct op {
	enum op_kind kind;
	int option;
	unsigned long arg;	/* feature number, or sigaltstack size */
};

struct result {
	long ret;		/* 0 or -errno */
	uint64_t value;		/* what a GET option stored */
};

#define MAX_OPS 16

static xs_system *live;
static bool have_kvm;

static int setup(void **state)
{
	xs_cpu cpu;
	struct xs_options o;

	(void)state;
	if (syscall(SYS_arch_prctl, XS_ARCH_GET_XCOMP_SUPP, 0) == -1 && errno == EINVAL)
		return 0;	/* kernel before 5.16: no XCOMP options (tests skip) */
	/* the running release and the boot command line's clearcpuid= & co */
	if (xs_cpu_from_host(&cpu) || !xt_live_options(&o))
		return 0;
	live = malloc(sizeof(*live));
	if (xs_system_init(live, &cpu, &o)) {
		free(live);
		live = NULL;
		return 0;
	}
	have_kvm = access("/dev/kvm", R_OK | W_OK) == 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(live);
	return 0;
}

/* ---- the kernel side, in a child ----------------------------------------- */

static long kernel_op(const struct op *op, uint64_t *value, int *kvm_fds)
{
	long r;

	switch (op->kind) {
	case OP_PRCTL:
		r = op->option == XS_ARCH_REQ_XCOMP_PERM || op->option == XS_ARCH_REQ_XCOMP_GUEST_PERM ||
				    op->option == 0x1026
			    ? syscall(SYS_arch_prctl, op->option, op->arg)
			    : syscall(SYS_arch_prctl, op->option, value);
		break;
	case OP_PRCTL_NULL:
		r = syscall(SYS_arch_prctl, op->option, NULL);
		break;
	case OP_SIGALTSTACK: {
		stack_t ss = { .ss_sp = NULL, .ss_flags = SS_DISABLE, .ss_size = 0 };

		if (op->arg) {
			ss.ss_sp = malloc(op->arg);
			ss.ss_flags = 0;
			ss.ss_size = op->arg;
		}
		r = sigaltstack(&ss, NULL);
		break;
	}
	default:
		if (kvm_fds[0] < 0)
			kvm_fds[0] = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		if (kvm_fds[1] < 0)
			kvm_fds[1] = ioctl(kvm_fds[0], KVM_CREATE_VM_IOCTL, 0);
		r = ioctl(kvm_fds[1], KVM_CREATE_VCPU_IOCTL, kvm_fds[2]++);
		if (r >= 0)
			r = 0;
		break;
	}
	return r < 0 ? -errno : r;
}

static void run_in_child(const struct op *ops, unsigned n, struct result *shared)
{
	int kvm_fds[3] = { -1, -1, 0 };

	for (unsigned i = 0; i < n; i++) {
		shared[i].value = 0;
		shared[i].ret = kernel_op(&ops[i], &shared[i].value, kvm_fds);
	}
}

static void run_kernel(const struct op *ops, unsigned n, struct result *out)
{
	struct result *shared = mmap(NULL, sizeof(*out) * MAX_OPS, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int status;

	assert_true(shared != MAP_FAILED);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		run_in_child(ops, n, shared);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	memcpy(out, shared, sizeof(*out) * n);
	munmap(shared, sizeof(*out) * MAX_OPS);
}

/* ---- the model side ------------------------------------------------------- */

static void run_model(const struct op *ops, unsigned n, struct result *out)
{
	xs_fpu fpu;
	xs_fpu_guest vcpus[MAX_OPS];
	unsigned nvcpus = 0;

	assert_int_equal(xs_fpu_init(&fpu, live, NULL), 0);
	for (unsigned i = 0; i < n; i++) {
		const struct op *op = &ops[i];

		out[i].value = 0;
		switch (op->kind) {
		case OP_PRCTL:
			out[i].ret = xs_arch_prctl(&fpu, op->option, op->arg, &out[i].value);
			break;
		case OP_PRCTL_NULL:
			out[i].ret = xs_arch_prctl(&fpu, op->option, 0, NULL);
			break;
		case OP_SIGALTSTACK:
			out[i].ret = xs_sigaltstack(&fpu, 0, op->arg);
			break;
		default:
			out[i].ret = xs_fpu_alloc_guest_fpstate(&fpu, &vcpus[nvcpus]);
			if (!out[i].ret)
				nvcpus++;
			break;
		}
	}
	while (nvcpus)
		xs_fpu_free_guest_fpstate(&fpu, &vcpus[--nvcpus]);
	xs_fpu_destroy(&fpu);
}

static const char *op_str(const struct op *op, char *buf, size_t size)
{
	static const char *const kinds[] = { "arch_prctl", "arch_prctl(NULL)", "sigaltstack", "KVM_CREATE_VCPU" };

	snprintf(buf, size, "%s(%#x, %lu)", kinds[op->kind], op->option, op->arg);
	return buf;
}

/* Compare one sequence; returns the number of agreeing operations. */
static unsigned compare(const struct op *ops, unsigned n)
{
	struct result k[MAX_OPS], m[MAX_OPS];
	char buf[96];

	run_kernel(ops, n, k);
	run_model(ops, n, m);
	for (unsigned i = 0; i < n; i++) {
		if (k[i].ret != m[i].ret || k[i].value != m[i].value)
			fail_msg("op %u %s: kernel %ld (value %#llx), model %ld (value %#llx)", i,
				 op_str(&ops[i], buf, sizeof(buf)), k[i].ret,
				 (unsigned long long)k[i].value, m[i].ret, (unsigned long long)m[i].value);
	}
	return n;
}

#define NEED_LIVE()                                                           \
	do {                                                                  \
		if (!live) {                                                  \
			print_message("SKIP: no XCOMP arch_prctl or unmodelled kernel\n"); \
			skip();                                               \
		}                                                             \
	} while (0)

static void test_every_option_and_feature_number_matches_the_kernel(void **state)
{
	static const int options[] = { XS_ARCH_GET_XCOMP_SUPP, XS_ARCH_GET_XCOMP_PERM,
				       XS_ARCH_REQ_XCOMP_PERM, XS_ARCH_GET_XCOMP_GUEST_PERM,
				       XS_ARCH_REQ_XCOMP_GUEST_PERM, 0x1026 };
	unsigned agree = 0;

	(void)state;
	NEED_LIVE();
	for (size_t o = 0; o < sizeof(options) / sizeof(options[0]); o++) {
		for (unsigned long nr = 0; nr < 64; nr++) {
			const struct op ops[] = { { OP_PRCTL, options[o], nr },
						  { OP_PRCTL, XS_ARCH_GET_XCOMP_PERM, 0 },
						  { OP_PRCTL, XS_ARCH_GET_XCOMP_GUEST_PERM, 0 } };

			agree += compare(ops, 3);
		}
		if (options[o] != 0x1026 && options[o] != XS_ARCH_REQ_XCOMP_PERM &&
		    options[o] != XS_ARCH_REQ_XCOMP_GUEST_PERM) {
			const struct op ops[] = { { OP_PRCTL_NULL, options[o], 0 } };

			agree += compare(ops, 1);
		}
	}
	print_message("%u arch_prctl results agree with the running kernel\n", agree);
}

static void test_random_request_sequences_match_the_kernel(void **state)
{
	const unsigned long sizes[] = { 0, 2047, 2048, 4096, live ? live->max_sigframe_size - 1 : 0,
					live ? live->max_sigframe_size : 0, 16384, 65536 };
	uint64_t seed = 0x5eed1234abcdull;
	unsigned agree = 0, nseq = 150;

	(void)state;
	NEED_LIVE();
	for (unsigned s = 0; s < nseq; s++) {
		struct op ops[MAX_OPS];
		unsigned n = 1 + (unsigned)(seed % 12);

		for (unsigned i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			switch ((seed >> 33) % 7) {
			case 0: ops[i] = (struct op){ OP_SIGALTSTACK, 0, sizes[(seed >> 40) % 8] }; break;
			case 1: ops[i] = (struct op){ OP_PRCTL, XS_ARCH_REQ_XCOMP_PERM, 17 + (seed >> 41) % 2 }; break;
			case 2: ops[i] = (struct op){ OP_PRCTL, XS_ARCH_REQ_XCOMP_GUEST_PERM, 17 + (seed >> 41) % 2 }; break;
			case 3: ops[i] = (struct op){ OP_PRCTL, XS_ARCH_REQ_XCOMP_PERM, (seed >> 40) % 70 }; break;
			case 4: ops[i] = (struct op){ OP_PRCTL, XS_ARCH_GET_XCOMP_PERM, 0 }; break;
			case 5: ops[i] = (struct op){ OP_PRCTL, XS_ARCH_GET_XCOMP_GUEST_PERM, 0 }; break;
			default:
				ops[i] = have_kvm ? (struct op){ OP_VCPU, 0, 0 }
						  : (struct op){ OP_PRCTL, XS_ARCH_GET_XCOMP_SUPP, 0 };
				break;
			}
		}
		agree += compare(ops, n);
	}
	print_message("%u operations in %u random sequences agree with the running kernel%s\n",
		      agree, nseq, have_kvm ? " (with KVM vCPUs)" : " (no /dev/kvm: no vCPUs)");
}

static void test_at_minsigstksz_matches_the_model(void **state)
{
	unsigned long v;

	(void)state;
	NEED_LIVE();
	v = getauxval(AT_MINSIGSTKSZ);
	if (!v)
		skip();
	assert_int_equal(v, live->max_sigframe_size);
}

static void test_vcpu_creation_locks_guest_permissions_in_the_kernel(void **state)
{
	const struct op ops[] = {
		{ OP_VCPU, 0, 0 },
		{ OP_PRCTL, XS_ARCH_REQ_XCOMP_GUEST_PERM, 18 },
		{ OP_PRCTL, XS_ARCH_GET_XCOMP_GUEST_PERM, 0 },
		{ OP_PRCTL, XS_ARCH_REQ_XCOMP_PERM, 18 },
	};

	(void)state;
	NEED_LIVE();
	if (!have_kvm) {
		print_message("SKIP: no /dev/kvm\n");
		skip();
	}
	compare(ops, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_option_and_feature_number_matches_the_kernel),
		cmocka_unit_test(test_random_request_sequences_match_the_kernel),
		cmocka_unit_test(test_at_minsigstksz_matches_the_model),
		cmocka_unit_test(test_vcpu_creation_locks_guest_permissions_in_the_kernel),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
