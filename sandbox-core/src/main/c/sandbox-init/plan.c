/* Decoding and validation of the NUL-separated plan, all of it before the first side effect. */
#include "plan.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Paths get a short prefix ("/newroot", "/oldroot") at run time; keep them well below PATH_MAX. */
#define PLAN_PATH_MAX 3900
#define PID_MAX_LIMIT 4194304 /* include/linux/threads.h, 64-bit */
#define LISTEN_FDS_MAX 4096
#define FD_MAX 65535 /* the same bound as --plan-fd and --log-fd */

enum op {
	OP_PARENT_PID, OP_NAMESPACES, OP_ID_MAP, OP_USER, OP_HOSTNAME, OP_ROOT_SIZE,
	OP_BIND_RO, OP_BIND_RW, OP_BIND_DEV, OP_TMPFS, OP_PROC, OP_DEVPTS, OP_DIR, OP_FILE,
	OP_SYMLINK, OP_REMOUNT_RO, OP_RLIMIT, OP_LANDLOCK, OP_LANDLOCK_PATH, OP_CHDIR, OP_ENV,
	OP_LISTEN_FDS, OP_CONTROL_FD, OP_CGROUP_PROCS, OP_PROXY_LISTENERS, OP_SECCOMP, OP_EXEC, OP_ARGV, OP_COUNT
};

static const struct op_desc {
	const char *name;
	int nargs; /* fixed arguments; argv has N more */
	bool once, required;
	const char *args[3];
} ops[OP_COUNT] = {
	[OP_PARENT_PID] = { "parent-pid", 1, true, true, { "PID" } },
	[OP_NAMESPACES] = { "namespaces", 1, true, true, { "LIST" } },
	[OP_ID_MAP] = { "id-map", 2, true, true, { "HOST_BASE", "COUNT" } },
	[OP_USER] = { "user", 2, true, true, { "UID", "GID" } },
	[OP_HOSTNAME] = { "hostname", 1, true, false, { "NAME" } },
	[OP_ROOT_SIZE] = { "root-size", 1, true, false, { "BYTES" } },
	[OP_BIND_RO] = { "bind-ro", 2, false, false, { "SRC", "DST" } },
	[OP_BIND_RW] = { "bind-rw", 2, false, false, { "SRC", "DST" } },
	[OP_BIND_DEV] = { "bind-dev", 2, false, false, { "SRC", "DST" } },
	[OP_TMPFS] = { "tmpfs", 3, false, false, { "DST", "BYTES", "MODE" } },
	[OP_PROC] = { "proc", 1, false, false, { "DST" } },
	[OP_DEVPTS] = { "devpts", 1, false, false, { "DST" } },
	[OP_DIR] = { "dir", 2, false, false, { "DST", "MODE" } },
	[OP_FILE] = { "file", 3, false, false, { "DST", "MODE", "CONTENT" } },
	[OP_SYMLINK] = { "symlink", 2, false, false, { "TARGET", "LINK" } },
	[OP_REMOUNT_RO] = { "remount-ro", 1, false, false, { "DST" } },
	[OP_RLIMIT] = { "rlimit", 3, false, false, { "NAME", "SOFT", "HARD" } },
	[OP_LANDLOCK] = { "landlock", 1, true, false, { "MODE" } },
	[OP_LANDLOCK_PATH] = { "landlock-path", 2, false, false, { "ACCESS", "PATH" } },
	[OP_CHDIR] = { "chdir", 1, true, false, { "DIR" } },
	[OP_ENV] = { "env", 1, false, false, { "K=V" } },
	[OP_LISTEN_FDS] = { "listen-fds", 1, true, false, { "L" } },
	[OP_CONTROL_FD] = { "control-fd", 1, true, false, { "N" } },
	[OP_CGROUP_PROCS] = { "cgroup-procs", 1, false, false, { "FD" } },
	[OP_PROXY_LISTENERS] = { "proxy-listeners", 0, true, false, { NULL } },
	[OP_SECCOMP] = { "seccomp", 2, true, false, { "FD", "LISTENER" } },
	[OP_EXEC] = { "exec", 1, true, true, { "PATH" } },
	[OP_ARGV] = { "argv", 1, true, true, { "N" } },
};

