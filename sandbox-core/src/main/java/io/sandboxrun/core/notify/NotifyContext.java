package io.sandboxrun.core.notify;

import java.util.Optional;

/**
 * What a {@link NotificationHandler} knows besides the notification: who made the call, the
 * registration's attachment and log label, and whether the call is still waiting.
 *
 * <p><b>Time of check, time of use.</b> The target's memory can change at any moment (another
 * thread, or a signal handler, can rewrite the buffer a pointer argument points to). A handler
 * that looks at pointed-to data must (1) copy it with {@link #readMemory}, (2) call
 * {@link #stillValid()} after the copy and answer {@code error(...)} or give up if it is false
 * (the pid may have been reused, so the copy may come from another process), and (3) decide
 * and act on its own copy only: never answer {@link Response#continueSyscall()} on the basis of
 * memory it read, because the kernel reads the memory again when the call continues.
 */
public interface NotifyContext {
    /** The calling thread's id in the launcher's pid namespace (the notification's pid). */
    int pid();

    /** The notification id. */
    long id();

    /**
     * SECCOMP_IOCTL_NOTIF_ID_VALID: true while the target is still blocked in this notification.
     * Call it after reading the target's memory and before deciding on what was read.
     */
    boolean stillValid();

    /**
     * Copies {@code length} bytes at {@code address} out of the target (process_vm_readv):
     * fewer or none when the range is unmapped, empty when the target is gone. Check
     * {@link #stillValid()} afterwards.
     */
    Optional<byte[]> readMemory(long address, int length);

    /** The object given to {@link NotificationLoop#register(io.sandboxrun.core.linux.Fd, NotificationHandler, String, Object)}, cast to {@code type}; null if none. */
    <T> T attachment(Class<T> type);

    /** The registration's log context, e.g. {@code app=hello instance=7f3a}. */
    String label();
}
