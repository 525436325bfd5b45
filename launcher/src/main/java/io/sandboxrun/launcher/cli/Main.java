package io.sandboxrun.launcher.cli;

import picocli.CommandLine;

/** Entry point of the {@code sandbox-run} command: the one place that calls System.exit. */
public final class Main {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests call {@code execute()} on it and read the exit code. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new RunCommand());
        cl.setStopAtPositional(true);
        return cl;
    }

    private Main() {}
}