static const struct { const char *name; int flag; } namespaces[] = {
	{ "user", CLONE_NEWUSER }, { "mount", CLONE_NEWNS }, { "pid", CLONE_NEWPID },
	{ "net", CLONE_NEWNET },   { "ipc", CLONE_NEWIPC },  { "uts", CLONE_NEWUTS },
	{ "cgroup", CLONE_NEWCGROUP },
};

static const struct { const char *name; int resource; } rlimits[] = {
	{ "nofile", RLIMIT_NOFILE }, { "fsize", RLIMIT_FSIZE },	  { "core", RLIMIT_CORE },
	{ "nproc", RLIMIT_NPROC },   { "as", RLIMIT_AS },	  { "stack", RLIMIT_STACK },
	{ "cpu", RLIMIT_CPU },	     { "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE },
	{ "nice", RLIMIT_NICE },     { "rtprio", RLIMIT_RTPRIO },   { "sigpending", RLIMIT_SIGPENDING },
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The op being decoded, for error messages that name the op, the token index and the value. */
struct ctx {
	char **tok;
	size_t ntok;
	size_t op_tok; /* 0-based index of the op name; messages print 1-based indexes */
	enum op op;
};

static const char *arg(const struct ctx *c, int i) { return c->tok[c->op_tok + 1 + (size_t)i]; }

/* arg < 0: the message is about the op as a whole. */
static _Noreturn __attribute__((format(printf, 4, 5))) void
bad(enum step step, const struct ctx *c, int arg_i, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (arg_i < 0)
		die(step, "%s (token %zu): %s", ops[c->op].name, c->op_tok + 1, why);
	const char *v = arg(c, arg_i);
	die(step, "%s %s (token %zu) \"%.80s%s\": %s", ops[c->op].name,
	    arg_i < 3 ? ops[c->op].args[arg_i] : "A", c->op_tok + 2 + (size_t)arg_i, v,
	    strlen(v) > 80 ? "..." : "", why);
}

static bool parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static uint64_t num(const struct ctx *c, int i, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (!parse_u64(arg(c, i), &v))
		bad(STEP_PLAN_PARSE, c, i, "not a decimal number");
	if (v < min || v > max)
		bad(STEP_PLAN_VALIDATE, c, i, "out of range %llu..%llu", (unsigned long long)min,
		    (unsigned long long)max);
	return v;
}

static mode_t mode(const struct ctx *c, int i)
{
	const char *s = arg(c, i);
	unsigned v = 0;

	if (!*s || strlen(s) > 5)
		bad(STEP_PLAN_PARSE, c, i, "not an octal mode");
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			bad(STEP_PLAN_PARSE, c, i, "not an octal mode");
		v = v * 8 + (unsigned)(*s - '0');
	}
	if (v > 07777)
		bad(STEP_PLAN_VALIDATE, c, i, "mode above 07777");
	return (mode_t)v;
}

/* Absolute and normalised: no "." or ".." component, no "//", no trailing "/" except "/". */
static const char *path(const struct ctx *c, int i)
{
	const char *s = arg(c, i);
	size_t len = strlen(s);

	if (s[0] != '/')
		bad(STEP_PLAN_VALIDATE, c, i, "not an absolute path");
	if (len > PLAN_PATH_MAX)
		bad(STEP_PLAN_VALIDATE, c, i, "longer than %d bytes", PLAN_PATH_MAX);
	if (len == 1)
		return s;
	if (s[len - 1] == '/')
		bad(STEP_PLAN_VALIDATE, c, i, "not normalised: trailing /");
	for (const char *p = s; p; p = strchr(p + 1, '/')) {
		size_t n = strcspn(p + 1, "/");
		if (n == 0)
			bad(STEP_PLAN_VALIDATE, c, i, "not normalised: empty component");
		if ((n == 1 && p[1] == '.') || (n == 2 && p[1] == '.' && p[2] == '.'))
			bad(STEP_PLAN_VALIDATE, c, i, "not normalised: . or .. component");
	}
	return s;
}

static int parse_namespaces(const struct ctx *c)
{
	const char *s = arg(c, 0);
	int flags = 0;

	for (;;) {
		size_t n = strcspn(s, ","), k;
		for (k = 0; k < N_ELEMS(namespaces); k++)
			if (strlen(namespaces[k].name) == n && !strncmp(s, namespaces[k].name, n))
				break;
		if (k == N_ELEMS(namespaces))
			bad(STEP_PLAN_VALIDATE, c, 0, "unknown namespace \"%.*s\"; known: "
			    "user,mount,pid,net,ipc,uts,cgroup", (int)n, s);
		if (flags & namespaces[k].flag)
			bad(STEP_PLAN_VALIDATE, c, 0, "namespace %s listed twice", namespaces[k].name);
		flags |= namespaces[k].flag;
		if (!s[n])
			break;
		s += n + 1;
	}
	if ((flags & (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID)) !=
	    (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID))
		bad(STEP_PLAN_VALIDATE, c, 0, "user, mount and pid are required");
	return flags;
}

static rlim_t rlim_value(const struct ctx *c, int i)
{
	if (!strcmp(arg(c, i), "unlimited"))
		return RLIM_INFINITY;
	return (rlim_t)num(c, i, 0, RLIM_INFINITY - 1);
}

static void parse_rlimit(const struct ctx *c, struct rlimit_op *r)
{
	size_t k;

	for (k = 0; k < N_ELEMS(rlimits); k++)
		if (!strcmp(arg(c, 0), rlimits[k].name))
			break;
	if (k == N_ELEMS(rlimits))
		bad(STEP_PLAN_VALIDATE, c, 0, "unknown rlimit; known: nofile,fsize,core,nproc,as,"
		    "stack,cpu,memlock,msgqueue,nice,rtprio,sigpending");
	r->resource = rlimits[k].resource;
	r->name = rlimits[k].name;
	r->lim.rlim_cur = rlim_value(c, 1);
	r->lim.rlim_max = rlim_value(c, 2);
	if (r->lim.rlim_cur > r->lim.rlim_max)
		bad(STEP_PLAN_VALIDATE, c, 1, "soft limit above hard limit %s", arg(c, 2));
}

static void parse_hostname(const struct ctx *c, struct plan *p)
{
	const char *s = arg(c, 0);
	size_t len = strlen(s);

	if (len < 1 || len > 64 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					       "0123456789.-") != len)
		bad(STEP_PLAN_VALIDATE, c, 0, "want 1..64 characters of [A-Za-z0-9.-]");
	p->hostname = s;
}

