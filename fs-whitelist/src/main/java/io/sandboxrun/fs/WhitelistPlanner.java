package io.sandboxrun.fs;

import io.sandboxrun.core.helper.FsPlan;
import io.sandboxrun.core.helper.LandlockRule;
import io.sandboxrun.core.helper.MountOp;
import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.policy.AppRootAccess;
import io.sandboxrun.core.policy.Policy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Turns a policy into the mount plan and the Landlock rules of one instance. {@link #plan} reads
 * the host (layout, command discovery); {@link #assemble} is the pure part, a function of the
 * policy and those facts, so tests check plans from literal data.
 *
 * <p>Order of the ops: runtime (/usr, usr-merge links, ld.so.cache); extra read-only binds
 * (policy roBinds and what discovery found, sorted, nested ones dropped); /etc; /app; the writable
 * space and /tmp; /proc; a minimal /dev with its own /dev/shm; then /dev and / remounted read-only.
 */
public final class WhitelistPlanner {
    /** Size of the /dev tmpfs: it only holds mount points and links. */
    public static final long DEV_SIZE = 64 * 1024;
    static final int DEV_MODE = 0755;
    /** Device nodes bound from the host: the harmless ones every libc and runtime expects. */
    public static final List<String> DEVICES = List.of("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom");
    /** POSIX shared memory and semaphores (shm_open, sem_open): a tmpfs of the instance, capped by shm-size. */
    public static final String SHM_DIR = "/dev/shm";
    /** Sticky and open to all, as every libc expects of /dev/shm. */
    static final int SHM_MODE = 01777;
    /**
     * Where the app may write, all noexec, as {@link #assemble} mounts them: /tmp and the writable
     * space (binds of the {@link TmpSpace} tmpfs, mounted noexec) and /dev/shm (a plan tmpfs, which
     * sandbox-init mounts noexec). Nothing there can be executed.
     */
    public static final List<String> NOEXEC_DIRS = List.of("/tmp", TmpSpace.INSIDE_ROOT, SHM_DIR);

    private final HostFs fs;
    private final CommandResolver resolver;

    public WhitelistPlanner(HostFs fs, CommandResolver resolver) {
        this.fs = fs;
        this.resolver = resolver;
    }

    /** Planner over the real host, asking the real dynamic loader. */
    public static WhitelistPlanner system() {
        HostFs fs = HostFs.system();
        return new WhitelistPlanner(fs, new CommandResolver(fs, ProcessRunner.system()));
    }

    /** What {@link #planDetailed} decided: the plan, and how the command was found. */
    public record WhitelistPlan(FsPlan fsPlan, CommandResolution command, HostLayout layout) {}

    /**
     * The plan for one instance.
     *
     * @param hostTmpDir   the app's writable space on the host ({@link TmpSpace.Lease#hostDir()})
     * @param insideTmpDir where it appears inside ({@link TmpSpace#insidePath}); also HOME
     * @param tty          whether the app's stdio is a terminal (adds /dev/pts)
     * @throws CommandNotFoundException when the command is not there (exit 127)
     * @throws SetupException for a pyenv shim (126), a roBind that is missing or forbidden, an app
     *                        root the app's uid cannot enter (125)
     */
    public FsPlan plan(Policy policy, Path hostTmpDir, String insideTmpDir, boolean tty) {
        return planDetailed(policy, hostTmpDir, insideTmpDir, tty).fsPlan();
    }

    /** As {@link #plan}, also returning the command's resolution (status NOT_EXECUTABLE means exit 126). */
    public WhitelistPlan planDetailed(Policy policy, Path hostTmpDir, String insideTmpDir, boolean tty) {
        for (Path p : policy.roBinds()) {
            if (fs.kind(p.toString()) == HostFs.Kind.MISSING) {
                throw new SetupException(FsSteps.FS_PLAN, "roBinds: \"" + p + "\" does not exist on the host", ExitCodes.SETUP_FAILED);
            }
        }
        // Whatever made the policy: one built in code need not have been resolved. The resolver's check
        // came first for the CLI's; this one costs a stat.
        String closed = AppRootAccess.check(fs.hostPath(policy.appRoot().toString()), policy.user());
        if (closed != null) {
            throw new SetupException(FsSteps.FS_PLAN, "cannot set up sandbox for app \"" + policy.app() + "\": app-root: "
                    + closed, ExitCodes.SETUP_FAILED);
        }
        HostLayout layout = HostLayout.read(fs);
        CommandResolution cmd = resolver.resolve(policy, fixedOps(policy, layout, insideTmpDir));
        return new WhitelistPlan(assemble(policy, layout, cmd, hostTmpDir, insideTmpDir, tty), cmd, layout);
    }

    /**
     * The pure part: the plan from the policy, the host layout and the command's resolution.
     *
     * @throws SetupException when an extra bind may not be made (exit 125)
     */
    public static FsPlan assemble(Policy policy, HostLayout layout, CommandResolution cmd, Path hostTmpDir,
                                  String insideTmpDir, boolean tty) {
        List<MountOp> ops = new ArrayList<>(runtimeOps(layout));
        List<String> extra = new ArrayList<>(cmd.binds());
        for (Path p : policy.roBinds()) extra.add(PathNames.normalize(p.toString()));
        ops.addAll(extraBinds(extra, layout, policy));
        ops.addAll(EtcFiles.ops(policy, layout, insideTmpDir));
        ops.add(new MountOp.BindRo(policy.appRoot().toString(), Policy.APP_DIR));
        ops.add(new MountOp.BindRw(hostTmpDir.toString(), insideTmpDir));
        ops.add(new MountOp.BindRw(hostTmpDir.resolve(TmpSpace.TMP_SUBDIR).toString(), "/tmp"));
        ops.add(new MountOp.Proc("/proc"));
        ops.addAll(devOps(policy.shmSize(), tty));
        // /dev last-but-one: its links and mount points are in place; the device binds and
        // /dev/shm below it are separate mounts and stay writable
        ops.add(new MountOp.RemountRo("/dev"));
        ops.add(new MountOp.RemountRo("/"));
        return new FsPlan(ops, landlockRules(ops), Policy.APP_DIR, cmd.executable());
    }

    /** The ops that do not depend on the command: what the command is resolved against. */
    static List<MountOp> fixedOps(Policy policy, HostLayout layout, String insideTmpDir) {
        List<MountOp> ops = new ArrayList<>(runtimeOps(layout));
        List<String> ro = new ArrayList<>();
        for (Path p : policy.roBinds()) ro.add(PathNames.normalize(p.toString()));
        ops.addAll(extraBinds(ro, layout, policy));
        ops.addAll(EtcFiles.ops(policy, layout, insideTmpDir));
        ops.add(new MountOp.BindRo(policy.appRoot().toString(), Policy.APP_DIR));
        return ops;
    }

    /** /usr, then /bin /sbin /lib /lib64 as the host has them, then the loader's cache. */
    static List<MountOp> runtimeOps(HostLayout layout) {
        List<MountOp> ops = new ArrayList<>();
        ops.add(new MountOp.BindRo("/usr", "/usr"));
        for (String p : HostLayout.RUNTIME_LINKS) {
            HostLayout.Entry e = layout.get(p);
            switch (e.kind()) {
                case SYMLINK -> {
                    if (e.realPath() != null && PathNames.isUnder(e.realPath(), "/usr")) ops.add(new MountOp.Symlink(e.linkText(), p));
                    else if (e.realPath() != null) ops.add(new MountOp.BindRo(p, p));
                }
                case DIR -> ops.add(new MountOp.BindRo(p, p));
                default -> { }
            }
        }
        MountOp cache = EtcFiles.shared(HostLayout.LD_SO_CACHE, layout.get(HostLayout.LD_SO_CACHE));
        if (cache != null) ops.add(cache);
        return ops;
    }

    /**
     * Read-only binds at the same path, sorted; a path already visible through /usr, a runtime
     * link or a shorter path of the list is dropped.
     */
    static List<MountOp> extraBinds(List<String> paths, HostLayout layout, Policy policy) {
        String stateDir = policy.stateDir() == null ? null : policy.stateDir().toString();
        List<String> covering = new ArrayList<>(List.of("/usr"));
        for (String p : HostLayout.RUNTIME_LINKS) if (layout.get(p).kind() == HostFs.Kind.DIR) covering.add(p);
        List<MountOp> ops = new ArrayList<>();
        for (String p : new TreeSet<>(paths)) {
            ReservedPaths.checkBind(p, "roBinds", stateDir);
            String seen = throughRuntimeLinks(p, layout);
            if (covering.stream().anyMatch(c -> PathNames.isUnder(seen, c) || PathNames.isUnder(p, c))) continue;
            covering.add(p);
            ops.add(new MountOp.BindRo(p, p));
        }
        return ops;
    }

    /** {@code /lib/x86_64-linux-gnu} is {@code /usr/lib/x86_64-linux-gnu} inside when /lib links to usr/lib. */
    static String throughRuntimeLinks(String path, HostLayout layout) {
        for (String link : HostLayout.RUNTIME_LINKS) {
            HostLayout.Entry e = layout.get(link);
            if (e.kind() == HostFs.Kind.SYMLINK && e.realPath() != null && PathNames.isUnder(path, link)) {
                return PathNames.normalize(e.realPath() + path.substring(link.length()));
            }
        }
        return path;
    }

    /** tmpfs /dev, the harmless devices, the fd links, /dev/shm, and a devpts instance for a terminal. */
    static List<MountOp> devOps(long shmSize, boolean tty) {
        List<MountOp> ops = new ArrayList<>();
        ops.add(new MountOp.Tmpfs("/dev", DEV_SIZE, DEV_MODE));
        for (String d : DEVICES) ops.add(new MountOp.BindDev(d, d));
        ops.add(new MountOp.Symlink("/proc/self/fd", "/dev/fd"));
        ops.add(new MountOp.Symlink("/proc/self/fd/0", "/dev/stdin"));
        ops.add(new MountOp.Symlink("/proc/self/fd/1", "/dev/stdout"));
        ops.add(new MountOp.Symlink("/proc/self/fd/2", "/dev/stderr"));
        ops.add(new MountOp.Tmpfs(SHM_DIR, shmSize, SHM_MODE));
        if (tty) ops.add(new MountOp.Devpts("/dev/pts"));
        return ops;
    }

    /**
     * One rule per mount, by kind: ro for read-only binds, /etc (generated files) and /proc; rw for
     * the writable binds and a tmpfs that is not remounted read-only (/dev/shm); dev for devices
     * and devpts. Never a rule on {@code /}; a rule inside a path that already has a rule of the
     * same access is dropped.
     */
    static List<LandlockRule> landlockRules(List<MountOp> ops) {
        List<LandlockRule> rules = new ArrayList<>();
        for (MountOp op : ops) {
            LandlockRule r;
            if (op instanceof MountOp.BindRo b) r = new LandlockRule(LandlockRule.Access.RO, b.target());
            else if (op instanceof MountOp.BindRw b) r = new LandlockRule(LandlockRule.Access.RW, b.target());
            else if (op instanceof MountOp.BindDev b) r = new LandlockRule(LandlockRule.Access.DEV, b.target());
            else if (op instanceof MountOp.Devpts p) r = new LandlockRule(LandlockRule.Access.DEV, p.target());
            else if (op instanceof MountOp.Tmpfs t && !ops.contains(new MountOp.RemountRo(t.target()))) {
                r = new LandlockRule(LandlockRule.Access.RW, t.target());
            }
            else if (op instanceof MountOp.Proc p) r = new LandlockRule(LandlockRule.Access.RO, p.target());
            else if (op instanceof MountOp.File f) r = new LandlockRule(LandlockRule.Access.RO, PathNames.parent(f.target()));
            else continue;
            if (r.path().equals("/")) continue;
            addRule(rules, r);
        }
        return rules;
    }

    private static void addRule(List<LandlockRule> rules, LandlockRule r) {
        for (LandlockRule have : rules) {
            if (have.access() == r.access() && PathNames.isUnder(r.path(), have.path())) return;
        }
        rules.removeIf(have -> have.access() == r.access() && PathNames.isUnder(have.path(), r.path()));
        rules.add(r);
    }
}
