package io.sandboxrun.core.helper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.testing.TestDirs;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HelperBinaryTest {
    @Test
    void refusesAHelperUnderAWorldWritableDirectory() throws Exception {
        Path dir = TestDirs.create("helper");
        try {
            Path open = java.nio.file.Files.createDirectory(dir.resolve("open"));
            java.nio.file.Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            Path helper = TestDirs.write(open, "sandbox-init", "#!/bin/sh\n", "rwxr-xr-x");
            SetupException e = assertThrows(SetupException.class, () -> HelperBinary.verify(helper));
            assertEquals(125, e.exitCode());
            assertTrue(e.getMessage().startsWith("refusing sandbox-init helper " + helper.toAbsolutePath()), e.getMessage());
            assertTrue(e.getMessage().endsWith("must be owned by root and writable by root only (or sticky, like /tmp)"),
                    e.getMessage());
        } finally {
            TestDirs.delete(dir);
        }
    }

    @Test
    void refusesAGroupWritableHelper() {
        Path dir = TestDirs.create("helper");
        try {
            Path helper = TestDirs.write(dir, "sandbox-init", "#!/bin/sh\n", "rwxrwxr-x");
            SetupException e = assertThrows(SetupException.class, () -> HelperBinary.verify(helper));
            assertTrue(e.getMessage().contains(helper + " is owned by"), e.getMessage());
        } finally {
            TestDirs.delete(dir);
        }
    }

    @Test
    void missingHelperSaysHowToBuildIt() {
        SetupException e = assertThrows(SetupException.class, () -> HelperBinary.verify(Path.of("/nonexistent/sandbox-init")));
        assertEquals("sandbox-init helper /nonexistent/sandbox-init not found: build it with mvn package", e.getMessage());
    }
}