/* Decodes one op at c->op_tok; returns the number of argument tokens it consumed. */
static size_t decode(const struct ctx *c, struct plan *p)
{
	struct fs_op *f = &p->fs[p->n_fs];
	const char *s;

	switch (c->op) {
	case OP_PARENT_PID:
		p->parent_pid = (pid_t)num(c, 0, 1, PID_MAX_LIMIT);
		break;
	case OP_NAMESPACES:
		p->clone_flags = parse_namespaces(c);
		break;
	case OP_ID_MAP:
		/* Base 0 would make the sandbox's root the host's root. */
		p->host_base = (uint32_t)num(c, 0, 1, UINT32_MAX - 2);
		p->id_count = (uint32_t)num(c, 1, 2, UINT32_MAX - 1 - p->host_base);
		break;
	case OP_USER:
		p->uid = (uid_t)num(c, 0, 1, UINT32_MAX - 2);
		p->gid = (gid_t)num(c, 1, 1, UINT32_MAX - 2);
		break;
	case OP_HOSTNAME:
		parse_hostname(c, p);
		break;
	case OP_ROOT_SIZE:
		/* 0 would mean "no limit" to tmpfs. */
		p->root_size = num(c, 0, 1, UINT64_MAX);
		break;
	case OP_BIND_RO:
	case OP_BIND_RW:
	case OP_BIND_DEV:
		f->kind = c->op == OP_BIND_RO ? FS_BIND_RO : c->op == OP_BIND_RW ? FS_BIND_RW : FS_BIND_DEV;
		f->src = path(c, 0);
		f->dst = path(c, 1);
		f->tree_fd = -1;
		p->n_fs++;
		break;
	case OP_TMPFS:
		f->kind = FS_TMPFS;
		f->dst = path(c, 0);
		f->size = num(c, 1, 1, UINT64_MAX);
		f->mode = mode(c, 2);
		p->n_fs++;
		break;
	case OP_PROC:
	case OP_DEVPTS:
	case OP_REMOUNT_RO:
		f->kind = c->op == OP_PROC ? FS_PROC : c->op == OP_DEVPTS ? FS_DEVPTS : FS_REMOUNT_RO;
		f->dst = path(c, 0);
		if (c->op == OP_DEVPTS && !strcmp(f->dst, "/"))
			bad(STEP_PLAN_VALIDATE, c, 0, "needs a parent directory for ptmx");
		p->n_fs++;
		break;
	case OP_DIR:
		f->kind = FS_DIR;
		f->dst = path(c, 0);
		f->mode = mode(c, 1);
		p->n_fs++;
		break;
	case OP_FILE:
		f->kind = FS_FILE;
		f->dst = path(c, 0);
		f->mode = mode(c, 1);
		f->content = arg(c, 2);
		f->content_len = strlen(f->content);
		p->n_fs++;
		break;
	case OP_SYMLINK:
		f->kind = FS_SYMLINK;
		f->src = arg(c, 0);
		if (!*f->src || strlen(f->src) > PLAN_PATH_MAX)
			bad(STEP_PLAN_VALIDATE, c, 0, "empty or too long");
		f->dst = path(c, 1);
		p->n_fs++;
		break;
	case OP_RLIMIT:
		parse_rlimit(c, &p->rlimits[p->n_rlimits++]);
		break;
	case OP_LANDLOCK:
		s = arg(c, 0);
		if (!strcmp(s, "off"))
			p->landlock = LANDLOCK_OFF;
		else if (!strcmp(s, "best-effort"))
			p->landlock = LANDLOCK_BEST_EFFORT;
		else if (!strcmp(s, "required"))
			p->landlock = LANDLOCK_REQUIRED;
		else
			bad(STEP_PLAN_VALIDATE, c, 0, "want off, best-effort or required");
		break;
	case OP_LANDLOCK_PATH: {
		struct landlock_path *l = &p->ll_paths[p->n_ll_paths++];
		s = arg(c, 0);
		if (!strcmp(s, "ro"))
			l->access = ACCESS_RO;
		else if (!strcmp(s, "rw"))
			l->access = ACCESS_RW;
		else if (!strcmp(s, "dev"))
			l->access = ACCESS_DEV;
		else
			bad(STEP_PLAN_VALIDATE, c, 0, "want ro, rw or dev");
		l->path = path(c, 1);
		break;
	}
	case OP_CHDIR:
		p->chdir = path(c, 0);
		break;
	case OP_ENV:
		s = arg(c, 0);
		if (s[0] == '=' || !strchr(s, '='))
			bad(STEP_PLAN_VALIDATE, c, 0, "want K=V with a non-empty K");
		p->envp[p->n_env++] = (char *)s;
		break;
	case OP_LISTEN_FDS:
		p->listen_fds = (unsigned)num(c, 0, 0, LISTEN_FDS_MAX);
		p->listen_fds_token = (int)c->op_tok;
		break;
	case OP_CONTROL_FD:
		p->control_fd = (int)num(c, 0, 3, FD_MAX);
		p->control_fd_token = (int)c->op_tok;
		break;
	case OP_CGROUP_PROCS:
		if (p->n_cgroup_fds == CGROUP_FDS_MAX)
			bad(STEP_PLAN_VALIDATE, c, -1, "more than %d", CGROUP_FDS_MAX);
		p->cgroup_fds[p->n_cgroup_fds] = (int)num(c, 0, 3, FD_MAX);
		p->cgroup_tokens[p->n_cgroup_fds++] = (int)c->op_tok;
		break;
	case OP_PROXY_LISTENERS:
		p->proxy_listeners = true;
		p->proxy_token = (int)c->op_tok;
		break;
	case OP_SECCOMP:
		p->seccomp_fd = (int)num(c, 0, 3, FD_MAX);
		p->seccomp_token = (int)c->op_tok;
		s = arg(c, 1);
		if (!strcmp(s, "listener"))
			p->seccomp_listener = true;
		else if (strcmp(s, "no-listener"))
			bad(STEP_PLAN_VALIDATE, c, 1, "want listener or no-listener");
		break;
	case OP_EXEC:
		p->exec_path = path(c, 0);
		break;
	case OP_ARGV: {
		uint64_t n = num(c, 0, 1, PLAN_MAX_TOKENS);
		if (c->op_tok + 1 + n >= c->ntok)
			bad(STEP_PLAN_PARSE, c, 0, "the plan ends before %llu argv tokens",
			    (unsigned long long)n);
		p->argv = calloc(n + 1, sizeof *p->argv);
		if (!p->argv)
			die_errno(STEP_PLAN_PARSE, "allocate argv");
		for (size_t k = 0; k < n; k++)
			p->argv[k] = c->tok[c->op_tok + 2 + k];
		return 1 + n;
	}
	case OP_COUNT:
		break;
	}
	return (size_t)ops[c->op].nargs;
}

