package io.sandboxrun.core.helper;

/** The namespaces {@code sandbox-init} can create, named as in the plan. */
public enum Namespace {
    USER("user"), MOUNT("mount"), PID("pid"), NET("net"), IPC("ipc"), UTS("uts"), CGROUP("cgroup");

    private final String word;

    Namespace(String word) { this.word = word; }

    public String word() { return word; }
}
