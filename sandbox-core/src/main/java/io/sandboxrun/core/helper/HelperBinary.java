package io.sandboxrun.core.helper;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SetupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Finds the {@code sandbox-init} executable and refuses one that anyone but root could have
 * written: it runs as root on the host, so the file and every directory above it must be owned
 * by root and writable by nobody else.
 */
public final class HelperBinary {
    /** System property, then environment variable, naming the helper explicitly. */
    public static final String PROPERTY = "sandbox.helper", ENV = "SANDBOX_RUN_HELPER";

    /** Resolves the helper: the explicit setting if any, else {@code defaultLocation}; then verifies it. */
    public static Path locate(Path defaultLocation) {
        String explicit = System.getProperty(PROPERTY);
        if (explicit == null || explicit.isBlank()) explicit = System.getenv(ENV);
        Path p = explicit != null && !explicit.isBlank() ? Path.of(explicit) : defaultLocation;
        if (p == null) {
            throw fail("no sandbox-init helper configured; set -D" + PROPERTY + " or " + ENV);
        }
        return verify(p.toAbsolutePath().normalize());
    }

    /** Checks ownership and permissions of {@code helper} and every directory above it. */
    public static Path verify(Path helper) {
        Path real;
        try {
            real = helper.toRealPath();
        } catch (IOException e) {
            throw fail("sandbox-init helper " + helper + " not found: build it with mvn package");
        }
        PosixFileAttributes attrs = attributes(real);
        if (!attrs.isRegularFile()) throw fail("sandbox-init helper " + real + " is not a regular file");
        if (!attrs.permissions().contains(PosixFilePermission.OWNER_EXECUTE)) {
            throw fail("sandbox-init helper " + real + " is not executable");
        }
        for (Path p = real; p != null; p = p.getParent()) {
            int mode = mode(p);
            boolean othersWrite = (mode & 022) != 0;
            // A sticky directory (like /tmp) may be writable by all: nobody but root can rename or
            // remove the root-owned entry below it, which the previous iteration checked.
            boolean stickyDir = p != real && (mode & 01000) != 0;
            if (uid(p) != 0 || (othersWrite && !stickyDir)) {
                throw fail("refusing sandbox-init helper " + real + ": " + p + " is owned by uid " + uid(p)
                        + " with mode " + String.format("%04o", mode & 07777)
                        + "; the helper and every directory above it must be owned by root and writable by root only"
                        + " (or sticky, like /tmp)");
            }
        }
        return real;
    }

    private static int mode(Path p) {
        try {
            return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw fail("cannot inspect " + p + ": " + e.getMessage());
        }
    }

    private static int uid(Path p) {
        try {
            return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw fail("cannot inspect " + p + ": " + e.getMessage());
        }
    }

    private static PosixFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw fail("cannot inspect " + p + ": " + e.getMessage());
        }
    }

    private static SetupException fail(String message) {
        return new SetupException("helper-verify", message, ExitCodes.SETUP_FAILED);
    }

    private HelperBinary() {}
}
