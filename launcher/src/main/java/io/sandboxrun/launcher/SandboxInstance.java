package io.sandboxrun.launcher;

import io.sandboxrun.cgroup.CgroupException;
import io.sandboxrun.cgroup.CgroupHandle;
import io.sandboxrun.core.helper.HelperEvent;
import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.launch.Ending;
import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.Protection;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.SetupFailure;
import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.linux.Fd;
import io.sandboxrun.core.linux.Pidfd;
import io.sandboxrun.core.linux.Poll;
import io.sandboxrun.core.linux.Signals;
import io.sandboxrun.core.linux.UnixSocket;
import io.sandboxrun.core.linux.Wait;
import io.sandboxrun.core.notify.NotificationHandler;
import io.sandboxrun.core.notify.NotificationLoop;
import io.sandboxrun.core.notify.Registration;
import io.sandboxrun.core.policy.Durations;
import io.sandboxrun.net.InstanceNetwork;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

/** A running sandbox: its helper's pid, its report lines, and how it ended. */
final class SandboxInstance implements Instance, Monitor.Listener {
    private static final System.Logger LOG = System.getLogger(SandboxInstance.class.getName());
    /** Signals the helper forwards to the app (see docs/helper-protocol.md). */
    static final Set<Integer> FORWARDED = Set.of(Signals.SIGTERM, Signals.SIGINT, Signals.SIGHUP,
            Signals.SIGQUIT, Signals.SIGUSR1, Signals.SIGUSR2);

    // What the launch handed over: see Parts.
    private final String app;
    private final String id;
    private final int pid;
    private final Fd signalFd;
    private final long startNanos;
    private final List<Protection> launchProtections;
    private final Runnable release;
    private final Consumer<String> verbose;
    private final Streams streams;
    private final List<String> listening;
    private final DenialLog denialLog;
    private final Optional<CgroupHandle> cgroup;
    private final Optional<InstanceNetwork> network;
    private volatile boolean ended;   // written under this
    /** Supplies the learnt syscall names (empty unless the launch was in learning mode). */
    private volatile java.util.function.Supplier<List<String>> learnedLog = List::of;
    private final CompletableFuture<RunResult> exit = new CompletableFuture<>();
    private volatile HelperEvent.Error error;
    private volatile HelperEvent.Exit appExit;
    private volatile HelperEvent.LandlockStatus landlock;
    private final Lifetime lifetime;
    private final Deadlines deadlines;
    /** Why the runtime is ending the instance, once it is; guarded by {@code this}. */
    private Stop stop;
    /** Whether a SIGKILL this instance sent on a caller's behalf (kill(), a second stop) reached the helper. */
    private volatile boolean killedByCaller;
    /** The time limit's and the stop timeout's timers; guarded by {@code this}, cancelled at the end. */
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    /** The next CPU-time check, replaced by each reschedule; guarded by {@code this}, cancelled at the end. */
    private ScheduledFuture<?> cpuCheck;

    /**
     * A stop under way: for a limit ({@code reason} TIME_LIMIT or CPU_TIME_LIMIT, with its value),
     * or asked for ({@code reason} null: SIGTERM or SIGINT to sandbox-run, {@link #stop()}).
     */
    private record Stop(Ending.Reason reason, String limit, boolean escalated) {}

    private final HelperFailures failures;
    /** Whether a SIGKILL this instance sent (kill(), a stop's escalation, the runtime's close) reached the helper. */
    private volatile boolean killSent;

    /** The caller's ends of piped stdio. */
    record Streams(Optional<OutputStream> stdin, Optional<InputStream> stdout, Optional<InputStream> stderr) {
        /** Closes each, quietly: for a launch that failed before the caller got them. */
        void close() {
            stdin.ifPresent(PipeStreams::closeQuietly);
            stdout.ifPresent(PipeStreams::closeQuietly);
            stderr.ifPresent(PipeStreams::closeQuietly);
        }
    }

