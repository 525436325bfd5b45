/* Landlock ruleset from the plan's landlock-path rules, sized to the running kernel's ABI. */
#include "sandbox-init.h"

#include <linux/landlock.h>
#include <sys/stat.h>

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13) /* since Linux 5.19, ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* since Linux 6.2, ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* since Linux 6.10, ABI 5 */
#endif
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444 /* since Linux 5.13; same number on every arch */
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

#define ACCESS_ABI1                                                                          \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |                        \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |                        \
	 LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |                    \
	 LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |                        \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |                        \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |                      \
	 LANDLOCK_ACCESS_FS_MAKE_SYM)

/* The kernel refuses directory-only rights in a rule on a non-directory (EINVAL). */
#define ACCESS_FILE                                                                          \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |                        \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |                        \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)

static const char *const status_names[] = { "off", "not-enforced", "enforced" };

static void report(int abi, int status)
{
	log_event("{\"event\":\"landlock\",\"abi\":%d,\"status\":\"%s\"}", abi, status_names[status]);
}

/* Every filesystem right the running ABI knows; ABI 4 and later add no new fs rights. */
static __u64 handled_for(int abi)
{
	return ACCESS_ABI1 | (abi >= 2 ? LANDLOCK_ACCESS_FS_REFER : 0) |
	       (abi >= 3 ? LANDLOCK_ACCESS_FS_TRUNCATE : 0) |
	       (abi >= 5 ? LANDLOCK_ACCESS_FS_IOCTL_DEV : 0);
}

static void add_rule(int ruleset, const struct landlock_path *l, __u64 handled)
{
	static const char *const names[] = { "ro", "rw", "dev" };
	/* rw is every right: the masks below cut each rule to what the ABI handles and a file takes. */
	static const __u64 rights[] = {
		[ACCESS_RO] = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE |
			      LANDLOCK_ACCESS_FS_READ_DIR,
		[ACCESS_RW] = ~0ULL,
		[ACCESS_DEV] = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
			       LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV,
	};
	struct landlock_path_beneath_attr rule = { .allowed_access = rights[l->access] };
	struct stat st;

	rule.parent_fd = open(l->path, O_PATH | O_CLOEXEC);
	if (rule.parent_fd < 0)
		die_errno(STEP_LANDLOCK_RULE, "landlock-path %s %s: open", names[l->access], l->path);
	if (fstat(rule.parent_fd, &st) < 0)
		die_errno(STEP_LANDLOCK_RULE, "landlock-path %s %s: fstat", names[l->access], l->path);
	rule.allowed_access &= handled;
	if (!S_ISDIR(st.st_mode))
		rule.allowed_access &= ACCESS_FILE;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
		die_errno(STEP_LANDLOCK_RULE, "landlock-path %s %s: add rule access=%#llx",
			  names[l->access], l->path, (unsigned long long)rule.allowed_access);
	die_errno_if(close(rule.parent_fd) < 0, STEP_LANDLOCK_RULE, "landlock-path %s: close", l->path);
}

void landlock_apply(const struct plan *p)
{
	struct landlock_ruleset_attr attr = { 0 };
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	int ruleset;

	/* The ABI is reported even when off, so the launcher sees what it chose not to use. */
	if (p->landlock == LANDLOCK_OFF) {
		report(abi < 0 ? 0 : (int)abi, 0);
		return;
	}
	/* ENOSYS: built without Landlock; EOPNOTSUPP: built in but disabled at boot. */
	if (abi < 0 && errno != ENOSYS && errno != EOPNOTSUPP)
		die_errno(STEP_LANDLOCK_ABI, "landlock_create_ruleset(LANDLOCK_CREATE_RULESET_VERSION)");
	if (abi < 0) {
		if (p->landlock == LANDLOCK_REQUIRED)
			die_errno(STEP_LANDLOCK_ABI, "landlock required, but the kernel has none");
		report(0, 1);
		return;
	}
	attr.handled_access_fs = handled_for((int)abi);
	/* The fs-only attr is the ABI 1 size; later kernels accept it and leave the rest unhandled. */
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
	if (ruleset < 0)
		die_errno(STEP_LANDLOCK_RULESET, "landlock_create_ruleset handled=%#llx",
			  (unsigned long long)attr.handled_access_fs);
	for (size_t i = 0; i < p->n_ll_paths; i++)
		add_rule(ruleset, &p->ll_paths[i], attr.handled_access_fs);
	/* Needs no_new_privs (or CAP_SYS_ADMIN), set just before. */
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
		die_errno(STEP_LANDLOCK_RESTRICT, "landlock_restrict_self");
	die_errno_if(close(ruleset) < 0, STEP_LANDLOCK_RESTRICT, "close ruleset");
	report((int)abi, 2);
}
