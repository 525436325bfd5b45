/* Entry point and the three stages: outer (host side), init (pid 1 inside), app (until execve). */
#include "sandbox-init.h"

#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* PF_FORKNOEXEC (include/linux/sched.h): set by fork, cleared by execve; /proc/PID/stat field 9. */
#define PF_FORKNOEXEC 0x00000040

#define USAGE                                                                                \
	"usage: sandbox-init --plan-fd N --log-fd M | --check-plan --plan-fd N [--log-fd M] | " \
	"--version"

/* Forwarded outer -> init -> app; SIGCHLD is supervised too but never forwarded. */
static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

static void supervised_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_SETUP;
}

static int exec_failure_code(int err)
{
	return err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
}

static int signal_fd(const sigset_t *set)
{
	int sfd = signalfd(-1, set, SFD_CLOEXEC);
	die_errno_if(sfd < 0, STEP_SIGNALS, "signalfd");
	return sfd;
}

/* Forwards signals to child and reaps (every zombie if reap_all) until child ends. */
static int supervise(pid_t child, int sfd, bool reap_all)
{
	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = TEMP_FAILURE_RETRY(read(sfd, &si, sizeof si));

		die_errno_if(n != (ssize_t)sizeof si, STEP_WAIT, "read signalfd");
		if (si.ssi_signo != SIGCHLD) {
			/* ESRCH: the child is already gone; its SIGCHLD is on the way. */
			if (kill(child, (int)si.ssi_signo) < 0 && errno != ESRCH)
				die_errno(STEP_WAIT, "forward signal %u to pid %d", si.ssi_signo, (int)child);
			continue;
		}
		/* SIGCHLDs coalesce: reap until none is left. */
		for (;;) {
			int status;
			pid_t pid = waitpid(reap_all ? -1 : child, &status, WNOHANG);
			die_errno_if(pid < 0, STEP_WAIT, "waitpid");
			if (pid == 0)
				break;
			if (pid == child)
				return status;
		}
	}
}

static int wait_app(pid_t app)
{
	int status;

	die_errno_if(TEMP_FAILURE_RETRY(waitpid(app, &status, 0)) < 0, STEP_WAIT, "waitpid app");
	return status;
}

/*
 * The fds only the app may keep: the listen fds, and the control socket, on which the launcher
 * must see EOF once the app has exec'd or died, so no other copy may stay open.
 */
static void close_app_fds(const struct plan *p, enum step step)
{
	for (unsigned i = 0; i < p->listen_fds; i++)
		die_errno_if(close(3 + (int)i) < 0, step, "close listen fd %u", 3 + i);
	if (p->control.fd >= 0 && close(p->control.fd) < 0)
		die_errno(step, "close control-fd %d", p->control.fd);
}

/* Stage 3, the app (pid 2 inside): drop everything, then execve. Errors go to init. */

/* Dispositions before the mask: both survive execve, and the app must start clean. */
static void app_reset_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP || (sig >= 32 && sig < SIGRTMIN))
			continue; /* glibc keeps 32..SIGRTMIN-1 for itself */
		die_errno_if(signal(sig, SIG_DFL) == SIG_ERR, STEP_SIGNAL_RESET, "signal %d SIG_DFL", sig);
	}
	sigemptyset(&none);
	die_errno_if(sigprocmask(SIG_SETMASK, &none, NULL) < 0, STEP_SIGNAL_RESET, "sigprocmask");
}

static void app_set_rlimits(const struct plan *p)
{
	for (size_t i = 0; i < p->n_rlimits; i++)
		if (setrlimit(p->rlimits[i].resource, &p->rlimits[i].lim) < 0)
			die_errno(STEP_RLIMIT, "rlimit %s %llu %llu", p->rlimits[i].name,
				  (unsigned long long)p->rlimits[i].lim.rlim_cur,
				  (unsigned long long)p->rlimits[i].lim.rlim_max);
}

