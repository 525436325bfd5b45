/* Decoding and validation of the NUL-separated plan, all of it before the first side effect. */
#include "sandbox-init.h"

#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>

/* Paths get a short prefix ("/newroot", "/oldroot") at run time; keep them well below PATH_MAX. */
#define PLAN_PATH_MAX 3900
#define PID_MAX_LIMIT 4194304 /* include/linux/threads.h, 64-bit */
#define LISTEN_FDS_MAX 4096
#define FD_MAX 65535 /* the same bound as --plan-fd and --log-fd */
#define HOSTNAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-"

enum op {
	OP_PARENT_PID, OP_NAMESPACES, OP_ID_MAP, OP_USER, OP_HOSTNAME, OP_ROOT_SIZE,
	OP_BIND_RO, OP_BIND_RW, OP_BIND_DEV, OP_TMPFS, OP_PROC, OP_DEVPTS, OP_DIR, OP_FILE,
	OP_SYMLINK, OP_REMOUNT_RO, OP_RLIMIT, OP_LANDLOCK, OP_LANDLOCK_PATH, OP_CHDIR, OP_ENV,
	OP_LISTEN_FDS, OP_CONTROL_FD, OP_CGROUP_PROCS, OP_PROXY_LISTENERS, OP_SECCOMP, OP_EXEC,
	OP_ARGV, OP_COUNT
};

/* Where an op's values go: the plan itself, or a new entry of one of its lists. */
enum record { REC_PLAN, REC_FS, REC_RLIMIT, REC_LANDLOCK, REC_ENV, REC_CGROUP };

struct decoder;
/* Decodes and checks argument i of the current op, and stores it in rec (see struct arg). */
typedef void decode_fn(struct decoder *d, int i, void *rec);

struct word {
	const char *word;
	int value;
};

struct arg {
	const char *name; /* for messages */
	decode_fn *decode;
	size_t off, size;         /* the destination in the op's record */
	uint64_t min, max;        /* num: the range; str: the length */
	const char *chars;        /* str: the bytes allowed */
	const struct word *words; /* word: the words allowed, NULL-terminated */
	const char *want;         /* word, str: what to say when the argument is not allowed */
};

#define MANY 0u
#define ONCE 1u
#define REQUIRED 2u

struct op_desc {
	const char *name;
	unsigned flags;
	enum record rec;
	enum fs_kind kind;  /* REC_FS */
	struct arg args[3]; /* the fixed arguments; argv takes N more */
	unsigned max;       /* more than this many is an error; 0: no limit */
};

/* The plan's tokens, what has been seen of each op, and the op being decoded (for messages). */
struct decoder {
	char **tok;
	size_t ntok;
	size_t first[OP_COUNT]; /* 1-based token of each op's first use; 0: not used */
	unsigned count[OP_COUNT];
	size_t at; /* 0-based token of the current op's name; messages print 1-based indexes */
	const struct op_desc *op;
	size_t extra; /* tokens taken after the fixed arguments (argv) */
};

static const char *arg(const struct decoder *d, int i) { return d->tok[d->at + 1 + (size_t)i]; }

/* i < 0: the message is about the op as a whole. */
static _Noreturn __attribute__((format(printf, 4, 5))) void
bad(enum step step, const struct decoder *d, int i, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (i < 0)
		die(step, "%s (token %zu): %s", d->op->name, d->at + 1, why);
	const char *v = arg(d, i);
	die(step, "%s %s (token %zu) \"%.80s%s\": %s", d->op->name, d->op->args[i].name,
	    d->at + 2 + (size_t)i, v, strlen(v) > 80 ? "..." : "", why);
}

static void *alloc(size_t n, size_t size)
{
	void *v = calloc(n, size);
	die_errno_if(!v, STEP_PLAN_PARSE, "allocate %zu entries", n);
	return v;
}

static void put(const struct decoder *d, int i, void *rec, const void *v)
{
	memcpy((char *)rec + d->op->args[i].off, v, d->op->args[i].size);
}