    /**
     * What a launch hands over to the instance it started.
     *
     * @param pid         the helper's (sandbox-init outer's) pid
     * @param signalFd    our own pidfd of the helper, for race-free signalling; the instance closes it
     * @param startNanos  {@link System#nanoTime()} when the launch began, for the wall time
     * @param protections what the launch enforced (the instance adds Landlock from the helper's report)
     * @param listening   where clients reach the {@code --listen} sockets
     * @param cgroup      the instance cgroup, absent when off or unavailable; the instance removes it
     * @param network     the proxy's side, absent with outbound: none; the instance closes it
     * @param release     frees what the launch acquired (tmp lease, sockets); runs once, at the end
     * @param verbose     debug lines
     * @param lifetime    its time limits and stop timeout
     * @param deadlines   the runtime's timer
     * @param failures    how its helper errors are worded (its policy and how the command was found)
     */
    record Parts(String app, String id, int pid, Fd signalFd, long startNanos, List<Protection> protections,
                 List<String> listening, DenialLog denialLog, Optional<CgroupHandle> cgroup,
                 Optional<InstanceNetwork> network, Streams streams, Runnable release, Consumer<String> verbose,
                 Lifetime lifetime, Deadlines deadlines, HelperFailures failures) {
        Parts {
            protections = List.copyOf(protections);
            listening = List.copyOf(listening);
        }
    }

    SandboxInstance(Parts parts) {
        this.app = parts.app();
        this.id = parts.id();
        this.pid = parts.pid();
        this.signalFd = parts.signalFd();
        this.startNanos = parts.startNanos();
        this.launchProtections = parts.protections();
        this.listening = parts.listening();
        this.denialLog = parts.denialLog();
        this.cgroup = parts.cgroup();
        this.network = parts.network();
        this.streams = parts.streams();
        this.release = parts.release();
        this.verbose = parts.verbose();
        this.lifetime = parts.lifetime();
        this.deadlines = parts.deadlines();
        this.failures = parts.failures();
    }

    @Override public String app() { return app; }

    @Override public String id() { return id; }

    @Override public int pid() { return pid; }

    @Override public List<String> listening() { return listening; }

    /** Where the learnt syscalls come from, once the seccomp listener is registered in learning mode. */
    void learnedFrom(java.util.function.Supplier<List<String>> names) { learnedLog = names; }

    @Override public CompletableFuture<RunResult> onExit() { return exit; }

    @Override
    public boolean signal(int signal) {
        if (signal == Signals.SIGKILL) {
            return sendKill(false);
        }
        if (!FORWARDED.contains(signal)) {
            throw new IllegalArgumentException("signal " + signal + " is not forwarded to the app; use TERM, INT, HUP,"
                    + " QUIT, USR1, USR2, or KILL to end the sandbox");
        }
        synchronized (signalFd) {
            return signalFd.isOpen() && Pidfd.sendSignal(signalFd, signal);
        }
    }

    @Override
    public void kill() {
        sendKill(true);
    }

    /**
     * Stops the app: SIGTERM now, and if it has not ended after the stop timeout, every process of
     * the instance is killed. A second stop while one is under way kills at once (ended_by killed);
     * a signal delivered twice for one request is the CLI's to tell apart, not this method's.
     */
    @Override
    public void stop() {
        boolean again;
        synchronized (this) {
            if (ended) return;
            again = stop != null;
        }
        if (again) escalate("asked again", true);
        else stopFor(null, null);
    }

    /** The first stop wins: a limit reached while a stop is under way does not start another. */
    private void stopFor(Ending.Reason reason, String limit) {
        synchronized (this) {
            if (ended || stop != null) return;
            stop = new Stop(reason, limit, false);
            timers.add(deadlines.after(lifetime.stopTimeout(), () -> escalate("the stop timeout passed", false)));
        }
        verbose.accept("app=" + app + " instance=" + id + " stopping (" + (reason == null ? "asked" : reason.word()
                + " " + limit) + "): SIGTERM, SIGKILL after " + Durations.word(lifetime.stopTimeout()));
        signal(Signals.SIGTERM);
    }

    /**
     * The stop timeout passed, or a second stop came ({@code byCaller}): every process of the
     * instance is killed. Only ever after {@link #stopFor}, so a stop is under way.
     */
    private void escalate(String why, boolean byCaller) {
        synchronized (this) {
            if (ended) return;
            stop = new Stop(stop.reason(), stop.limit(), true);
        }
        verbose.accept("app=" + app + " instance=" + id + " still running after its SIGTERM (" + why + "): SIGKILL");
        sendKill(byCaller);
    }

