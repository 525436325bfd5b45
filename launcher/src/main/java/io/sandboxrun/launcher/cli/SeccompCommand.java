package io.sandboxrun.launcher.cli;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.seccomp.Profile;
import io.sandboxrun.seccomp.ProfileException;
import io.sandboxrun.seccomp.ProfileLoader;
import io.sandboxrun.seccomp.compile.BpfCompiler;
import io.sandboxrun.seccomp.compile.CompileOptions;
import io.sandboxrun.seccomp.compile.CompiledFilter;
import io.sandboxrun.seccomp.compile.ProfileReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sandbox-run seccomp check|show|compile PROFILE}: validate, print and compile profiles. */
@Command(name = "seccomp", mixinStandardHelpOptions = true,
        description = "Validate, show or compile a seccomp profile: a bundled name (default, python, strict) or an"
                + " OCI/Docker JSON file.",
        subcommands = {SeccompCommand.Check.class, SeccompCommand.Show.class, SeccompCommand.Compile.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the profile is valid", "1:compile could not write its output file",
            "2:the profile is invalid (the message names file:line:column)"})
final class SeccompCommand {

    abstract static class ProfileCommand implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(index = "0", paramLabel = "PROFILE", description = "default, python, strict or a JSON file.")
        String profile;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                return run(ProfileLoader.resolve(profile), out);
            } catch (ProfileException e) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("sandbox-run: " + e.getMessage());
                err.flush();
                return ExitCodes.USAGE;
            }
        }

        abstract int run(Profile p, PrintWriter out);
    }

    @Command(name = "check", mixinStandardHelpOptions = true, description = "Validate a profile and summarise it.")
    static final class Check extends ProfileCommand {
        @Override
        int run(Profile p, PrintWriter out) {
            out.print(ProfileReport.check(p).text());
            out.flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print the rules and the BPF size; with --syscall, explain the action for one syscall.")
    static final class Show extends ProfileCommand {
        @Option(names = "--syscall", paramLabel = "NAME", description = "Explain how this syscall is decided.")
        String syscall;

        @Override
        int run(Profile p, PrintWriter out) {
            out.print(syscall == null ? ProfileReport.show(p)
                    : ProfileReport.explain(p, syscall, CompileOptions.DEFAULT) + "\n");
            out.flush();
            return 0;
        }
    }

    @Command(name = "compile", mixinStandardHelpOptions = true,
            description = "Compile to a BPF program (struct sock_filter array) as the launcher loads it.")
    static final class Compile extends ProfileCommand {
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the program here.")
        Path output;

        @Option(names = "--no-binary-tree", description = "Compile without libseccomp's binary-tree optimisation.")
        boolean linear;

        @Override
        int run(Profile p, PrintWriter out) {
            CompiledFilter f = BpfCompiler.compile(p, CompileOptions.DEFAULT.withBinaryTree(!linear));
            if (output != null) {
                try {
                    Files.write(output, f.program());
                } catch (IOException e) {
                    PrintWriter err = spec.commandLine().getErr();
                    err.println("sandbox-run: cannot write " + output + ": " + e.getMessage());
                    err.flush();
                    return WRITE_FAILED;
                }
            }
            out.println(p.source() + ": " + f.instructions() + " BPF instructions (" + f.program().length + " bytes)"
                    + (output != null ? " written to " + output : "") + "; sha256 " + f.sha256());
            out.flush();
            return 0;
        }
    }

    /** {@code compile -o FILE} could not write FILE (the profile itself is fine). */
    static final int WRITE_FAILED = 1;

    private SeccompCommand() {}
}
