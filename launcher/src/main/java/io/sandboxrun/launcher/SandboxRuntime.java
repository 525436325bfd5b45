package io.sandboxrun.launcher;

import io.sandboxrun.cgroup.CgroupHandle;
import io.sandboxrun.core.helper.FsPlan;
import io.sandboxrun.core.helper.HelperBinary;
import io.sandboxrun.core.helper.HelperPlan;
import io.sandboxrun.core.host.Availability;
import io.sandboxrun.core.host.HostFeatures;
import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.Protection;
import io.sandboxrun.core.launch.SandboxException;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.linux.Fd;
import io.sandboxrun.core.linux.Ids;
import io.sandboxrun.core.linux.Pidfd;
import io.sandboxrun.core.linux.Terminal;
import io.sandboxrun.core.notify.NotificationLoop;
import io.sandboxrun.seccomp.compile.CompileOptions;
import io.sandboxrun.core.linux.SyscallException;
import io.sandboxrun.core.policy.NetworkPolicy;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.net.InstanceNetwork;
import io.sandboxrun.fs.MountSyscalls;
import io.sandboxrun.fs.SandboxEnv;
import io.sandboxrun.fs.TmpSpace;
import io.sandboxrun.fs.WhitelistPlanner;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The composition root: turns a {@link LaunchSpec} into a running sandbox. One per JVM,
 * thread-safe; launches many instances at once and supervises them all with one thread.
 */
