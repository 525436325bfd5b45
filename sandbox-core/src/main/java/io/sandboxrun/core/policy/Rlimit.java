package io.sandboxrun.core.policy;

/** The rlimits a policy may set, named as in policy files and in the helper plan. */
public enum Rlimit {
    NOFILE("nofile"), FSIZE("fsize"), CORE("core"), NPROC("nproc"), AS("as"), STACK("stack"),
    CPU("cpu"), MEMLOCK("memlock"), MSGQUEUE("msgqueue"), NICE("nice"), RTPRIO("rtprio"),
    SIGPENDING("sigpending");

    private final String word;

    Rlimit(String word) { this.word = word; }

    public String word() { return word; }
}
