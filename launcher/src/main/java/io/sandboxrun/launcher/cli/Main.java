package io.sandboxrun.launcher.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Entry point of the {@code sandbox-run} command: the one place that calls System.exit. */
public final class Main {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests call {@code execute()} on it and read the exit code. */
    public static CommandLine commandLine() {
        CommandSpec spec = CommandSpec.forAnnotatedObject(new RunCommand());
        PolicyOptions.addTo(spec);
        List<String> description = new ArrayList<>();
        for (String paragraph : RunCommand.DESCRIPTION) description.addAll(List.of(HelpText.wrap(paragraph, 79)));
        spec.usageMessage().description(description.toArray(String[]::new));
        CommandLine cl = new CommandLine(spec);
        // The root command's options end at the first word of the app's command; the subcommands
        // (doctor, seccomp ...) take options after their positional arguments as usual.
        cl.setStopAtPositional(true);
        cl.getSubcommands().values().forEach(Main::allowOptionsAfterPositionals);
        return cl;
    }

    private static void allowOptionsAfterPositionals(CommandLine sub) {
        sub.setStopAtPositional(false);
        sub.getSubcommands().values().forEach(Main::allowOptionsAfterPositionals);
    }

    private Main() {}
}
