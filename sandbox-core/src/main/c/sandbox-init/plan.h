/* The decoded, fully validated plan: every decision the launcher made, as plain structs. */
#ifndef SANDBOX_PLAN_H
#define SANDBOX_PLAN_H

#include "log.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

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

#endif
