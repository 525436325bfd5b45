package io.sandboxrun.launcher.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Entry point of the {@code sandbox-run} command: the one place that calls System.exit. */
public final class Main {
    /**
     * The subcommands, in --help order. A launch does not register them: each costs picocli's
     * annotation processing on every cold start, for a command line that names none of them.
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(DoctorCommand.class, SeccompCommand.class, PsCommand.class,
            StatsCommand.class, InstanceActions.Kill.class, InstanceActions.Freeze.class, InstanceActions.Thaw.class,
            GcCommand.class);
    /** Their names, known without loading them; {@code MainTest} checks they match. */
    static final Set<String> SUBCOMMAND_NAMES = Set.of("doctor", "seccomp", "ps", "stats", "kill", "freeze", "thaw", "gc");

    public static void main(String[] args) {
        boolean launch = !needsSubcommands(args);
        if (launch) warmUp();
        int code = commandLine(!launch).execute(args);
        if (System.getProperty(CdsTraining.PROPERTY) != null) CdsTraining.exercise();
        System.exit(code);
    }

    /** The configured command line, subcommands included; tests call {@code execute()} on it and read the exit code. */
    public static CommandLine commandLine() {
        return commandLine(true);
    }

    static CommandLine commandLine(boolean withSubcommands) {
        CommandSpec spec = CommandSpec.forAnnotatedObject(new RunCommand());
        PolicyOptions.addTo(spec);
        List<String> description = new ArrayList<>();
        for (String paragraph : RunCommand.DESCRIPTION) description.addAll(List.of(HelpText.wrap(paragraph, 79)));
        spec.usageMessage().description(description.toArray(String[]::new));
        CommandLine cl = new CommandLine(spec);
        // The root command's options end at the first word of the app's command; set before the
        // subcommands are added, which take options after their positional arguments as usual.
        cl.setStopAtPositional(true);
        if (withSubcommands) {
            for (Class<?> sub : SUBCOMMANDS) cl.addSubcommand(sub);
            cl.getSubcommands().values().forEach(Main::allowOptionsAfterPositionals);
        }
        return cl;
    }

    /**
     * Reads the bundled seccomp profiles on a second thread while this one parses the command
     * line and plans the launch: the first read loads Jackson, JNA and libseccomp (their names are
     * resolved there), over a hundred milliseconds of a cold start that the second CPU can take.
     */
    private static void warmUp() {
        Thread t = new Thread(() -> {
            try {
                io.sandboxrun.seccomp.ProfileLoader.bundled("python");
                io.sandboxrun.seccomp.ProfileLoader.bundled("default");
            } catch (Throwable e) {
                // Only a head start: the launch reads the profile it needs itself and reports any error.
                // The JVM may also be exiting under it (a usage error): JNA's loading then fails, harmlessly.
            }
        }, "sandbox-run-warm-up");
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((thread, e) -> { });
        t.start();
    }

    /**
     * Whether {@code args} may name a subcommand or ask for the help that lists them: a word
     * before {@code --} that is a subcommand's name, or a help or version option.
     */
    static boolean needsSubcommands(String[] args) {
        for (String a : args) {
            if (a.equals("--")) return false;
            if (SUBCOMMAND_NAMES.contains(a) || a.equals("--help") || a.equals("--version")) return true;
            if (a.startsWith("-") && !a.startsWith("--") && (a.contains("h") || a.contains("V"))) return true;
        }
        return false;
    }

    private static void allowOptionsAfterPositionals(CommandLine sub) {
        sub.setStopAtPositional(false);
        sub.getSubcommands().values().forEach(Main::allowOptionsAfterPositionals);
    }

    private Main() {}
}