static void *alloc(size_t n, size_t size)
{
	void *v = calloc(n, size);
	if (!v)
		die_errno(STEP_PLAN_PARSE, "allocate %zu entries", n);
	return v;
}

/* Checks that need the whole plan, once every op has been decoded. */
static void validate(struct plan *p, const size_t *seen, char **tok)
{
	struct ctx c = { .tok = tok };

	for (int op = 0; op < OP_COUNT; op++)
		if (ops[op].required && !seen[op])
			die(STEP_PLAN_VALIDATE, "missing required op \"%s\"", ops[op].name);
	c.op = OP_USER;
	c.op_tok = seen[OP_USER] - 1;
	if (p->uid >= p->id_count)
		bad(STEP_PLAN_VALIDATE, &c, 0, "not below id-map COUNT %u", p->id_count);
	if (p->gid >= p->id_count)
		bad(STEP_PLAN_VALIDATE, &c, 1, "not below id-map COUNT %u", p->id_count);
	if (p->hostname && !(p->clone_flags & CLONE_NEWUTS)) {
		c.op = OP_HOSTNAME;
		c.op_tok = seen[OP_HOSTNAME] - 1;
		bad(STEP_PLAN_VALIDATE, &c, 0, "needs \"uts\" in namespaces (else the host's name changes)");
	}
	/* Like the plan and log fds: fds 3..3+L-1 are the app's, and it gets them renumbered. */
	if (p->control_fd >= 0 && p->control_fd < 3 + (int)p->listen_fds) {
		c.op = OP_CONTROL_FD;
		c.op_tok = (size_t)p->control_fd_token;
		bad(STEP_PLAN_VALIDATE, &c, 0, "inside the listen fds 3..%u", 2 + p->listen_fds);
	}
	if (p->seccomp_fd >= 0) {
		c.op = OP_SECCOMP;
		c.op_tok = (size_t)p->seccomp_token;
		if (p->seccomp_fd < 3 + (int)p->listen_fds)
			bad(STEP_PLAN_VALIDATE, &c, 0, "inside the listen fds 3..%u", 2 + p->listen_fds);
		if (p->seccomp_fd == p->control_fd)
			bad(STEP_PLAN_VALIDATE, &c, 0, "the same fd as control-fd (token %d)",
			    p->control_fd_token + 1);
		/* The listener goes to the launcher over the control socket, the only way out. */
		if (p->seccomp_listener && p->control_fd < 0)
			bad(STEP_PLAN_VALIDATE, &c, 1, "needs control-fd");
	}
	if (p->proxy_listeners) {
		c.op = OP_PROXY_LISTENERS;
		c.op_tok = (size_t)p->proxy_token;
		/* They go to the launcher over the control socket, and only make sense in a new netns. */
		if (p->control_fd < 0)
			bad(STEP_PLAN_VALIDATE, &c, -1, "needs control-fd");
		if (!(p->clone_flags & CLONE_NEWNET))
			bad(STEP_PLAN_VALIDATE, &c, -1, "needs the net namespace");
	}
	c.op = OP_CGROUP_PROCS;
	for (size_t i = 0; i < p->n_cgroup_fds; i++) {
		int fd = p->cgroup_fds[i];
		c.op_tok = (size_t)p->cgroup_tokens[i];
		if (fd < 3 + (int)p->listen_fds)
			bad(STEP_PLAN_VALIDATE, &c, 0, "inside the listen fds 3..%u", 2 + p->listen_fds);
		if (fd == p->control_fd || fd == p->seccomp_fd)
			bad(STEP_PLAN_VALIDATE, &c, 0, "the same fd as control-fd or seccomp");
		for (size_t k = 0; k < i; k++)
			if (fd == p->cgroup_fds[k])
				bad(STEP_PLAN_VALIDATE, &c, 0, "listed twice (token %d)", p->cgroup_tokens[k] + 1);
	}
	for (size_t i = 0; i < p->n_env && p->listen_fds; i++)
		if (!strncmp(p->envp[i], "LISTEN_FDS=", 11) || !strncmp(p->envp[i], "LISTEN_PID=", 11))
			die(STEP_PLAN_VALIDATE, "env \"%.40s\": conflicts with listen-fds (token %d), "
			    "which sets it", p->envp[i], p->listen_fds_token + 1);
}

