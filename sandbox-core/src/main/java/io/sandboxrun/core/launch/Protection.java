package io.sandboxrun.core.launch;

/**
 * Whether one wall was active for an instance, in words a user can act on.
 *
 * @param wall   e.g. {@code namespaces}, {@code landlock}, {@code seccomp}
 * @param status enforced, not enforced or off
 * @param detail what exactly: {@code user,mount,pid,net,ipc,uts,cgroup}, {@code ABI 7}, or why not
 */
public record Protection(String wall, Status status, String detail) {
    public enum Status { ENFORCED, NOT_ENFORCED, OFF }

    @Override
    public String toString() {
        return wall + ": " + status.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " (" + detail + ")";
    }
}