public final class SandboxRuntime implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SandboxRuntime.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HelperSpawner spawner;
    private final Monitor monitor = new Monitor();
    private final Deadlines deadlines = new Deadlines();
    private final TmpSpace tmpSpaces;
    private final WhitelistPlanner planner = WhitelistPlanner.system();
    private final Consumer<String> verbose;
    private final Consumer<String> warn;
    private final CgroupSetup cgroups;
    private final NetworkSetup network = new NetworkSetup();
    private final Set<SandboxInstance> live = ConcurrentHashMap.newKeySet();
    /** State dirs whose unused writable spaces (a killed launcher's) were unmounted. */
    private final Set<Path> reclaimed = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private NotificationLoop notifications;

    private SandboxRuntime(Path helper, Consumer<String> verbose, Consumer<String> warn) {
        this.spawner = new HelperSpawner(helper);
        this.verbose = verbose;
        this.warn = warn;
        this.tmpSpaces = new TmpSpace(MountSyscalls.system());
        this.cgroups = CgroupSetup.system(driver -> Recovery.reap(driver, verbose));
    }

    /**
     * A runtime using the helper found by {@link #defaultHelper()}; {@code verbose} gets debug
     * lines, {@code warn} what a user must hear about (a limit this host cannot enforce).
     */
    public static SandboxRuntime create(Consumer<String> verbose, Consumer<String> warn) {
        requireRoot();
        return new SandboxRuntime(HelperBinary.locate(defaultHelper()), verbose, warn);
    }

    /** A runtime whose warnings go to the {@code System.Logger} at WARNING. */
    public static SandboxRuntime create(Consumer<String> verbose) {
        return create(verbose, line -> LOG.log(System.Logger.Level.WARNING, line));
    }

    public static SandboxRuntime create() {
        return create(line -> { });
    }

    /** {@code <dist>/libexec/sandbox-init} next to the {@code lib/} directory holding this class's jar. */
    public static Path defaultHelper() {
        try {
            Path jar = Path.of(SandboxRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path lib = jar.getParent();
            return lib == null || lib.getParent() == null ? null : lib.getParent().resolve("libexec/sandbox-init");
        } catch (Exception e) {
            return null;   // no code source (e.g. custom class loader): only an explicit setting works
        }
    }

    /** Registers how {@code doctor} and the tests check the cgroup controllers (the driver lives here, not in core). */
    public static void registerCgroupProbe() {
        HostFeatures.setCgroupProbe(() -> {
            try {
                java.util.Set<String> have = io.sandboxrun.cgroup.Cgroups.detect(null).limitControllers();
                List<String> missing = java.util.stream.Stream.of("memory", "cpu", "pids")
                        .filter(c -> !have.contains(c)).toList();
                return missing.isEmpty() ? Availability.available("controllers " + String.join(",", have))
                        : Availability.unavailable("no " + String.join(", ", missing) + " controller for instance cgroups"
                                + " (have: " + (have.isEmpty() ? "none" : String.join(",", have)) + ")");
            } catch (io.sandboxrun.cgroup.CgroupException e) {
                return Availability.unavailable(e.getMessage());
            }
        });
    }

    /** Registers how {@code doctor} checks the helper: where the distribution installs it. */
    public static void registerHelperProbe() {
        HostFeatures.setHelperProbe(() -> {
            try {
                return Availability.available(HelperBinary.locate(defaultHelper()).toString());
            } catch (SandboxException e) {
                return Availability.unavailable(e.getMessage());
            }
        });
    }

    private static void requireRoot() {
        if (Ids.euid() != 0) {
            throw new SetupException("launcher-root", "sandbox-run must run as root (uid 0) to map the sandbox's user"
                    + " namespace to unprivileged host ids and to mount its writable space; it runs as uid "
                    + Ids.euid(), ExitCodes.SETUP_FAILED);
        }
    }

    /**
     * Launches one instance. Everything that can be checked is checked before the first side
     * effect; what is created before a failure is removed again.
     *
     * @throws SetupException (exit 125, or 127 when the command is not found)
     */
    public Instance launch(LaunchSpec spec) {
        if (closed) throw new IllegalStateException("runtime is closed");
        long start = System.nanoTime();
        Policy policy = spec.policy();
        String id = policy.app() + "-" + HexFormat.of().formatHex(RANDOM.generateSeed(4));
        try (Rollback undo = new Rollback()) {
            // First, so that a required limit this host lacks fails before anything else is made;
            // the first use of a cgroup root also reaps what a killed launcher left there.
            CgroupSetup.Prepared cgroup = cgroups.prepare(policy, id, undo, warn);
            if (reclaimed.add(policy.stateDir())) {
                Recovery.reclaimSpaces(tmpSpaces, policy.stateDir(), verbose);
                Recovery.reclaimSockets(policy.stateDir(), verbose);
            }
            TmpSpace.Lease lease = tmpSpaces.acquire(policy);
            undo.onFailure(lease::close);
            // A terminal passed through gets a fresh devpts inside, so the app can open ptys of its own.
            boolean tty = spec.stdin() instanceof Stdio.Inherit && Terminal.isatty(0);
            WhitelistPlanner.WhitelistPlan whitelist = planner.planDetailed(policy, lease.hostDir(), lease.insidePath(), tty);
            FsPlan fs = whitelist.fsPlan();
            List<Path> procsFiles = cgroup.handle().map(CgroupHandle::procsFiles).orElse(List.of());
            List<Stdio> stdio = List.of(spec.stdin(), spec.stdout(), spec.stderr());
            FdLayout layout = FdLayout.of(stdio, policy.listen().size(), procsFiles.size());
            // With the proxy every connect is notified: the launcher sends allowed TCP to the proxy and
            // refuses the rest. Without it (outbound: none) the empty network namespace holds alone.
            boolean proxy = policy.network().outbound() == NetworkPolicy.Outbound.PROXY;
            SeccompSetup.Prepared seccomp = SeccompSetup.prepare(policy, whitelist.command(), spec.learnSeccomp(),
                    layout.control(), proxy);
            Optional<InstanceNetwork> net = proxy ? Optional.of(network.prepare(policy, id, warn)) : Optional.empty();
            net.ifPresent(n -> undo.onFailure(n::close));
            List<ListenSockets.Opened> listen = ListenSockets.open(policy.listen(), policy.stateDir(), policy.app(), id,
                    verbose);
            undo.onFailure(() -> ListenSockets.close(listen));
            boolean listener = seccomp.filter().needsListener();
            HelperPlan plan = PlanBuilder.build(policy, fs, SandboxEnv.build(policy, lease.home(), "/tmp"), layout,
                    listener, proxy, Ids.pid());
            HelperSpawner.Started helper = spawner.start(layout, new HelperSpawner.Inputs(id, stdio,
                    listen.stream().map(ListenSockets.Opened::fd).toList(), plan, seccomp.filter().program(), procsFiles,
                    listener), undo);
            Fd pidfd = Pidfd.open(helper.pid());
            undo.onFailure(pidfd::close);
            Fd signalFd = Pidfd.open(helper.pid());
            undo.onFailure(signalFd::close);
            var self = new java.util.concurrent.atomic.AtomicReference<SandboxInstance>();
            DenialLog denials = new DenialLog();
            SeccompSupervisor supervisor = new SeccompSupervisor(seccomp.filter().rules(), seccomp.options().mode(),
                    denials, net.map(InstanceNetwork::connectHandler).orElse(null),
                    line -> verbose.accept("app=" + policy.app() + " instance=" + id + " " + line));
            List<Protection> protections = new ProtectionsBuilder().namespaces(plan.namespaces()).filesystem()
                    .identity(plan.uid(), plan.hostIdBase()).network(policy.network()).seccomp(seccomp)
                    .cgroups(cgroup.protections()).build();
            SandboxInstance instance = new SandboxInstance(new SandboxInstance.Parts(policy.app(), id, helper.pid(),
                    signalFd, start, protections, listen.stream().map(ListenSockets.Opened::describe).toList(),
                    denials, cgroup.handle(), net, helper.streams(), () -> {
                        // Runs before onExit() completes: a caller that saw the result sees it all released.
                        live.remove(self.get());
                        ListenSockets.close(listen);
                        lease.close();
                    }, verbose, Lifetime.of(policy, cgroup.cpuAccounted()), deadlines,
                    new HelperFailures(policy, whitelist.command())));
            self.set(instance);
            instance.superviseSeccomp(notifications(), supervisor);
            if (seccomp.options().mode() == CompileOptions.Mode.LEARN) instance.learnedFrom(supervisor::learned);
            monitor.watch(helper.pid(), pidfd, helper.log(), helper.control(), instance);
            live.add(instance);   // only once supervised: the monitor now owns everything above
            verbose.accept("app=" + policy.app() + " instance=" + id + " started helper pid=" + helper.pid()
                    + " exec=" + fs.executable());
            undo.commit();
            return instance;
        } catch (SyscallException e) {
            throw new SetupException("launcher", "cannot set up sandbox for app \"" + policy.app() + "\": "
                    + e.getMessage(), e);
        }
    }

    /** The runtime's one notification loop, started with the first filter that needs it. */
    private synchronized NotificationLoop notifications() {
        if (notifications == null) notifications = new NotificationLoop(1);
        return notifications;
    }

    /** Instances launched by this runtime that have not ended. */
    public int liveInstances() { return live.size(); }

    /** Kills every live instance, waits for them, and stops supervising. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (SandboxInstance i : live) i.kill();
        for (SandboxInstance i : List.copyOf(live)) {
            try {
                i.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "instance " + i.id() + " did not end: " + e.getMessage());
            }
        }
        monitor.close();
        deadlines.close();
        synchronized (this) {
            if (notifications != null) notifications.close();
        }
        network.close();
        cgroups.close(warn);
        spawner.close();
    }
}
