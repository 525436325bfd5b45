package io.sandboxrun.launcher.cli;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.SandboxException;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.linux.Signals;
import io.sandboxrun.core.policy.CgroupValues;
import io.sandboxrun.core.policy.Limits;
import io.sandboxrun.core.policy.NetValues;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.PolicyDefaults;
import io.sandboxrun.core.policy.PolicyException;
import io.sandboxrun.core.policy.PolicyLoader;
import io.sandboxrun.core.policy.PolicyOrigin;
import io.sandboxrun.core.policy.PolicyOverlay;
import io.sandboxrun.core.policy.PolicyResolver;
import io.sandboxrun.core.policy.PolicyValues;
import io.sandboxrun.launcher.ResultJson;
import io.sandboxrun.launcher.SandboxRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sandbox-run [options] -- COMMAND [ARGS]}: run one app instance inside the walls. */
@Command(name = "sandbox-run", mixinStandardHelpOptions = true, version = "sandbox-run 0.1.0",
        subcommands = {DoctorCommand.class, SeccompCommand.class, PsCommand.class, StatsCommand.class,
            InstanceActions.Kill.class, InstanceActions.Freeze.class, InstanceActions.Thaw.class, GcCommand.class},
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SETUP_FAILED,
        description = {"Run COMMAND inside kernel-enforced walls: new user, mount, pid, net, ipc, uts and cgroup"
                + " namespaces; a fresh root holding only the app root (read-only, at /app), the interpreter's"
                + " runtime (read-only) and one size-capped writable space /saetmp/<hash>/<app> (also /tmp);"
                + " an unprivileged uid with no capabilities and no_new_privs; Landlock over the same whitelist."
                + " No network of its own: inbound through the sockets passed in with --listen; outbound, every"
                + " connect() goes through the launcher, whose proxy relays the TCP --allow allows (rate-limited,"
                + " audited) and refuses the rest.",
                "Every option has an embedded default; --policy FILE sets them from YAML or JSON, and options"
                + " override the file."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0-124:the app's own exit code",
            "2:invalid option or policy (nothing was created)",
            "125:the sandbox could not be set up (the message names the step)",
            "126:the command was found but could not be executed",
            "127:the command was not found inside the sandbox",
            "128+N:the app was killed by signal N"},
        footerHeading = "%nExamples:%n",
        footer = {"  sandbox-run --app hello --app-root examples/hello-wsgi --listen 127.0.0.1:8080 -- python3 serve.py",
                  "  sandbox-run --policy sandbox.yaml --result-json result.json",
                  "  sandbox-run doctor"})