    /** The app was executed: its time limits start now. */
    private void started() {
        synchronized (this) {
            if (ended) return;
            if (lifetime.timeLimit() != null) {
                String word = Durations.word(lifetime.timeLimit());
                timers.add(deadlines.after(lifetime.timeLimit(), () -> stopFor(Ending.Reason.TIME_LIMIT, word)));
            }
            if (lifetime.cpuTimeLimit() != null) cpuCheck = deadlines.after(Duration.ZERO, this::checkCpu);
        }
    }

    /**
     * Reads the instance's CPU time from its cgroup; stops it at the limit, else checks again when
     * the limit could be reached at the earliest (all the CPUs it may use busy), at least 50 ms on.
     */
    private void checkCpu() {
        Long used = cgroup.map(CgroupHandle::cpuUsageUsec).orElse(null);
        if (used == null) return;   // the cgroup was removed under us: the instance has just ended
        long limit = lifetime.cpuTimeLimit().toNanos() / 1000;
        if (used >= limit) {
            stopFor(Ending.Reason.CPU_TIME_LIMIT, Durations.word(lifetime.cpuTimeLimit()));
            return;
        }
        long delayUsec = Math.min(60_000_000L, Math.max(50_000L, (limit - used) / lifetime.cpus()));
        synchronized (this) {
            if (!ended && stop == null) cpuCheck = deadlines.after(Duration.ofNanos(delayUsec * 1000), this::checkCpu);
        }
    }

    /**
     * SIGKILLs the helper: its death kills init (PDEATHSIG), and init's death the pid namespace.
     * Recorded only when it reached a helper that had not exited yet (one that exited would take
     * it as a zombie and change nothing), so that an end of its own is not reported as ours;
     * {@code byCaller}: kill() or a second stop, so the instance ends as killed.
     */
    private boolean sendKill(boolean byCaller) {
        synchronized (signalFd) {
            if (!signalFd.isOpen() || exited() || !Pidfd.sendSignal(signalFd, Signals.SIGKILL)) return false;
            killSent = true;
            if (byCaller) killedByCaller = true;
            return true;
        }
    }

    /** Whether the helper has exited: its pidfd polls readable from then on, reaped or not. */
    private boolean exited() {
        return Poll.waitReadable(new int[] {signalFd.get()}, 0)[0] != 0;
    }

    @Override
    public Optional<CgroupStats> stats() {
        if (ended) return Optional.empty();
        try {
            return cgroup.map(CgroupHandle::stats);
        } catch (CgroupException e) {
            return Optional.empty();   // removed under us: the instance has just ended
        }
    }

    @Override
    public void freeze() { cgroupOf("freeze").freeze(); }

    @Override
    public void thaw() { cgroupOf("thaw").thaw(); }

    private CgroupHandle cgroupOf(String action) {
        if (ended) throw new IllegalStateException("cannot " + action + " " + app + "/" + id + ": it has ended");
        return cgroup.orElseThrow(() -> new IllegalStateException("cannot " + action + " " + app + "/" + id
                + ": it has no cgroup (cgroup: off, or none available; see its protections)"));
    }

    @Override public Optional<OutputStream> stdin() { return streams.stdin(); }

    @Override public Optional<InputStream> stdout() { return streams.stdout(); }

    @Override public Optional<InputStream> stderr() { return streams.stderr(); }

    private NotificationLoop notifications;
    private NotificationHandler seccompHandler;
    private Registration seccompRegistration;

    /** Where this instance's seccomp listener goes when the helper hands it over. */
    void superviseSeccomp(NotificationLoop loop, NotificationHandler handler) {
        this.notifications = loop;
        this.seccompHandler = handler;
    }