/* Numbers go to fields of 8, 4 or 1 (bool) bytes. */
static void put_num(const struct decoder *d, int i, void *rec, uint64_t v)
{
	uint32_t v32 = (uint32_t)v;
	bool b = v;
	size_t size = d->op->args[i].size;

	put(d, i, rec, size == sizeof v ? (void *)&v : size == sizeof v32 ? (void *)&v32 : (void *)&b);
}

static uint64_t number(const struct decoder *d, int i, uint64_t min, uint64_t max)
{
	const char *s = arg(d, i);
	uint64_t v = 0;

	/* Digits only, and none once v * 10 + 9 could overflow. */
	for (; *s >= '0' && *s <= '9' && v <= (UINT64_MAX - 9) / 10; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	if (*s || !*arg(d, i))
		bad(STEP_PLAN_PARSE, d, i, "not a decimal number");
	if (v < min || v > max)
		bad(STEP_PLAN_VALIDATE, d, i, "out of range %llu..%llu", (unsigned long long)min,
		    (unsigned long long)max);
	return v;
}

static const struct word *find_word(const struct word *w, const char *s, size_t len)
{
	for (; w->word; w++)
		if (strlen(w->word) == len && !strncmp(s, w->word, len))
			return w;
	return NULL;
}

/* Any string; the others below check theirs, then store it with this. */
static void text(struct decoder *d, int i, void *rec)
{
	const char *s = arg(d, i);
	put(d, i, rec, &s);
}

static void num(struct decoder *d, int i, void *rec)
{
	put_num(d, i, rec, number(d, i, d->op->args[i].min, d->op->args[i].max));
}

static void word(struct decoder *d, int i, void *rec)
{
	const struct word *w = find_word(d->op->args[i].words, arg(d, i), strlen(arg(d, i)));

	if (!w)
		bad(STEP_PLAN_VALIDATE, d, i, "%s", d->op->args[i].want);
	put_num(d, i, rec, (uint64_t)w->value);
}

static void mode(struct decoder *d, int i, void *rec)
{
	const char *s = arg(d, i);
	unsigned long v;

	if (!*s || strlen(s) > 5 || strspn(s, "01234567") != strlen(s))
		bad(STEP_PLAN_PARSE, d, i, "not an octal mode");
	v = strtoul(s, NULL, 8);
	if (v > 07777)
		bad(STEP_PLAN_VALIDATE, d, i, "mode above 07777");
	put_num(d, i, rec, v);
}

/* Absolute and normalised: no "." or ".." component, no "//", no trailing "/" except "/". */
static void path(struct decoder *d, int i, void *rec)
{
	const char *s = arg(d, i);
	size_t len = strlen(s);

	if (s[0] != '/')
		bad(STEP_PLAN_VALIDATE, d, i, "not an absolute path");
	if (len > PLAN_PATH_MAX)
		bad(STEP_PLAN_VALIDATE, d, i, "longer than %d bytes", PLAN_PATH_MAX);
	if (len > 1 && s[len - 1] == '/')
		bad(STEP_PLAN_VALIDATE, d, i, "not normalised: trailing /");
	for (const char *p = s; len > 1 && p; p = strchr(p + 1, '/')) {
		size_t n = strcspn(p + 1, "/");
		if (n == 0)
			bad(STEP_PLAN_VALIDATE, d, i, "not normalised: empty component");
		if ((n == 1 && p[1] == '.') || (n == 2 && p[1] == '.' && p[2] == '.'))
			bad(STEP_PLAN_VALIDATE, d, i, "not normalised: . or .. component");
	}
	text(d, i, rec);
}

/* devpts also links ptmx in DST's parent directory. */
static void devpts_path(struct decoder *d, int i, void *rec)
{
	path(d, i, rec);
	if (!strcmp(arg(d, i), "/"))
		bad(STEP_PLAN_VALIDATE, d, i, "needs a parent directory for ptmx");
}

/* A string of min..max bytes, all of them in chars if that is set. */
static void str(struct decoder *d, int i, void *rec)
{
	const struct arg *a = &d->op->args[i];
	size_t len = strlen(arg(d, i));

	if (len < a->min || len > a->max || (a->chars && strspn(arg(d, i), a->chars) != len))
		bad(STEP_PLAN_VALIDATE, d, i, "%s", a->want);
	text(d, i, rec);
}

static void env(struct decoder *d, int i, void *rec)
{
	if (arg(d, i)[0] == '=' || !strchr(arg(d, i), '='))
		bad(STEP_PLAN_VALIDATE, d, i, "want K=V with a non-empty K");
	text(d, i, rec);
}

static const struct word namespace_words[] = {
	{ "user", CLONE_NEWUSER }, { "mount", CLONE_NEWNS }, { "pid", CLONE_NEWPID },
	{ "net", CLONE_NEWNET },   { "ipc", CLONE_NEWIPC },  { "uts", CLONE_NEWUTS },
	{ "cgroup", CLONE_NEWCGROUP }, { NULL, 0 },
};

static void namespaces(struct decoder *d, int i, void *rec)
{
	const int needed = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID;
	const char *s = arg(d, i);
	int flags = 0;

	for (;;) {
		size_t n = strcspn(s, ",");
		const struct word *w = find_word(namespace_words, s, n);
		if (!w)
			bad(STEP_PLAN_VALIDATE, d, i, "unknown namespace \"%.*s\"; known: "
			    "user,mount,pid,net,ipc,uts,cgroup", (int)n, s);
		if (flags & w->value)
			bad(STEP_PLAN_VALIDATE, d, i, "namespace %s listed twice", w->word);
		flags |= w->value;
		if (!s[n])
			break;
		s += n + 1;
	}
	if ((flags & needed) != needed)
		bad(STEP_PLAN_VALIDATE, d, i, "user, mount and pid are required");
	put_num(d, i, rec, (uint64_t)flags);
}

/* COUNT ids from HOST_BASE (decoded just before) must stay below the invalid id UINT32_MAX. */
static void id_count(struct decoder *d, int i, void *rec)
{
	put_num(d, i, rec, number(d, i, 2, UINT32_MAX - 1 - ((struct plan *)rec)->host_base));
}

static void rlimit_name(struct decoder *d, int i, void *rec)
{
	word(d, i, rec);
	((struct rlimit_op *)rec)->name = arg(d, i);
}

static void rlim(struct decoder *d, int i, void *rec)
{
	put_num(d, i, rec, strcmp(arg(d, i), "unlimited") ? number(d, i, 0, RLIM_INFINITY - 1)
							  : RLIM_INFINITY);
}

/* The hard limit follows the soft one, which must not be above it. */
static void rlim_hard(struct decoder *d, int i, void *rec)
{
	const struct rlimit_op *r = rec;

	rlim(d, i, rec);
	if (r->lim.rlim_cur > r->lim.rlim_max)
		bad(STEP_PLAN_VALIDATE, d, i - 1, "soft limit above hard limit %s", arg(d, i));
}

static void fd_num(struct decoder *d, int i, void *rec)
{
	struct plan_fd f = { .fd = (int)number(d, i, 3, FD_MAX), .token = (int)d->at };
	put(d, i, rec, &f);
}

static void argv(struct decoder *d, int i, void *rec)
{
	uint64_t n = number(d, i, 1, PLAN_MAX_TOKENS);
	char **v;

	if (d->at + 1 + n >= d->ntok)
		bad(STEP_PLAN_PARSE, d, i, "the plan ends before %llu argv tokens", (unsigned long long)n);
	v = alloc(n + 1, sizeof *v);
	memcpy(v, &d->tok[d->at + 2], n * sizeof *v);
	put(d, i, rec, &v);
	d->extra = n;
}

static const struct word landlock_words[] = {
	{ "off", LANDLOCK_OFF }, { "best-effort", LANDLOCK_BEST_EFFORT },
	{ "required", LANDLOCK_REQUIRED }, { NULL, 0 },
};
static const struct word access_words[] = {
	{ "ro", ACCESS_RO }, { "rw", ACCESS_RW }, { "dev", ACCESS_DEV }, { NULL, 0 },
};
static const struct word listener_words[] = {
	{ "listener", 1 }, { "no-listener", 0 }, { NULL, 0 },
};
static const struct word rlimit_words[] = {
	{ "nofile", RLIMIT_NOFILE }, { "fsize", RLIMIT_FSIZE },   { "core", RLIMIT_CORE },
	{ "nproc", RLIMIT_NPROC },   { "as", RLIMIT_AS },	  { "stack", RLIMIT_STACK },
	{ "cpu", RLIMIT_CPU },	     { "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE },
	{ "nice", RLIMIT_NICE },     { "rtprio", RLIMIT_RTPRIO },   { "sigpending", RLIMIT_SIGPENDING },
	{ NULL, 0 },
};

/* The destination of an argument: a field of its record. */
#define IN(type, field) .off = offsetof(type, field), .size = sizeof(((type *)0)->field)
#define P(field) IN(struct plan, field)
#define FS(field) IN(struct fs_op, field)
#define RL(field) IN(struct rlimit_op, field)
#define LL(field) IN(struct landlock_path, field)

/*
 * Every op of docs/helper-protocol.md: how often it may appear, where its values go, and for
 * each argument its name, decoder and field. A new op is a new row (and its enum name).
 */
static const struct op_desc ops[OP_COUNT] = {
	[OP_PARENT_PID] = { "parent-pid", ONCE | REQUIRED, REC_PLAN, .args = {
		{ "PID", num, P(parent_pid), 1, PID_MAX_LIMIT } } },
	[OP_NAMESPACES] = { "namespaces", ONCE | REQUIRED, REC_PLAN, .args = {
		{ "LIST", namespaces, P(clone_flags) } } },
	/* Base 0 would make the sandbox's root the host's root. */
	[OP_ID_MAP] = { "id-map", ONCE | REQUIRED, REC_PLAN, .args = {
		{ "HOST_BASE", num, P(host_base), 1, UINT32_MAX - 2 }, { "COUNT", id_count, P(id_count) } } },
	[OP_USER] = { "user", ONCE | REQUIRED, REC_PLAN, .args = {
		{ "UID", num, P(uid), 1, UINT32_MAX - 2 }, { "GID", num, P(gid), 1, UINT32_MAX - 2 } } },
	[OP_HOSTNAME] = { "hostname", ONCE, REC_PLAN, .args = { { "NAME", str, P(hostname), 1, 64,
		.chars = HOSTNAME_CHARS, .want = "want 1..64 characters of [A-Za-z0-9.-]" } } },
	/* 0 would mean "no limit" to tmpfs. */
	[OP_ROOT_SIZE] = { "root-size", ONCE, REC_PLAN, .args = {
		{ "BYTES", num, P(root_size), 1, UINT64_MAX } } },
	[OP_BIND_RO] = { "bind-ro", MANY, REC_FS, FS_BIND_RO, .args = {
		{ "SRC", path, FS(src) }, { "DST", path, FS(dst) } } },
	[OP_BIND_RW] = { "bind-rw", MANY, REC_FS, FS_BIND_RW, .args = {
		{ "SRC", path, FS(src) }, { "DST", path, FS(dst) } } },
	[OP_BIND_DEV] = { "bind-dev", MANY, REC_FS, FS_BIND_DEV, .args = {
		{ "SRC", path, FS(src) }, { "DST", path, FS(dst) } } },
	[OP_TMPFS] = { "tmpfs", MANY, REC_FS, FS_TMPFS, .args = { { "DST", path, FS(dst) },
		{ "BYTES", num, FS(size), 1, UINT64_MAX }, { "MODE", mode, FS(mode) } } },
	[OP_PROC] = { "proc", MANY, REC_FS, FS_PROC, .args = { { "DST", path, FS(dst) } } },
	[OP_DEVPTS] = { "devpts", MANY, REC_FS, FS_DEVPTS, .args = { { "DST", devpts_path, FS(dst) } } },
	[OP_DIR] = { "dir", MANY, REC_FS, FS_DIR, .args = {
		{ "DST", path, FS(dst) }, { "MODE", mode, FS(mode) } } },
	[OP_FILE] = { "file", MANY, REC_FS, FS_FILE, .args = { { "DST", path, FS(dst) },
		{ "MODE", mode, FS(mode) }, { "CONTENT", text, FS(content) } } },
	[OP_SYMLINK] = { "symlink", MANY, REC_FS, FS_SYMLINK, .args = {
		{ "TARGET", str, FS(src), 1, PLAN_PATH_MAX, .want = "empty or too long" },
		{ "LINK", path, FS(dst) } } },
	[OP_REMOUNT_RO] = { "remount-ro", MANY, REC_FS, FS_REMOUNT_RO, .args = {
		{ "DST", path, FS(dst) } } },
	[OP_RLIMIT] = { "rlimit", MANY, REC_RLIMIT, .args = {
		{ "NAME", rlimit_name, RL(resource), .words = rlimit_words, .want = "unknown rlimit; known: "
		  "nofile,fsize,core,nproc,as,stack,cpu,memlock,msgqueue,nice,rtprio,sigpending" },
		{ "SOFT", rlim, RL(lim.rlim_cur) }, { "HARD", rlim_hard, RL(lim.rlim_max) } } },
	[OP_LANDLOCK] = { "landlock", ONCE, REC_PLAN, .args = { { "MODE", word, P(landlock),
		.words = landlock_words, .want = "want off, best-effort or required" } } },
	[OP_LANDLOCK_PATH] = { "landlock-path", MANY, REC_LANDLOCK, .args = {
		{ "ACCESS", word, LL(access), .words = access_words, .want = "want ro, rw or dev" },
		{ "PATH", path, LL(path) } } },
	[OP_CHDIR] = { "chdir", ONCE, REC_PLAN, .args = { { "DIR", path, P(chdir) } } },
	[OP_ENV] = { "env", MANY, REC_ENV, .args = { { "K=V", env, .off = 0, .size = sizeof(char *) } } },
	[OP_LISTEN_FDS] = { "listen-fds", ONCE, REC_PLAN, .args = {
		{ "L", num, P(listen_fds), 0, LISTEN_FDS_MAX } } },
	[OP_CONTROL_FD] = { "control-fd", ONCE, REC_PLAN, .args = { { "N", fd_num, P(control) } } },
	[OP_CGROUP_PROCS] = { "cgroup-procs", MANY, REC_CGROUP, .max = CGROUP_FDS_MAX, .args = {
		{ "FD", fd_num, .off = 0, .size = sizeof(struct plan_fd) } } },
	[OP_PROXY_LISTENERS] = { "proxy-listeners", ONCE, REC_PLAN },
	[OP_SECCOMP] = { "seccomp", ONCE, REC_PLAN, .args = { { "FD", fd_num, P(seccomp) },
		{ "LISTENER", word, P(seccomp_listener), .words = listener_words,
		  .want = "want listener or no-listener" } } },
	[OP_EXEC] = { "exec", ONCE | REQUIRED, REC_PLAN, .args = { { "PATH", path, P(exec_path) } } },
	[OP_ARGV] = { "argv", ONCE | REQUIRED, REC_PLAN, .args = { { "N", argv, P(argv) } } },
};

static int nargs(const struct op_desc *op)
{
	int n = 0;
	while (n < 3 && op->args[n].name)
		n++;
	return n;
}

/* A new record for op: the plan, or the next entry of one of its lists. */
static void *record(struct plan *p, const struct op_desc *op)
{
	switch (op->rec) {
	case REC_FS:
		p->fs[p->n_fs] = (struct fs_op){ .kind = op->kind, .op = op->name, .tree_fd = -1 };
		return &p->fs[p->n_fs++];
	case REC_RLIMIT:
		return &p->rlimits[p->n_rlimits++];
	case REC_LANDLOCK:
		return &p->ll_paths[p->n_ll_paths++];
	case REC_ENV:
		return &p->envp[p->n_env++];
	case REC_CGROUP:
		return &p->cgroups[p->n_cgroups++];
	case REC_PLAN:
		break;
	}
	return p;
}

/* Makes the op at token t the current one, for decoding or messages. */
static enum op at(struct decoder *d, size_t t)
{
	enum op op = 0;

	while (op < OP_COUNT && strcmp(d->tok[t], ops[op].name))
		op++;
	if (op == OP_COUNT)
		die(STEP_PLAN_PARSE, "token %zu \"%.40s\": unknown op", t + 1, d->tok[t]);
	d->at = t;
	d->op = &ops[op];
	d->extra = 0;
	return op;
}

/* Decodes the op at token t; returns the token after it. */
static size_t decode(struct decoder *d, size_t t, struct plan *p)
{
	enum op op = at(d, t);
	int n = nargs(d->op);
	void *rec;

	if (t + (size_t)n >= d->ntok)
		bad(STEP_PLAN_PARSE, d, -1, "wants %d argument(s); the plan ends after %zu", n,
		    d->ntok - t - 1);
	if ((d->op->flags & ONCE) && d->count[op])
		bad(STEP_PLAN_VALIDATE, d, -1, "allowed once; first at token %zu", d->first[op]);
	if (d->op->max && d->count[op] == d->op->max)
		bad(STEP_PLAN_VALIDATE, d, -1, "more than %u", d->op->max);
	if (!d->count[op]++)
		d->first[op] = t + 1;
	rec = record(p, d->op);
	for (int i = 0; i < n; i++)
		d->op->args[i].decode(d, i, rec);
	return t + 1 + (size_t)n + d->extra;
}

/* control, seccomp and the cgroup fds: the plan's fds besides the listen fds, in that order. */
static size_t named_fds(const struct plan *p, const struct plan_fd **out)
{
	size_t n = 0;

	if (p->control.fd >= 0)
		out[n++] = &p->control;
	if (p->seccomp.fd >= 0)
		out[n++] = &p->seccomp;
	for (size_t i = 0; i < p->n_cgroups; i++)
		out[n++] = &p->cgroups[i];
	return n;
}

/* Checks that need the whole plan, once every op has been decoded. */
static void validate(struct plan *p, struct decoder *d)
{
	const struct plan_fd *fds[2 + CGROUP_FDS_MAX];
	size_t n = named_fds(p, fds);

	for (int op = 0; op < OP_COUNT; op++)
		if ((ops[op].flags & REQUIRED) && !d->count[op])
			die(STEP_PLAN_VALIDATE, "missing required op \"%s\"", ops[op].name);
	at(d, d->first[OP_USER] - 1);
	if (p->uid >= p->id_count)
		bad(STEP_PLAN_VALIDATE, d, 0, "not below id-map COUNT %u", p->id_count);
	if (p->gid >= p->id_count)
		bad(STEP_PLAN_VALIDATE, d, 1, "not below id-map COUNT %u", p->id_count);
	if (p->hostname && !(p->clone_flags & CLONE_NEWUTS)) {
		at(d, d->first[OP_HOSTNAME] - 1);
		bad(STEP_PLAN_VALIDATE, d, 0, "needs \"uts\" in namespaces (else the host's name changes)");
	}
	/* Like the plan and log fds: fds 3..3+L-1 are the app's, and it gets them renumbered. */
	for (size_t i = 0; i < n; i++) {
		at(d, (size_t)fds[i]->token);
		if (fds[i]->fd < 3 + (int)p->listen_fds)
			bad(STEP_PLAN_VALIDATE, d, 0, "inside the listen fds 3..%u", 2 + p->listen_fds);
		for (size_t k = 0; k < i; k++)
			if (fds[i]->fd == fds[k]->fd)
				bad(STEP_PLAN_VALIDATE, d, 0, "the same fd as %s (token %d)",
				    d->tok[fds[k]->token], fds[k]->token + 1);
	}
	/* The listener goes to the launcher over the control socket, the only way out. */
	if (p->seccomp_listener && p->control.fd < 0) {
		at(d, d->first[OP_SECCOMP] - 1);
		bad(STEP_PLAN_VALIDATE, d, 1, "needs control-fd");
	}
	p->proxy_listeners = d->count[OP_PROXY_LISTENERS];
	if (p->proxy_listeners) {
		at(d, d->first[OP_PROXY_LISTENERS] - 1);
		/* They go to the launcher over the control socket, and only make sense in a new netns. */
		if (p->control.fd < 0)
			bad(STEP_PLAN_VALIDATE, d, -1, "needs control-fd");
		if (!(p->clone_flags & CLONE_NEWNET))
			bad(STEP_PLAN_VALIDATE, d, -1, "needs the net namespace");
	}
	for (size_t i = 0; i < p->n_env && p->listen_fds; i++)
		if (!strncmp(p->envp[i], "LISTEN_FDS=", 11) || !strncmp(p->envp[i], "LISTEN_PID=", 11))
			die(STEP_PLAN_VALIDATE, "env \"%.40s\": conflicts with listen-fds (token %zu), "
			    "which sets it", p->envp[i], d->first[OP_LISTEN_FDS]);
}

/* Run-time checks of the fd layout: listen fds open; plan, log and named fds above them. */
static void check_fds(const struct plan *p, const struct decoder *d, int plan_fd, int log_fd)
{
	const struct plan_fd *fds[2 + CGROUP_FDS_MAX];
	size_t n = named_fds(p, fds);
	int first_free = 3 + (int)p->listen_fds;

	for (unsigned i = 0; i < p->listen_fds; i++)
		if (fcntl(3 + (int)i, F_GETFD) < 0)
			die_errno(STEP_PLAN_VALIDATE, "listen-fds (token %zu) %u: fd %u is not open",
				  d->first[OP_LISTEN_FDS], p->listen_fds, 3 + i);
	if ((plan_fd >= 3 && plan_fd < first_free) || (log_fd >= 3 && log_fd < first_free))
		die(STEP_PLAN_VALIDATE, "--plan-fd %d / --log-fd %d: inside the listen fds 3..%d",
		    plan_fd, log_fd, first_free - 1);
	for (size_t i = 0; i < n; i++) {
		const char *op = d->tok[fds[i]->token];
		int fd = fds[i]->fd, tok = fds[i]->token + 1;

		if (fd == plan_fd || fd == log_fd)
			die(STEP_PLAN_VALIDATE, "%s (token %d) %d: the same fd as --plan-fd %d / --log-fd %d",
			    op, tok, fd, plan_fd, log_fd);
		if (fcntl(fd, F_GETFD) < 0)
			die_errno(STEP_PLAN_VALIDATE, "%s (token %d): fd %d is not open", op, tok, fd);
	}
	if (p->control.fd >= 0) {
		int domain, type;
		socklen_t dl = sizeof domain, tl = sizeof type;

		if (getsockopt(p->control.fd, SOL_SOCKET, SO_DOMAIN, &domain, &dl) < 0 ||
		    getsockopt(p->control.fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0)
			die_errno(STEP_PLAN_VALIDATE, "control-fd (token %d) %d: not a socket",
				  p->control.token + 1, p->control.fd);
		if (domain != AF_UNIX || type != SOCK_SEQPACKET)
			die(STEP_PLAN_VALIDATE, "control-fd (token %d) %d: want an AF_UNIX SOCK_SEQPACKET "
			    "socket, not domain %d type %d", p->control.token + 1, p->control.fd, domain, type);
	}
}

/* Splits buf into tokens and checks the frame: magic first, then ops up to a final "end". */
static void decode_all(char *buf, size_t len, struct plan *p, struct decoder *d)
{
	size_t t;

	if (len == 0)
		die(STEP_PLAN_PARSE, "the plan is empty");
	if (buf[len - 1] != '\0')
		die(STEP_PLAN_PARSE, "the last token is not NUL-terminated");
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0' && ++d->ntok > PLAN_MAX_TOKENS)
			die(STEP_PLAN_PARSE, "more than %d tokens", PLAN_MAX_TOKENS);
	d->tok = alloc(d->ntok, sizeof *d->tok);
	for (size_t i = 0, k = 0; k < d->ntok; k++) {
		d->tok[k] = buf + i;
		i += strlen(buf + i) + 1;
	}
	if (strcmp(d->tok[0], PLAN_MAGIC))
		die(STEP_PLAN_PARSE, "token 1 \"%.40s\": want magic \"%s\"", d->tok[0], PLAN_MAGIC);

	/* Every op takes at least one argument, so ntok / 2 bounds each list. */
	*p = (struct plan){ .root_size = DEFAULT_ROOT_SIZE, .chdir = "/", .landlock = LANDLOCK_OFF,
			    .control.fd = -1, .seccomp.fd = -1 };
	p->fs = alloc(d->ntok / 2 + 1, sizeof *p->fs);
	p->rlimits = alloc(d->ntok / 2 + 1, sizeof *p->rlimits);
	p->ll_paths = alloc(d->ntok / 2 + 1, sizeof *p->ll_paths);
	p->envp = alloc(d->ntok / 2 + 3, sizeof *p->envp);
	for (t = 1; t < d->ntok && strcmp(d->tok[t], "end"); )
		t = decode(d, t, p);
	if (t >= d->ntok)
		die(STEP_PLAN_PARSE, "the plan has no \"end\" token");
	if (t != d->ntok - 1)
		die(STEP_PLAN_PARSE, "token %zu \"%.40s\": data after \"end\" (token %zu)", t + 2,
		    d->tok[t + 1], t + 1);
}

void plan_load(int plan_fd, int log_fd, bool fds, struct plan *p)
{
	struct decoder d = { .ntok = 0 };
	size_t len;
	char *buf;

	read_whole(plan_fd, PLAN_MAX_BYTES, STEP_PLAN_READ, "plan", &buf, &len);
	decode_all(buf, len, p, &d);
	validate(p, &d);
	if (fds)
		check_fds(p, &d, plan_fd, log_fd);
	/* The plan keeps pointing into buf: free the token index only. */
	free(d.tok);
}

void read_whole(int fd, size_t max, enum step step, const char *what, char **buf, size_t *len)
{
	/* One extra byte tells "exactly at the limit" from "too big". */
	char *b = malloc(max + 1);
	size_t n = 0;
	bool seq = false;

	die_errno_if(!b, step, "allocate %zu bytes", max + 1);
	for (;;) {
		ssize_t r = seq ? TEMP_FAILURE_RETRY(read(fd, b + n, max + 1 - n))
				: TEMP_FAILURE_RETRY(pread(fd, b + n, max + 1 - n, (off_t)n));
		if (r < 0 && errno == ESPIPE && !seq && n == 0) {
			seq = true; /* a pipe: tests feed the plan this way */
			continue;
		}
		die_errno_if(r < 0, step, "read %s fd %d", what, fd);
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max)
			die(step, "%s fd %d: more than %zu bytes", what, fd, max);
	}
	*buf = b;
	*len = n;
}