void plan_parse(char *buf, size_t len, struct plan *p)
{
	size_t ntok = 0, seen[OP_COUNT] = { 0 };
	char **tok;

	if (len == 0)
		die(STEP_PLAN_PARSE, "the plan is empty");
	if (buf[len - 1] != '\0')
		die(STEP_PLAN_PARSE, "the last token is not NUL-terminated");
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0' && ++ntok > PLAN_MAX_TOKENS)
			die(STEP_PLAN_PARSE, "more than %d tokens", PLAN_MAX_TOKENS);
	tok = alloc(ntok, sizeof *tok);
	for (size_t i = 0, t = 0; t < ntok; t++) {
		tok[t] = buf + i;
		i += strlen(buf + i) + 1;
	}
	if (strcmp(tok[0], PLAN_MAGIC))
		die(STEP_PLAN_PARSE, "token 1 \"%.40s\": want magic \"%s\"", tok[0], PLAN_MAGIC);

	/* Every op takes at least one argument, so ntok / 2 bounds each list. */
	*p = (struct plan){ .root_size = DEFAULT_ROOT_SIZE, .chdir = "/", .landlock = LANDLOCK_OFF,
			    .control_fd = -1, .seccomp_fd = -1 };
	p->fs = alloc(ntok / 2 + 1, sizeof *p->fs);
	p->rlimits = alloc(ntok / 2 + 1, sizeof *p->rlimits);
	p->ll_paths = alloc(ntok / 2 + 1, sizeof *p->ll_paths);
	p->envp = alloc(ntok / 2 + 3, sizeof *p->envp);

	size_t t = 1;
	for (;;) {
		struct ctx c = { .tok = tok, .ntok = ntok, .op_tok = t };
		int op;

		if (t >= ntok)
			die(STEP_PLAN_PARSE, "the plan has no \"end\" token");
		if (!strcmp(tok[t], "end")) {
			if (t != ntok - 1)
				die(STEP_PLAN_PARSE, "token %zu \"%.40s\": data after \"end\" (token %zu)",
				    t + 2, tok[t + 1], t + 1);
			break;
		}
		for (op = 0; op < OP_COUNT; op++)
			if (!strcmp(tok[t], ops[op].name))
				break;
		if (op == OP_COUNT)
			die(STEP_PLAN_PARSE, "token %zu \"%.40s\": unknown op", t + 1, tok[t]);
		c.op = (enum op)op;
		if (t + (size_t)ops[op].nargs >= ntok)
			bad(STEP_PLAN_PARSE, &c, -1, "wants %d argument(s); the plan ends after %zu",
			    ops[op].nargs, ntok - t - 1);
		if (ops[op].once && seen[op])
			bad(STEP_PLAN_VALIDATE, &c, -1, "allowed once; first at token %zu", seen[op]);
		seen[op] = t + 1;
		t += 1 + decode(&c, p);
	}
	validate(p, seen, tok);
	/* tok only indexes buf, which the plan keeps pointing into: free the index, keep buf. */
	free(tok);
}