    @Override
    public void control(UnixSocket.Received message) {
        String text = new String(message.data(), java.nio.charset.StandardCharsets.UTF_8);
        if ("seccomp-listener".equals(text) && message.fds().size() == 1 && notifications != null
                && seccompRegistration == null) {
            seccompRegistration = notifications.register(message.fds().get(0), seccompHandler, app + "/" + id, null);
            verbose.accept("app=" + app + " instance=" + id + " seccomp listener registered");
            return;
        }
        if ("proxy-listeners".equals(text) && network.isPresent()) {
            // Before the seccomp listener on the same socket: served before the app's first connect.
            try {
                network.get().attach(message.fds());
                verbose.accept("app=" + app + " instance=" + id + " proxy serving " + network.get().proxyListeners());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "app=" + app + " instance=" + id + " cannot serve the proxy's sockets: "
                        + e.getMessage() + "; every outbound connect is refused");
            }
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "app=" + app + " instance=" + id + " unexpected control message \""
                + text + "\" with " + message.fds().size() + " fds: ignored");
        message.close();
    }

    @Override
    public void line(String line) {
        HelperEvent e = HelperEvent.parse(line);
        if (e instanceof HelperEvent.Error err) {
            if (error == null) error = err;
        } else if (e instanceof HelperEvent.Exit x) {
            appExit = x;
        } else if (e instanceof HelperEvent.LandlockStatus l) {
            landlock = l;
        } else if (e instanceof HelperEvent.Exec) {
            started();
        }
        verbose.accept("app=" + app + " instance=" + id + " helper: " + line);
    }

    @Override
    public void ended(Wait.Status helperStatus) {
        synchronized (signalFd) {
            signalFd.close();
        }
        // Normally closed already on the listener's hang-up, when the filter's last task died.
        if (seccompRegistration != null) seccompRegistration.close();
        network.ifPresent(InstanceNetwork::close);
        synchronized (this) {
            ended = true;
            timers.forEach(t -> t.cancel(false));
            if (cpuCheck != null) cpuCheck.cancel(false);
        }
        RunResult result = null;
        RuntimeException failed = null;
        try {
            boolean killedMark = cgroup.map(CgroupHandle::killedMark).orElse(false);
            result = result(helperStatus, finishCgroup(), killedMark);
            result = result.withEnding(ending(result, killedMark));
            if (network.isPresent()) result = result.withNetwork(network.get().totals());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "app=" + app + " instance=" + id + " cannot build the result: " + e);
            failed = e;
        } finally {
            try {
                release.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "app=" + app + " instance=" + id + " cleanup failed: " + e.getMessage());
            }
        }
        // Complete off the monitor thread: callers' continuations must not stall supervision. Never
        // leave onExit() pending: a caller blocked on it would wait forever.
        RunResult r = result;
        RuntimeException f = failed;
        CompletableFuture.runAsync(() -> {
            if (f != null) exit.completeExceptionally(f);
            else exit.complete(r);
        });
    }

    /**
     * The helper is gone, and with it init and the pid namespace; ends whatever is still exiting in
     * the cgroup, then reads the final figures and removes the cgroup.
     */
    private Optional<CgroupStats> finishCgroup() {
        if (cgroup.isEmpty()) return Optional.empty();
        CgroupHandle h = cgroup.get();
        Optional<CgroupStats> usage = Optional.empty();
        try {
            // A frozen instance killed from outside must thaw to die (v1 freezes to kill).
            if (h.events().frozen()) h.thaw();
            h.killAll();
            usage = Optional.of(h.stats());
        } catch (CgroupException e) {
            LOG.log(System.Logger.Level.WARNING, "app=" + app + " instance=" + id + " cgroup: " + e.getMessage());
        } finally {
            try {
                h.close();
            } catch (CgroupException e) {
                LOG.log(System.Logger.Level.WARNING, "app=" + app + " instance=" + id + " cgroup left behind: "
                        + e.getMessage() + "; sandbox-run gc removes it");
            }
        }
        return usage;
    }

    /** @param killedMark whether {@code sandbox-run kill} said it killed the instance */
    private RunResult result(Wait.Status helperStatus, Optional<CgroupStats> usage, boolean killedMark) {
        Duration wall = Duration.ofNanos(System.nanoTime() - startNanos);
        List<Protection> protections = new ProtectionsBuilder(launchProtections).landlock(landlock).build();
        HelperEvent.Error err = error;
        if (err != null) {
            int code = helperStatus.signalled() ? ExitCodes.SETUP_FAILED : helperStatus.code();
            if (code != ExitCodes.NOT_EXECUTABLE && code != ExitCodes.NOT_FOUND) code = ExitCodes.SETUP_FAILED;
            String msg = failures.message(err) + limitHint(err);
            return new RunResult(app, id, code, Optional.empty(), Optional.empty(), false, wall, protections, denials(), learned(),
                    usage, Optional.of(new SetupFailure(err.stage(), err.step(), err.errno(), msg)));
        }
        HelperEvent.Exit x = appExit;
        if (x != null && x.signal() != null) {
            return new RunResult(app, id, ExitCodes.SIGNAL_BASE + x.signal(), Optional.empty(), Optional.of(x.signal()),
                    x.core(), wall, protections, denials(), learned(), usage, Optional.empty());
        }
        if (x != null && x.code() != null) {
            return new RunResult(app, id, x.code(), Optional.of(x.code()), Optional.empty(), false, wall, protections, denials(), learned(),
                    usage, Optional.empty());
        }
        // No report from init: the helper itself was killed. By this instance (kill(), a stop, the
        // launcher's own end) or sandbox-run kill, that is how the app ended; by anything else, its
        // supervisor died and the app's own end is unknown.
        if (helperStatus.signalled() && !killSent && !killedMark) {
            String msg = HelperFailures.supervisorKilled(app, pid, helperStatus.signal(),
                    usage.map(CgroupStats::oomKills).orElse(null));
            return new RunResult(app, id, ExitCodes.SETUP_FAILED, Optional.empty(), Optional.empty(), false, wall,
                    protections, denials(), learned(), usage, Optional.of(new SetupFailure("outer", "supervisor", 0, msg)))
                    .withEnding(Ending.of(Ending.Reason.SUPERVISOR_DIED));
        }
        if (helperStatus.signalled()) {
            return new RunResult(app, id, ExitCodes.SIGNAL_BASE + helperStatus.signal(), Optional.empty(),
                    Optional.of(helperStatus.signal()), false, wall, protections, denials(), learned(), usage, Optional.empty());
        }
        String msg = "cannot set up sandbox for app \"" + app + "\": sandbox-init exited with status "
                + helperStatus.code() + " without a report";
        return new RunResult(app, id, ExitCodes.SETUP_FAILED, Optional.empty(), Optional.empty(), false, wall,
                protections, denials(), learned(), usage, Optional.of(new SetupFailure("outer", "unknown", 0, msg)));
    }

    /** What a failed fork most likely hit: a process would be refused with EAGAIN at a pids limit. */
    private static String limitHint(HelperEvent.Error err) {
        boolean fork = err.step().equals("fork") || err.step().equals("clone");
        return fork && err.errno() == Errno.EAGAIN ? "; the kernel refused a new process: the app's pids limit"
                + " (--pids, limits.pids or instance-limits.pids, the app's own processes and threads) or the host's"
                + " process limit is reached" : "";
    }

    /**
     * How it ended: a kill or a stop the runtime made, else as the result's own fields read. When
     * init reported the app's own end, no SIGKILL of ours ended it (the helper's death takes init
     * before it can report): a kill or an escalation that raced that end changed nothing.
     */
    private synchronized Ending ending(RunResult r, boolean killedMark) {
        Ending own = r.ending();
        if (own.reason() == Ending.Reason.SETUP_FAILURE || own.reason() == Ending.Reason.SUPERVISOR_DIED) return own;
        boolean ownEnd = appExit != null;
        boolean escalated = stop != null && stop.escalated() && !ownEnd;
        if ((killedByCaller && !ownEnd) || killedMark) return new Ending(Ending.Reason.KILLED, null, escalated);
        if (stop != null && stop.reason() != null) return new Ending(stop.reason(), stop.limit(), escalated);
        if (escalated) return new Ending(Ending.Reason.STOP_TIMEOUT, Durations.word(lifetime.stopTimeout()), true);
        if (own.reason() == Ending.Reason.OOM) return new Ending(Ending.Reason.OOM, lifetime.memoryLimit(), false);
        return own;
    }

    private List<String> learned() {
        return learnedLog.get();
    }

    private List<io.sandboxrun.core.launch.Denial> denials() {
        return denialLog.snapshot();
    }
}
