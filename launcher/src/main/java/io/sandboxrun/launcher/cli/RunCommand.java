package io.sandboxrun.launcher.cli;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.SandboxException;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.PolicyException;
import io.sandboxrun.core.policy.PolicyLoader;
import io.sandboxrun.core.policy.PolicyOrigin;
import io.sandboxrun.core.policy.PolicyLayer;
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
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sandbox-run [options] -- COMMAND [ARGS]}: run one app instance inside the walls. */
@Command(name = "sandbox-run", mixinStandardHelpOptions = true, version = "sandbox-run 0.1.0",
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SETUP_FAILED,
        customSynopsis = {"sandbox-run [OPTIONS] -- COMMAND [ARG...]",
                          "       sandbox-run doctor|seccomp|ps|stats|kill|freeze|thaw|gc ..."},
        commandListHeading = "%nCommands:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0-124:the app's own exit code",
            "2:invalid option or policy, such as an app root the app's uid cannot enter (nothing was created)",
            "125:the sandbox could not be set up (the message names the step), or its supervisor was killed",
            "126:the command was found but could not be executed",
            "127:the command was not found inside the sandbox",
            "128+N:the app was killed by signal N"},
        footerHeading = "%nExamples:%n",
        footer = {"  sandbox-run --app-root . -- python3 -c 'print(1)'",
                  "  sandbox-run --app hello --app-root examples/hello-wsgi \\",
                  "      --listen 127.0.0.1:8080 -- python3 serve.py",
                  "  sandbox-run --policy sandbox.yaml --memory 256M \\",
                  "      --allow host:pypi.org:443 --result-json result.json",
                  "  sandbox-run doctor"})
public final class RunCommand implements Callable<Integer> {
    /** The command's description, wrapped at spaces by {@link Main} (picocli would split paths). */
    static final String[] DESCRIPTION = {"Run COMMAND inside kernel-enforced walls: new user, mount, pid, net, ipc, uts"
            + " and cgroup namespaces; a fresh root holding only the app root (read-only, at /app), the interpreter's"
            + " runtime (read-only) and one size-capped writable space /saetmp/<hash>/<app> (also /tmp); an"
            + " unprivileged uid with no capabilities and no_new_privs; Landlock over the same whitelist. No network"
            + " of its own: inbound through the sockets passed in with --listen; outbound, every connect() goes"
            + " through the launcher, whose proxy relays the TCP --allow allows (rate-limited, audited) and refuses"
            + " the rest.",
        "Every setting has an embedded default; --policy FILE sets them from YAML or JSON, and options override the"
            + " file. docs/policy.md lists every setting, its policy key and its option."};

    @Spec CommandSpec spec;

    @Option(names = "--policy", paramLabel = "FILE", description = "App policy, YAML (.yaml/.yml) or JSON (.json).")
    Path policyFile;

    @ArgGroup(validate = false, heading = "%nOutput:%n", order = 10)
    Output output = new Output();

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command and its arguments, after --.")
    List<String> command = new ArrayList<>();

    /** The options about what the run reports. */
    static final class Output {
        @Option(names = "--result-json", paramLabel = "FILE", description = "Write how the run ended as JSON.")
        Path resultJson;

        @Option(names = "--learn-seccomp", paramLabel = "OUT.json", description = {
            "Learning mode: run with every syscall allowed but",
            "recorded, then write a minimal allowlist profile",
            "(OCI JSON) that makes this run pass under",
            "enforcement (use it with --seccomp OUT.json)."})
        Path learnSeccomp;

        @Option(names = {"-v", "--verbose"}, description = "Log what the launcher and the helper do, on stderr.")
        boolean verbose;
    }

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
        List<PolicyLayer> layers = new ArrayList<>();
        if (policyFile != null) layers.add(PolicyLoader.load(policyFile));
        PolicyLayer.Builder cli = PolicyOptions.layer(spec, cwd);
        if (!command.isEmpty()) cli.set("command", PolicyValues.command("COMMAND", command), PolicyOrigin.option("COMMAND"));
        layers.add(cli.build());
        return PolicyResolver.resolve(cwd, layers);
    }

    private int run(Policy policy, PrintWriter err) {
        long start = System.nanoTime();
        SandboxRuntime runtime;
        Instance instance;
        // Installed before the launch: a TERM that arrives while the sandbox starts is held, then forwarded.
        SignalForwarding signals = SignalForwarding.install();
        try {
            runtime = SandboxRuntime.create(output.verbose ? line -> log(err, line) : line -> { }, line -> log(err, "warning: " + line));
            LaunchSpec launch = LaunchSpec.inheriting(policy);
            instance = runtime.launch(output.learnSeccomp != null ? launch.learning() : launch);
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
            if (output.verbose) log(err, "app=" + policy.app() + " instance=" + result.instance() + " exited code="
                    + result.exitCode() + " wall=" + result.wallTime().toMillis() + "ms " + result.protections());
            result.failure().ifPresent(f -> log(err, f.message()));
            Endings.describe(policy, result).forEach(line -> log(err, line));
            if (output.verbose) result.denials().forEach(d -> log(err, "seccomp refused " + d.syscall() + " x" + d.count()));
            writeResult(result, err);
            if (output.learnSeccomp != null && result.failure().isEmpty()) writeLearned(result, err);
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
            var profile = io.sandboxrun.seccomp.LearnedProfile.of(output.learnSeccomp.toString(), r.learnedSyscalls());
            java.nio.file.Files.writeString(output.learnSeccomp, io.sandboxrun.seccomp.ProfileWriter.toJson(profile));
            log(err, "learnt " + r.learnedSyscalls().size() + " syscalls into " + output.learnSeccomp
                    + "; enforce it with --seccomp " + output.learnSeccomp);
        } catch (IOException | IllegalArgumentException e) {
            log(err, "cannot write --learn-seccomp " + output.learnSeccomp + ": " + e.getMessage());
        }
    }

    private void writeResult(RunResult r, PrintWriter err) {
        if (output.resultJson == null) return;
        try {
            ResultJson.write(r, output.resultJson);
        } catch (IOException e) {
            log(err, "cannot write --result-json " + output.resultJson + ": " + e.getMessage());
        }
    }

    private static void log(PrintWriter err, String line) {
        err.println("sandbox-run: " + line);
        err.flush();
    }
}
