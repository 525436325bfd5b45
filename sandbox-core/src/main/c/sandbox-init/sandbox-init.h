/* sandbox-init's internal interfaces, grouped by the file that defines them. */
#ifndef SANDBOX_INIT_H
#define SANDBOX_INIT_H

/* The libc headers most files need; each file includes the others it uses. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* log.c: JSON lines on the log fd (text on stderr when there is none), and the one way to die. */

enum step {
#define STEP(e, s) STEP_##e,
#include "steps.h"
#undef STEP
	STEP_COUNT
};

enum stage { STAGE_OUTER, STAGE_INIT, STAGE_APP };

#define EXIT_SETUP 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

/* What the app child sends to init over the close-on-exec status pipe when it fails before exec. */
struct app_report {
	int32_t step;
	int32_t err;
	int32_t code;
	char msg[1012];
};

/*
 * How far the app got towards execve, in a MAP_SHARED page that init reads once the status pipe
 * has closed (by exec or by death). Stores are not syscalls, so the app can still record where
 * it is after the seccomp filter is loaded, when it may no longer be able to write a report.
 */
enum app_phase {
	PHASE_SETUP, PHASE_SECCOMP_LOAD, PHASE_SECCOMP_LISTENER, PHASE_SECCOMP_CLOSE, PHASE_EXEC,
	PHASE_EXEC_FAILED,
};

struct app_progress {
	int32_t phase;
	int32_t err; /* PHASE_EXEC_FAILED: errno of execve */
};

static inline void progress_set(struct app_progress *pr, enum app_phase phase, int err)
{
	__atomic_store_n(&pr->err, err, __ATOMIC_RELAXED);
	__atomic_store_n(&pr->phase, (int32_t)phase, __ATOMIC_RELEASE);
}

void log_setup(int fd);
void log_set_stage(enum stage stage);
/* In the app child: errors go to init through this pipe instead of the log fd. */
void log_set_report_fd(int fd);
/* Writes all of buf, retrying short writes; false if a write fails. */
bool write_all(int fd, const char *buf, size_t len);

/* Writes one pre-built JSON object line (numbers and fixed words only); dropped if it fails. */
void log_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes an error line; never dropped: falls back to stderr text. */
void log_error(enum stage stage, enum step step, int err, const char *msg);