public final class RunCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--app", paramLabel = "NAME", description = "App name: [a-z0-9][a-z0-9._-]{0,62} (default: app).")
    String app;

    @Option(names = "--app-root", paramLabel = "DIR", description = "The app's code, mounted read-only at /app,"
            + " the working directory (default: the current directory).")
    String appRoot;

    @Option(names = "--policy", paramLabel = "FILE", description = "App policy, YAML (.yaml/.yml) or JSON (.json).")
    Path policyFile;

    @Option(names = "--tmp-size", paramLabel = "SIZE", description = "Cap of the writable space, e.g. 64M (default: 64M).")
    String tmpSize;

    @Option(names = "--env", paramLabel = "K=V", description = "Set a variable for the app (repeatable). The app"
            + " gets only PATH, HOME, LANG, TMPDIR, USER, LOGNAME and these, never the launcher's own environment.")
    List<String> env = new ArrayList<>();

    @Option(names = "--listen", paramLabel = "ADDR", description = "Open a listening socket on the host and pass it"
            + " as fd 3, 4, ... with LISTEN_FDS/LISTEN_PID: HOST:PORT, [V6]:PORT or unix:/PATH (repeatable).")
    List<String> listen = new ArrayList<>();

    @Option(names = "--landlock", paramLabel = "MODE", description = "off, best-effort or required (default: best-effort).")
    String landlock;

    @Option(names = "--hostname", paramLabel = "NAME", description = "Host name inside (default: sandbox).")
    String hostname;

    @Option(names = "--ro-bind", paramLabel = "PATH", description = "Also show this host path, read-only, at the same path (repeatable).")
    List<String> roBinds = new ArrayList<>();

    @Option(names = "--seccomp", paramLabel = "PROFILE", description = "Seccomp profile: auto (python for python"
            + " interpreters, default otherwise), default, python, strict, or an OCI/Docker JSON profile file.")
    String seccomp;

    @Option(names = "--learn-seccomp", paramLabel = "OUT.json", description = "Learning mode: run with every syscall"
            + " allowed but recorded, then write a minimal allowlist profile (OCI JSON) that makes this run pass under"
            + " enforcement (use it with --seccomp OUT.json).")
    Path learnSeccomp;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Host directory for the runtime's state, such as"
            + " the apps' writable spaces (default: /run/sandbox-run).")
    String stateDir;

    @Option(names = "--cgroup", paramLabel = "MODE", description = "off, best-effort or required: whether instances"
            + " run in cgroups, and whether a limit the host cannot enforce is a warning or an error before the app"
            + " starts (default: best-effort).")
    String cgroup;

    @Option(names = "--cgroup-root", paramLabel = "PATH", description = "Absolute cgroup path to create the apps'"
            + " cgroups under, the same in every hierarchy, e.g. /sandbox-run (default: a sandbox-run child of the"
            + " launcher's own cgroup).")
    String cgroupRoot;

    @Option(names = "--memory", paramLabel = "SIZE", description = "Memory limit of the app, shared by its instances,"
            + " without swap: 1M to 1024G (e.g. 256M), or max (default: none). Per-instance limits are set by"
            + " instance-limits in the policy file.")
    String memory;

    @Option(names = "--memory-high", paramLabel = "SIZE", description = "Soft memory limit of the app: above it the"
            + " kernel reclaims and throttles (cgroup v2 only); 1M to 1024G, or max (default: none).")
    String memoryHigh;

    @Option(names = "--cpus", paramLabel = "N", description = "CPU time of the app per second, in CPUs: 0.01 to 1024"
            + " (e.g. 0.5), or max (default: none).")
    String cpus;

    @Option(names = "--cpu-weight", paramLabel = "N", description = "CPU share of the app when CPUs are contended:"
            + " 1 to 10000 (default: none, the kernel's 100).")
    String cpuWeight;

    @Option(names = "--pids", paramLabel = "N", description = "Most processes and threads of the app at once: 1 to"
            + " 4194304, or max (default: 1024).")
    String pids;

    @Option(names = "--io-max", paramLabel = "DEV:KEY=V[,KEY=V]", description = "Throttle the app on a block device"
            + " (repeatable; replaces the policy file's io list): DEV is MAJOR:MINOR or a /dev path, KEY rbps or"
            + " wbps (bytes per second, e.g. 10M), riops or wiops (operations per second), a value may be max;"
            + " e.g. 8:0:wbps=10M,riops=100 or /dev/sda:rbps=1M (default: none).")
    List<String> ioMax = new ArrayList<>();

    @Option(names = "--outbound", paramLabel = "MODE", description = "proxy: every connect() goes through the"
            + " launcher, which relays what --allow allows and refuses the rest (default); none: no proxy, nothing"
            + " leaves the sandbox's empty network namespace and connects cost nothing extra (no --allow, no"
            + " --audit-log then).")
    String outbound;

    @Option(names = "--allow", paramLabel = "RULE", description = "Allow outbound TCP (repeatable; any --allow"
            + " replaces the policy file's allow list): tcp:CIDR[:PORT|:LOW-HIGH], IPv6 in brackets (e.g."
            + " tcp:10.0.0.0/8:443, tcp:[2001:db8::]/32:8000-8100, tcp:203.0.113.7), or host:NAME[:PORT|:LOW-HIGH]"
            + " for the addresses NAME resolves to, *.NAME for any name below it (e.g. host:api.example.com:443,"
            + " host:*.example.com); no port: every port. Default: none, every connection is refused. The host's"
            + " loopback, link-local (with the cloud metadata address 169.254.169.254) and private ranges are refused"
            + " even under a wildcard (host:*.NAME, tcp:0.0.0.0/0) unless a rule names them explicitly: a tcp rule"
            + " whose CIDR lies inside the range.")
    List<String> allow = new ArrayList<>();

    @Option(names = "--dns-upstream", paramLabel = "ADDR", description = "Resolver the sandbox's DNS forwards to:"
            + " IP[:PORT] or [IPv6][:PORT], port 53 when left out (repeatable; replaces the policy file's list;"
            + " default: the host's, from its /etc/resolv.conf).")
    List<String> dnsUpstream = new ArrayList<>();

    @Option(names = "--dns-any-name", description = "Answer DNS queries for any name (default: only names a host"
            + " rule allows; others get REFUSED). The addresses still need a rule to be reached.")
    boolean dnsAnyName;

    @Option(names = "--net-rate", paramLabel = "N", description = "New outbound connections per second of the app,"
            + " shared by its instances: 1 to 100000 (default: 20).")
    String netRate;

    @Option(names = "--net-burst", paramLabel = "N", description = "Connections the app may open at once after a"
            + " quiet spell, beyond --net-rate: 1 to 100000 (default: 40).")
    String netBurst;

    @Option(names = "--net-over-limit", paramLabel = "ACTION", description = "What a connection beyond the rate"
            + " gets: refuse (ECONNREFUSED at once) or delay (connect() returns at once and the proxy dials out when"
            + " its turn comes, at most a second later; beyond a second: refused) (default: refuse).")
    String netOverLimit;

    @Option(names = "--net-concurrent", paramLabel = "N", description = "Open outbound connections of the app at"
            + " once; more are refused: 1 to 65536 (default: 256).")
    String netConcurrent;

    @Option(names = "--bandwidth-in", paramLabel = "RATE", description = "Bytes per second towards the app over its"
            + " outbound connections, with K, M or G (e.g. 1M), or unlimited (or 0) (default: 10M, i.e. 10 MiB/s).")
    String bandwidthIn;

    @Option(names = "--bandwidth-out", paramLabel = "RATE", description = "Bytes per second from the app over its"
            + " outbound connections, with K, M or G (e.g. 1M), or unlimited (or 0) (default: 10M, i.e. 10 MiB/s).")
    String bandwidthOut;

    @Option(names = "--audit-log", paramLabel = "FILE", description = "Append one JSON line per connection decision,"
            + " per closed connection (bytes each way, duration) and per DNS query to FILE (default: none).")
    String auditLog;

    @Option(names = "--result-json", paramLabel = "FILE", description = "Write how the run ended as JSON.")
    Path resultJson;

    @Option(names = {"-v", "--verbose"}, description = "Log what the launcher and the helper do, on stderr.")
    boolean verbose;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command and its arguments, after --.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Policy policy;
        try {
            policy = resolvePolicy();
        } catch (PolicyException e) {
            err.println("sandbox-run: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        return run(policy, err);
    }

    /** The policy this command line asks for: defaults, then the policy file, then the options. */
    Policy resolvePolicy() {
        Path cwd = Path.of("").toAbsolutePath();
        List<PolicyOverlay> overlays = new ArrayList<>();
        if (policyFile != null) overlays.add(PolicyLoader.load(policyFile));
        PolicyOverlay.Builder cli = PolicyOverlay.builder("command line");
        if (app != null) cli.app(PolicyValues.appName("--app", app), PolicyOrigin.option("--app"));
        if (appRoot != null) cli.appRoot(PolicyValues.hostPath("--app-root", appRoot, cwd), PolicyOrigin.option("--app-root"));
        if (tmpSize != null) cli.tmpSize(PolicyValues.tmpSize("--tmp-size", tmpSize), PolicyOrigin.option("--tmp-size"));
        for (String e : env) {
            Map.Entry<String, String> kv = PolicyValues.envEntry("--env", e);
            cli.envVar(kv.getKey(), kv.getValue(), PolicyOrigin.option("--env"));
        }
        for (String l : listen) cli.addListen(PolicyValues.listen("--listen", l), PolicyOrigin.option("--listen"));
        if (landlock != null) cli.landlock(PolicyValues.landlock("--landlock", landlock), PolicyOrigin.option("--landlock"));
        if (hostname != null) cli.hostname(PolicyValues.hostname("--hostname", hostname), PolicyOrigin.option("--hostname"));
        for (String b : roBinds) cli.addRoBind(PolicyValues.hostPath("--ro-bind", b, cwd), PolicyOrigin.option("--ro-bind"));
        if (seccomp != null) cli.seccomp(PolicyValues.seccomp("--seccomp", seccomp, cwd), PolicyOrigin.option("--seccomp"));
        if (stateDir != null) cli.stateDir(PolicyValues.absolutePath("--state-dir", stateDir), PolicyOrigin.option("--state-dir"));
        if (cgroup != null) cli.cgroupMode(CgroupValues.mode("--cgroup", cgroup), PolicyOrigin.option("--cgroup"));
        if (cgroupRoot != null) {
            cli.cgroupRoot(CgroupValues.root("--cgroup-root", cgroupRoot), PolicyOrigin.option("--cgroup-root"));
        }
        limits(cli);
        network(cli, cwd);
        if (!command.isEmpty()) cli.command(PolicyValues.command("COMMAND", command), PolicyOrigin.option("COMMAND"));
        overlays.add(cli.build());
        return PolicyResolver.resolve(PolicyDefaults.embedded(cwd), overlays);
    }

    private void limits(PolicyOverlay.Builder cli) {
        PolicyOverlay.Scope app = PolicyOverlay.Scope.APP;
        Limits none = Limits.none();
        if (memory != null) {
            cli.limits(app, none.withMemory(CgroupValues.memory("--memory", memory)), PolicyOrigin.option("--memory"));
        }
        if (memoryHigh != null) {
            cli.limits(app, none.withMemoryHigh(CgroupValues.memory("--memory-high", memoryHigh)),
                    PolicyOrigin.option("--memory-high"));
        }
        if (cpus != null) cli.limits(app, none.withCpuMillis(CgroupValues.cpus("--cpus", cpus)), PolicyOrigin.option("--cpus"));
        if (cpuWeight != null) {
            cli.limits(app, none.withCpuWeight(CgroupValues.cpuWeight("--cpu-weight", cpuWeight)),
                    PolicyOrigin.option("--cpu-weight"));
        }
        if (pids != null) cli.limits(app, none.withPids(CgroupValues.pids("--pids", pids)), PolicyOrigin.option("--pids"));
        if (!ioMax.isEmpty()) cli.limits(app, none.withIo(List.of()), PolicyOrigin.option("--io-max"));
        for (String io : ioMax) cli.addIo(app, CgroupValues.ioMax("--io-max", io), PolicyOrigin.option("--io-max"));
    }

    private void network(PolicyOverlay.Builder cli, Path cwd) {
        if (outbound != null) cli.outbound(NetValues.outbound("--outbound", outbound), PolicyOrigin.option("--outbound"));
        if (!allow.isEmpty()) cli.allow(List.of(), PolicyOrigin.option("--allow"));
        for (String r : allow) cli.addAllow(NetValues.rule("--allow", r), PolicyOrigin.option("--allow"));
        if (!dnsUpstream.isEmpty()) cli.dnsUpstream(List.of(), PolicyOrigin.option("--dns-upstream"));
        for (String u : dnsUpstream) {
            cli.addDnsUpstream(NetValues.dnsUpstream("--dns-upstream", u), PolicyOrigin.option("--dns-upstream"));
        }
        if (dnsAnyName) cli.dnsAnyName(true, PolicyOrigin.option("--dns-any-name"));
        if (netRate != null) {
            cli.connectionsPerSecond(NetValues.connectionsPerSecond("--net-rate", netRate), PolicyOrigin.option("--net-rate"));
        }
        if (netBurst != null) cli.burst(NetValues.burst("--net-burst", netBurst), PolicyOrigin.option("--net-burst"));
        if (netOverLimit != null) {
            cli.overLimit(NetValues.overLimit("--net-over-limit", netOverLimit), PolicyOrigin.option("--net-over-limit"));
        }
        if (netConcurrent != null) {
            cli.concurrent(NetValues.concurrent("--net-concurrent", netConcurrent), PolicyOrigin.option("--net-concurrent"));
        }
        if (bandwidthIn != null) {
            cli.bandwidthIn(NetValues.bandwidth("--bandwidth-in", bandwidthIn), PolicyOrigin.option("--bandwidth-in"));
        }
        if (bandwidthOut != null) {
            cli.bandwidthOut(NetValues.bandwidth("--bandwidth-out", bandwidthOut), PolicyOrigin.option("--bandwidth-out"));
        }
        if (auditLog != null) cli.auditLog(NetValues.auditLog("--audit-log", auditLog, cwd), PolicyOrigin.option("--audit-log"));
    }

    private int run(Policy policy, PrintWriter err) {
        long start = System.nanoTime();
        SandboxRuntime runtime;
        Instance instance;
        // Installed before the launch: a TERM that arrives while the sandbox starts is held, then forwarded.
        SignalForwarding signals = SignalForwarding.install();
        try {
            runtime = SandboxRuntime.create(verbose ? line -> log(err, line) : line -> { }, line -> log(err, "warning: " + line));
            LaunchSpec launch = LaunchSpec.inheriting(policy);
            instance = runtime.launch(learnSeccomp != null ? launch.learning() : launch);
        } catch (SetupException e) {
            return setupFailed(policy, err, e.step(), e.getMessage(), e.exitCode(), start);
        } catch (SandboxException e) {
            return setupFailed(policy, err, "launcher", e.getMessage(), e.exitCode(), start);
        }
        try {
            signals.attach(instance);
            if (!instance.listening().isEmpty()) {
                log(err, "app " + policy.app() + " listening on " + String.join(", ", instance.listening()));
            }
            RunResult result = instance.onExit().get();
            if (verbose) log(err, "app=" + policy.app() + " instance=" + result.instance() + " exited code="
                    + result.exitCode() + " wall=" + result.wallTime().toMillis() + "ms " + result.protections());
            result.failure().ifPresent(f -> log(err, f.message()));
            if (result.oomKilled()) {
                log(err, "app " + policy.app() + " was killed by the kernel's OOM killer: it reached its memory limit ("
                        + result.usage().map(u -> u.memoryPeak() == null ? "?" : PolicyValues.sizeWord(u.memoryPeak()))
                                .orElse("?") + " at peak)");
            }
            if (verbose) result.denials().forEach(d -> log(err, "seccomp refused " + d.syscall() + " x" + d.count()));
            writeResult(result, err);
            if (learnSeccomp != null && result.failure().isEmpty()) writeLearned(result, err);
            return result.exitCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            instance.kill();
            return ExitCodes.SETUP_FAILED;
        } catch (ExecutionException e) {
            log(err, "supervision failed: " + e.getCause());
            return ExitCodes.SETUP_FAILED;
        } finally {
            runtime.close();
        }
    }

    private int setupFailed(Policy policy, PrintWriter err, String step, String message, int code, long start) {
        log(err, message);
        RunResult r = new RunResult(policy.app(), "-", code, Optional.empty(), Optional.empty(), false,
                Duration.ofNanos(System.nanoTime() - start), List.of(), List.of(), List.of(), Optional.empty(),
                Optional.of(new io.sandboxrun.core.launch.SetupFailure("launcher", step, 0, message)));
        writeResult(r, err);
        return code;
    }

    private void writeLearned(RunResult r, PrintWriter err) {
        try {
            var profile = io.sandboxrun.seccomp.LearnedProfile.of(learnSeccomp.toString(), r.learnedSyscalls());
            java.nio.file.Files.writeString(learnSeccomp, io.sandboxrun.seccomp.ProfileWriter.toJson(profile));
            log(err, "learnt " + r.learnedSyscalls().size() + " syscalls into " + learnSeccomp
                    + "; enforce it with --seccomp " + learnSeccomp);
        } catch (IOException | IllegalArgumentException e) {
            log(err, "cannot write --learn-seccomp " + learnSeccomp + ": " + e.getMessage());
        }
    }

    private void writeResult(RunResult r, PrintWriter err) {
        if (resultJson == null) return;
        try {
            ResultJson.write(r, resultJson);
        } catch (IOException e) {
            log(err, "cannot write --result-json " + resultJson + ": " + e.getMessage());
        }
    }

    private static void log(PrintWriter err, String line) {
        err.println("sandbox-run: " + line);
        err.flush();
    }

    /**
     * Forwards the launcher's own TERM, INT, HUP, USR1 and USR2 to the app (the JVM keeps QUIT for
     * thread dumps). Signals that arrive before the instance exists are held and delivered on attach.
     */
    static final class SignalForwarding {
        private Instance instance;
        private final List<Integer> pending = new ArrayList<>();

        @SuppressWarnings("removal")
        static SignalForwarding install() {
            SignalForwarding f = new SignalForwarding();
            for (String name : List.of("TERM", "INT", "HUP", "USR1", "USR2")) {
                int number = Signals.number(name);
                try {
                    sun.misc.Signal.handle(new sun.misc.Signal(name), s -> f.deliver(number));
                } catch (IllegalArgumentException e) {
                    // The JVM reserves this signal here (e.g. under -Xrs): it cannot be forwarded.
                }
            }
            return f;
        }

        private synchronized void deliver(int signal) {
            if (instance == null) pending.add(signal);
            else instance.signal(signal);
        }

        synchronized void attach(Instance i) {
            instance = i;
            pending.forEach(i::signal);
            pending.clear();
        }
    }
}