/* The listen fds are already at 3..3+L-1; they must survive execve, nothing else may. */
static void app_keep_listen_fds(const struct plan *p)
{
	for (unsigned i = 0; i < p->listen_fds; i++)
		if (fcntl(3 + (int)i, F_SETFD, 0) < 0)
			die_errno(STEP_FDS, "clear FD_CLOEXEC on listen fd %u", 3 + i);
	if (close_range(3 + p->listen_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		die_errno(STEP_FDS, "close_range %u.. CLOSE_RANGE_CLOEXEC", 3 + p->listen_fds);
}

/* Completes the environment: LISTEN_FDS and LISTEN_PID (our pid) with listen fds. */
static void app_finish_env(const struct plan *p)
{
	static char listen_fds[32], listen_pid[32];
	size_t n = p->n_env;

	if (p->listen_fds) {
		snprintf(listen_fds, sizeof listen_fds, "LISTEN_FDS=%u", p->listen_fds);
		snprintf(listen_pid, sizeof listen_pid, "LISTEN_PID=%d", (int)getpid());
		p->envp[n++] = listen_fds;
		p->envp[n++] = listen_pid;
	}
	p->envp[n] = NULL;
}

static _Noreturn void app_exec(const struct plan *p, struct app_progress *pr)
{
	int err;

	progress_set(pr, PHASE_EXEC, 0);
	execve(p->exec_path, p->argv, p->envp);
	err = errno;
	/* First in memory: under a filter the report below may not get through. */
	progress_set(pr, PHASE_EXEC_FAILED, err);
	die_with(exec_failure_code(err), err, STEP_EXEC, "execve %s", p->exec_path);
}

static _Noreturn void run_app(const struct plan *p, int report_fd, int last_cap, mode_t app_umask,
			      struct app_progress *pr)
{
	log_set_stage(STAGE_APP);
	log_set_report_fd(report_fd);
	app_reset_signals();
	umask(app_umask);
	die_errno_if(setsid() < 0, STEP_SETSID, "setsid");
	/*
	 * rlimits before the uid change: setresuid and execve check RLIMIT_NPROC against the
	 * new uid, so the limit is in force from the first moment the app owns its uid.
	 */
	app_set_rlimits(p);
	app_keep_listen_fds(p);
	caps_drop_to(p->uid, p->gid, last_cap);
	/* After the uid change, so the app's own permissions decide whether it may be there. */
	die_errno_if(chdir(p->chdir) < 0, STEP_CHDIR, "chdir %s", p->chdir);
	/* Before Landlock, which requires it, and before execve, which must not gain privileges. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_errno(STEP_NO_NEW_PRIVS, "PR_SET_NO_NEW_PRIVS");
	landlock_apply(p);
	/* Before the filter, which would otherwise have to allow the getpid. */
	app_finish_env(p);
	/*
	 * The seccomp filter last: every syscall the helper makes after the load must be allowed by
	 * the app's profile, so as few as possible come after it (sendmsg, close, execve). After
	 * no_new_privs, which an unprivileged load requires, and after Landlock, whose setup the
	 * profile then need not allow.
	 */
	if (p->seccomp_insns)
		seccomp_install(p, pr);
	app_exec(p, pr);
}

/* Stage 2, init (pid 1 inside): build the root, fork the app, supervise it. */

/* Waits until the outer has written our id maps: until then we own nothing. */
static void init_wait_release(int sync_fd)
{
	struct pollfd pfd = { .fd = sync_fd, .events = POLLIN };
	ssize_t n;
	char c;

	n = TEMP_FAILURE_RETRY(read(sync_fd, &c, 1));
	die_errno_if(n < 0, STEP_SYNC, "read sync pipe");
	if (n == 0)
		_exit(EXIT_SETUP); /* the outer failed and has reported why */
	ns_become_root();
	/*
	 * PDEATHSIG only now: the euid change in ns_become_root clears it. getppid() is 0 here (our
	 * parent is outside our pid namespace), so instead check the sync pipe: the outer keeps its
	 * end open for life, and a hangup means it died before our prctl, whose signal then never comes.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die_errno(STEP_PARENT_CHECK, "PR_SET_PDEATHSIG");
	die_errno_if(poll(&pfd, 1, 0) < 0, STEP_PARENT_CHECK, "poll sync pipe");
	if (pfd.revents & (POLLHUP | POLLERR))
		die(STEP_PARENT_CHECK, "the outer sandbox-init is gone");
	die_errno_if(close(sync_fd) < 0, STEP_SYNC, "close sync pipe");
}

/* The sandbox's world, all before the app exists: root, hostname, loopback, proxy sockets. */
static void init_build_sandbox(const struct plan *p)
{
	mount_build_root(p);
	if (p->hostname && sethostname(p->hostname, strlen(p->hostname)) < 0)
		die_errno(STEP_HOSTNAME, "sethostname %s", p->hostname);
	/* Before the fork: the app will have no CAP_NET_ADMIN, and must find lo up from the start. */
	if (p->clone_flags & CLONE_NEWNET)
		ns_loopback_up();
	if (p->proxy_listeners)
		proxy_send_listeners(p->control.fd);
}

/* The app as init sees it until it has exec'd. */
struct app {
	pid_t pid;
	int report_fd; /* read end of the status pipe */
	struct app_progress *progress;
};

static struct app init_fork_app(const struct plan *p, int last_cap, mode_t app_umask)
{
	struct app app;
	int report[2];

	/* Close-on-exec: 0 bytes read means execve succeeded, a report means it did not. */
	die_errno_if(pipe2(report, O_CLOEXEC) < 0, STEP_FORK, "pipe2 exec status");
	/* Shared with the app across fork; execve drops its mapping, so the app never sees it. */
	app.progress = mmap(NULL, sizeof *app.progress, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	die_errno_if(app.progress == MAP_FAILED, STEP_FORK, "mmap exec progress page");
	app.pid = fork();
	die_errno_if(app.pid < 0, STEP_FORK, "fork app");
	if (app.pid == 0) {
		die_errno_if(close(report[0]) < 0, STEP_FORK, "close exec status read end");
		run_app(p, report[1], last_cap, app_umask, app.progress);
	}
	/* Our copy of the write end must go, or the read of the status never sees EOF. */
	die_errno_if(close(report[1]) < 0, STEP_FORK, "close exec status write end");
	close_app_fds(p, STEP_FORK);
	app.report_fd = report[0];
	return app;
}

/*
 * Whether the app certainly never exec'd, from the procfs of the plan's first proc op: execve
 * clears PF_FORKNOEXEC before it closes the close-on-exec fds, so once the status pipe has
 * closed the flag is final, zombie or not. false means it exec'd, or we cannot tell (no proc op,
 * or something else mounted over it).
 */
static bool never_execed(const struct plan *p, pid_t app)
{
	char path[PATH_MAX], buf[1024], *s;
	const char *proc = NULL;
	unsigned flags;
	ssize_t n;
	int fd;

	for (size_t i = 0; i < p->n_fs && !proc; i++)
		if (p->fs[i].kind == FS_PROC)
			proc = p->fs[i].dst;
	if (!proc)
		return false;
	snprintf(path, sizeof path, "%s/%d/stat", strcmp(proc, "/") ? proc : "", (int)app);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = TEMP_FAILURE_RETRY(read(fd, buf, sizeof buf - 1));
	die_errno_if(close(fd) < 0, STEP_EXEC_STATUS, "close %s", path);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* "pid (comm) state ppid pgrp session tty_nr tpgid flags ...": comm may hold anything. */
	s = strrchr(buf, ')');
	if (!s || sscanf(s + 1, " %*c %*d %*d %*d %*d %*d %u", &flags) != 1)
		return false;
	return flags & PF_FORKNOEXEC;
}

/*
 * The status pipe closes at execve, and also when the app dies before it. Without a filter only
 * a signal from outside does that (reported as before: exec, then the exit). With one, the
 * filter can kill the app, or keep its report from us, between the load and execve: the phase
 * the app recorded says where it was, and for execve itself never_execed() says whether it got
 * through. Returns when the app exec'd (or we cannot tell), else logs why and exits.
 */
static void check_exec(const struct plan *p, pid_t app, const struct app_progress *pr)
{
	int phase = __atomic_load_n(&pr->phase, __ATOMIC_ACQUIRE), err = 0, code = EXIT_SETUP;
	char msg[sizeof ((struct app_report *)0)->msg], what[512], how[64];
	enum step step = STEP_SECCOMP_LOAD;
	const char *need = "";
	int status;

	switch (phase) {
	case PHASE_SETUP:
		return;
	case PHASE_SECCOMP_LOAD:
		snprintf(what, sizeof what, "seccomp(SECCOMP_SET_MODE_FILTER)");
		break;
	case PHASE_SECCOMP_LISTENER:
		step = STEP_SECCOMP_LISTENER;
		snprintf(what, sizeof what, "sendmsg of the listener on control-fd %d", p->control.fd);
		need = "; the filter must allow sendmsg on the control fd";
		break;
	case PHASE_SECCOMP_CLOSE:
		step = STEP_SECCOMP_LISTENER;
		snprintf(what, sizeof what, "close of the listener");
		need = "; the filter must allow close";
		break;
	case PHASE_EXEC:
		if (!never_execed(p, app))
			return;
		step = STEP_EXEC;
		snprintf(what, sizeof what, "execve %.400s", p->exec_path);
		need = p->seccomp_insns ? "; the filter must allow execve" : "";
		break;
	case PHASE_EXEC_FAILED:
		step = STEP_EXEC;
		err = __atomic_load_n(&pr->err, __ATOMIC_RELAXED);
		code = exec_failure_code(err);
		snprintf(what, sizeof what, "execve %.400s failed and its report was lost", p->exec_path);
		need = "; the filter must allow write";
		break;
	default:
		die(STEP_EXEC_STATUS, "unknown app phase %d", phase);
	}
	status = wait_app(app);
	if (WIFSIGNALED(status))
		snprintf(how, sizeof how, "was killed by signal %d (SIG%s)", WTERMSIG(status),
			 sigabbrev_np(WTERMSIG(status)) ?: "?");
	else
		snprintf(how, sizeof how, "exited with code %d", exit_code(status));
	snprintf(msg, sizeof msg, "%s: the app %s before exec%s", what, how, need);
	log_error(STAGE_APP, step, err, msg);
	_exit(code);
}

/* Returns once the app has exec'd; if it failed before, reports why and exits with its code. */
static void init_wait_exec(const struct plan *p, const struct app *app)
{
	struct app_report rep;
	ssize_t n = TEMP_FAILURE_RETRY(read(app->report_fd, &rep, sizeof rep));

	die_errno_if(n < 0, STEP_EXEC_STATUS, "read exec status pipe");
	if (n > 0) {
		if (n != (ssize_t)sizeof rep)
			die(STEP_EXEC_STATUS, "short exec status report: %zd bytes", n);
		rep.msg[sizeof rep.msg - 1] = '\0';
		wait_app(app->pid);
		log_error(STAGE_APP, (enum step)rep.step, rep.err, rep.msg);
		_exit(rep.code >= EXIT_SETUP && rep.code <= EXIT_NOT_FOUND ? rep.code : EXIT_SETUP);
	}
	die_errno_if(close(app->report_fd) < 0, STEP_EXEC_STATUS, "close exec status pipe");
	check_exec(p, app->pid, app->progress);
	if (munmap(app->progress, sizeof *app->progress) < 0)
		die_errno(STEP_EXEC_STATUS, "munmap exec progress page");
	log_event("{\"event\":\"exec\",\"pid\":%d}", (int)app->pid);
}

static _Noreturn void run_init(const struct plan *p, int sync_fd, int last_cap)
{
	int sfd, status;
	mode_t app_umask;
	struct app app;
	sigset_t set;

	log_set_stage(STAGE_INIT);
	init_wait_release(sync_fd);
	/* Exact modes for the plan's dirs and files; the app gets the launcher's umask back. */
	app_umask = umask(0);
	init_build_sandbox(p);
	/* The supervised signals are still blocked (inherited from the outer): none is lost. */
	supervised_set(&set);
	sfd = signal_fd(&set);
	app = init_fork_app(p, last_cap, app_umask);
	init_wait_exec(p, &app);
	status = supervise(app.pid, sfd, true);
	if (WIFSIGNALED(status))
		log_event("{\"event\":\"exit\",\"signal\":%d,\"core\":%s}", WTERMSIG(status),
			  WCOREDUMP(status) ? "true" : "false");
	else
		log_event("{\"event\":\"exit\",\"code\":%d}", exit_code(status));
	/* As pid 1 our exit makes the kernel kill whatever the app left in the namespace. */
	_exit(exit_code(status));
}

/* Stage 1, outer (host namespaces, root): clone, write the id maps, supervise init. */

/* prctl, then getppid(): if the launcher died before the prctl, the signal never comes. */
static void outer_check_parent(const struct plan *p)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die_errno(STEP_PARENT_CHECK, "PR_SET_PDEATHSIG");
	if (getppid() != p->parent_pid)
		die(STEP_PARENT_CHECK, "parent-pid %d: our parent is %d, the launcher is gone",
		    (int)p->parent_pid, (int)getppid());
}

static void outer_join_cgroups(const struct plan *p)
{
	for (size_t i = 0; i < p->n_cgroups; i++) {
		int fd = p->cgroups[i].fd;

		if (TEMP_FAILURE_RETRY(write(fd, "0", 1)) != 1)
			die_errno(STEP_CGROUP_JOIN, "write 0 to cgroup-procs fd %d", fd);
		die_errno_if(close(fd) < 0, STEP_CGROUP_JOIN, "close cgroup-procs fd %d", fd);
	}
}

static void outer_block_signals(sigset_t *set)
{
	supervised_set(set);
	die_errno_if(sigprocmask(SIG_BLOCK, set, NULL) < 0, STEP_SIGNALS, "sigprocmask");
	/* A closed log pipe must give EPIPE, not kill us; the app resets this. */
	die_errno_if(signal(SIGPIPE, SIG_IGN) == SIG_ERR, STEP_SIGNALS, "ignore SIGPIPE");
}

/* Clones init, which waits on the sync pipe; returns its pid and our (write) end of the pipe. */
static pid_t outer_clone_init(const struct plan *p, int last_cap, int *sync_fd)
{
	int sync[2];
	pid_t pid;

	die_errno_if(pipe2(sync, O_CLOEXEC) < 0, STEP_SYNC, "pipe2");
	pid = ns_clone(p->clone_flags);
	if (pid == 0) {
		/* Only the outer may hold the write end: init reads EOF or POLLHUP when it is gone. */
		die_errno_if(close(sync[1]) < 0, STEP_SYNC, "close sync write end");
		run_init(p, sync[0], last_cap);
	}
	die_errno_if(close(sync[0]) < 0, STEP_SYNC, "close sync read end");
	*sync_fd = sync[1];
	return pid;
}

/* Gives init its ids, then lets it go. */
static void outer_release_init(const struct plan *p, pid_t pid, int sync_fd)
{
	/* init has its own copies; ours would only keep the detached trees alive. */
	mount_close_binds(p);
	ns_write_id_maps(pid, p->host_base, p->id_count);
	die_errno_if(TEMP_FAILURE_RETRY(write(sync_fd, "g", 1)) != 1, STEP_SYNC, "release init");
	/* sync_fd stays open until we exit: see init_wait_release. init has its own app fds. */
	close_app_fds(p, STEP_SYNC);
}

static _Noreturn void run_outer(struct plan *p)
{
	/* From the host's /proc: the new root may have no /proc at all. */
	int last_cap = caps_last_cap();
	int sync_fd;
	sigset_t set;
	pid_t pid;

	outer_check_parent(p);
	/*
	 * Join the instance's cgroups before anything is charged or forked: init and the app inherit
	 * them, and the cgroup namespace of the clone is rooted there. "0" means this process.
	 */
	outer_join_cgroups(p);
	/*
	 * Drop the launcher's supplementary groups while we may: inside, setgroups is denied, so
	 * a group inherited by the clone would stay with the app and keep its host access.
	 */
	die_errno_if(setgroups(0, NULL) < 0, STEP_CLEAR_GROUPS, "setgroups 0");
	/*
	 * Before clone: the child inherits the tree fds with the fd table, and only here do lookups
	 * run as the host's root in the host's mount namespace. init, in its user namespace, would
	 * look SRC up as the sandbox's host uid and fail on parents it cannot traverse.
	 */
	mount_open_binds(p);
	/*
	 * Block the supervised signals before clone: one arriving in between stays pending for the
	 * signalfd instead of killing us. init inherits the mask and needs it: the kernel drops
	 * signals to a pid 1 that neither blocks nor handles them.
	 */
	outer_block_signals(&set);
	pid = outer_clone_init(p, last_cap, &sync_fd);
	outer_release_init(p, pid, sync_fd);
	_exit(exit_code(supervise(pid, signal_fd(&set), false)));
}

static int parse_fd(const char *opt, const char *s)
{
	char *end;
	long v;

	if (!s)
		die(STEP_ARGS, "%s needs a value; " USAGE, opt);
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 65535)
		die(STEP_ARGS, "%s \"%s\": not a file descriptor", opt, s);
	die_errno_if(fcntl((int)v, F_GETFD) < 0, STEP_ARGS, "%s %ld: not open", opt, v);
	return (int)v;
}

int main(int argc, char **argv)
{
	int plan_fd = -1, log_fd = -1;
	bool check = false;
	struct plan plan;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--version") && argc == 2) {
			static const char v[] = "sandbox-init 1\n";
			if (TEMP_FAILURE_RETRY(write(STDOUT_FILENO, v, sizeof v - 1)) != sizeof v - 1)
				die_errno(STEP_ARGS, "write version");
			return 0;
		} else if (!strcmp(argv[i], "--check-plan")) {
			check = true;
		} else if (!strcmp(argv[i], "--plan-fd") && plan_fd < 0) {
			plan_fd = parse_fd(argv[i], argv[i + 1]);
			i++;
		} else if (!strcmp(argv[i], "--log-fd") && log_fd < 0) {
			log_fd = parse_fd(argv[i], argv[i + 1]);
			i++;
		} else {
			die(STEP_ARGS, "unexpected argument \"%s\"; " USAGE, argv[i]);
		}
	}
	if (plan_fd < 0 || (!check && log_fd < 0) || plan_fd == log_fd)
		die(STEP_ARGS, USAGE);
	log_setup(log_fd);

	/* Everything is decoded and validated before the first side effect. */
	plan_load(plan_fd, log_fd, !check, &plan);
	if (check)
		return 0;
	die_errno_if(close(plan_fd) < 0, STEP_PLAN_READ, "close plan fd %d", plan_fd);
	if (plan.seccomp.fd >= 0)
		seccomp_read(&plan);
	run_outer(&plan);
}