void read_whole(int fd, size_t max, enum step step, const char *what, char **buf, size_t *len)
{
	/* One extra byte tells "exactly at the limit" from "too big". */
	char *b = malloc(max + 1);
	size_t n = 0;
	bool seq = false;

	if (!b)
		die_errno(step, "allocate %zu bytes", max + 1);
	for (;;) {
		ssize_t r = seq ? TEMP_FAILURE_RETRY(read(fd, b + n, max + 1 - n))
				: TEMP_FAILURE_RETRY(pread(fd, b + n, max + 1 - n, (off_t)n));
		if (r < 0 && errno == ESPIPE && !seq && n == 0) {
			seq = true; /* a pipe: tests feed the plan this way */
			continue;
		}
		if (r < 0)
			die_errno(step, "read %s fd %d", what, fd);
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max)
			die(step, "%s fd %d: more than %zu bytes", what, fd, max);
	}
	*buf = b;
	*len = n;
}

void plan_read(int fd, char **buf, size_t *len)
{
	read_whole(fd, PLAN_MAX_BYTES, STEP_PLAN_READ, "plan", buf, len);
}

void plan_check_fds(const struct plan *p, int plan_fd, int log_fd)
{
	int first_free = 3 + (int)p->listen_fds;

	for (unsigned i = 0; i < p->listen_fds; i++)
		if (fcntl(3 + (int)i, F_GETFD) < 0)
			die_errno(STEP_PLAN_VALIDATE, "listen-fds (token %d) %u: fd %u is not open",
				  p->listen_fds_token + 1, p->listen_fds, 3 + i);
	if ((plan_fd >= 3 && plan_fd < first_free) || (log_fd >= 3 && log_fd < first_free))
		die(STEP_PLAN_VALIDATE, "--plan-fd %d / --log-fd %d: inside the listen fds 3..%d",
		    plan_fd, log_fd, first_free - 1);
	for (int i = 0; i < 2; i++) {
		int fd = i ? p->seccomp_fd : p->control_fd;
		int tok = (i ? p->seccomp_token : p->control_fd_token) + 1;
		const char *op = i ? "seccomp" : "control-fd";

		if (fd < 0)
			continue;
		if (fd == plan_fd || fd == log_fd)
			die(STEP_PLAN_VALIDATE, "%s (token %d) %d: the same fd as --plan-fd %d / --log-fd %d",
			    op, tok, fd, plan_fd, log_fd);
		if (fcntl(fd, F_GETFD) < 0)
			die_errno(STEP_PLAN_VALIDATE, "%s (token %d): fd %d is not open", op, tok, fd);
	}
	for (size_t i = 0; i < p->n_cgroup_fds; i++) {
		int fd = p->cgroup_fds[i], tok = p->cgroup_tokens[i] + 1;
		if (fd == plan_fd || fd == log_fd)
			die(STEP_PLAN_VALIDATE, "cgroup-procs (token %d) %d: the same fd as --plan-fd %d / "
			    "--log-fd %d", tok, fd, plan_fd, log_fd);
		if (fcntl(fd, F_GETFD) < 0)
			die_errno(STEP_PLAN_VALIDATE, "cgroup-procs (token %d): fd %d is not open", tok, fd);
	}
	if (p->control_fd >= 0) {
		int domain, type;
		socklen_t dl = sizeof domain, tl = sizeof type;

		if (getsockopt(p->control_fd, SOL_SOCKET, SO_DOMAIN, &domain, &dl) < 0 ||
		    getsockopt(p->control_fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0)
			die_errno(STEP_PLAN_VALIDATE, "control-fd (token %d) %d: not a socket",
				  p->control_fd_token + 1, p->control_fd);
		if (domain != AF_UNIX || type != SOCK_SEQPACKET)
			die(STEP_PLAN_VALIDATE, "control-fd (token %d) %d: want an AF_UNIX SOCK_SEQPACKET "
			    "socket, not domain %d type %d", p->control_fd_token + 1, p->control_fd, domain,
			    type);
	}
}