_Noreturn void die(enum step step, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void die_errno(enum step step, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void die_with(int code, int err, enum step step, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "if (cond) die_errno(step, fmt, ...)" on one line, for the many checks of a call's result. */
#define die_errno_if(cond, ...) do { if (cond) die_errno(__VA_ARGS__); } while (0)

/* plan.c: the decoded, fully validated plan: every decision the launcher made, as plain structs. */

#define PLAN_MAGIC "sandbox-init-plan/1"
#define PLAN_MAX_BYTES (1024 * 1024)
#define PLAN_MAX_TOKENS 65536
#define DEFAULT_ROOT_SIZE (1024 * 1024)
/* One per cgroup hierarchy: v1 has a handful of them, v2 one. */
#define CGROUP_FDS_MAX 16

/* Filesystem ops, carried out in plan order inside the new root (remount-ro ones last). */
enum fs_kind {
	FS_BIND_RO, FS_BIND_RW, FS_BIND_DEV, FS_TMPFS, FS_PROC, FS_DEVPTS, FS_DIR, FS_FILE,
	FS_SYMLINK, FS_REMOUNT_RO,
};

struct fs_op {
	enum fs_kind kind;
	const char *op;      /* the op's name, for messages */
	const char *src;     /* bind: host path; symlink: target */
	const char *dst;     /* path inside the new root */
	const char *content; /* file */
	uint64_t size;       /* tmpfs bytes */
	mode_t mode;         /* tmpfs, dir, file */
	int tree_fd;         /* bind: detached clone of SRC, opened by the outer (-1 until then) */
	bool src_dir;        /* bind: SRC is a directory (the mountpoint must be one too) */
};

struct rlimit_op {
	int resource;
	const char *name;
	struct rlimit lim;
};

enum landlock_mode { LANDLOCK_OFF, LANDLOCK_BEST_EFFORT, LANDLOCK_REQUIRED };
enum landlock_access { ACCESS_RO, ACCESS_RW, ACCESS_DEV };

struct landlock_path {
	enum landlock_access access;
	const char *path;
};

/* An fd the plan names besides the listen fds. */
struct plan_fd {
	int fd;    /* -1: none */
	int token; /* 0-based index of its op's token, for messages */
};

struct plan {
	pid_t parent_pid;
	int clone_flags;
	uint32_t host_base, id_count;
	uid_t uid;
	gid_t gid;
	const char *hostname; /* NULL: keep */
	uint64_t root_size;
	struct fs_op *fs;
	size_t n_fs;
	struct rlimit_op *rlimits;
	size_t n_rlimits;
	enum landlock_mode landlock;
	struct landlock_path *ll_paths;
	size_t n_ll_paths;
	const char *chdir;
	char **envp; /* NULL-terminated, with two free slots for LISTEN_FDS/LISTEN_PID */
	size_t n_env;
	unsigned listen_fds;
	struct plan_fd control; /* the socket to the launcher */
	struct plan_fd cgroups[CGROUP_FDS_MAX]; /* cgroup.procs files the outer joins before clone */
	size_t n_cgroups;
	bool proxy_listeners; /* init opens the proxy's sockets in its netns, sends them over control */
	struct plan_fd seccomp; /* the outer reads the program and closes the fd before clone */
	bool seccomp_listener;
	void *seccomp_prog; /* struct sock_filter[seccomp_insns], read by seccomp_read */
	size_t seccomp_insns;
	const char *exec_path;
	char **argv; /* NULL-terminated */
};

/* Reads all of fd, at most max bytes: pread from offset 0 (memfd), or read(2) for a pipe. */
void read_whole(int fd, size_t max, enum step step, const char *what, char **buf, size_t *len);
/*
 * Reads, decodes and validates the whole plan; with check_fds also the run-time fd layout (listen
 * fds open; plan, log, control, cgroup and seccomp fds above them). Dies with step plan-read,
 * plan-parse or plan-validate and exit 125.
 */
void plan_load(int plan_fd, int log_fd, bool check_fds, struct plan *p);

/* ns.c: namespace creation and id maps. */

/* fork(2)-like raw clone(2) into new namespaces; returns 0 in the child. */
pid_t ns_clone(int flags);
void ns_write_id_maps(pid_t pid, uint32_t host_base, uint32_t count);
void ns_become_root(void);
/* In a new network namespace: bring up lo (127.0.0.1, ::1), the sandbox's own loopback. */
void ns_loopback_up(void);

/* caps.c: dropping every capability of the app before exec. */

/* Reads /proc/sys/kernel/cap_last_cap; call on the host, /proc may be absent inside. */
int caps_last_cap(void);
/* In the app child: becomes uid/gid with no capability left in any set. */
void caps_drop_to(uid_t uid, gid_t gid, int last_cap);

/* mount.c: building the sandbox's root filesystem from the plan's filesystem ops. */

/*
 * In the outer, before clone: a detached, restricted clone of every bind's SRC (open_tree), so
 * SRC is resolved with the host root's credentials; the fds are inherited by init.
 */
void mount_open_binds(struct plan *p);
/* In the outer, after clone: drop its copies of those fds (init holds its own). */
void mount_close_binds(const struct plan *p);
/* In the new mount namespace: build the root, pivot into it, detach the host's tree. */
void mount_build_root(const struct plan *p);

/* landlock.c: the second wall over the same whitelist as the mounts. */

/* In the app child, after no_new_privs: restricts itself and logs the landlock event. */
void landlock_apply(const struct plan *p);

/* seccomp.c: the launcher's filter: read by the outer, loaded by the app last before execve. */

/* In the outer, before clone: reads and checks the BPF program of the seccomp op, closes its fd. */
void seccomp_read(struct plan *p);
/*
 * In the app child, after no_new_privs and Landlock, last before execve: loads the filter and,
 * with a listener, sends it over the control fd and closes it. Records each phase in pr for init.
 */
void seccomp_install(const struct plan *p, struct app_progress *pr);

/* proto.c: the control socket to the launcher: each message is a fixed tag and its fds. */

/* The tag of the message that hands the seccomp listener over: 16 bytes, no NUL on the wire. */
#define PROTO_SECCOMP_LISTENER "seccomp-listener"
/* The tag of the message with the proxy's sockets (see proxy_send_listeners). */
#define PROTO_PROXY_LISTENERS "proxy-listeners"

/* Exactly one sendmsg(2): tag as the payload, the n fds as SCM_RIGHTS. Returns what sendmsg did. */
ssize_t proto_send_fds(int sock, const char *tag, const int *fds, int n);

/* proxy.c: the proxy's sockets in the sandbox's network namespace. */

/*
 * In the new netns, lo up: opens the TCP listener on 127.0.0.1 (and [::1] when the netns has
 * IPv6), the DNS sockets on 127.0.0.1:53 (UDP and TCP), and sends them, in that order (v6 last),
 * to the launcher in one "proxy-listeners" message.
 */
void proxy_send_listeners(int control_fd);

#endif
