package io.sandboxrun.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.launch.SetupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedLibrariesTest {
    @TempDir Path root;

    @Test
    void parsesMappedLoaderVdsoAndMissing() {
        SharedLibraries.Listing l = SharedLibraries.parse("""
                \tlinux-vdso.so.1 (0x00007ffd3b1f2000)
                \tlibpython3.11.so.1.0 => /root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0 (0x00007f49f2000000)
                \tlibfoo.so.1 => not found
                \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f49f1e1e000)
                \t/lib64/ld-linux-x86-64.so.2 (0x00007f49f25ef000)
                """);
        assertFalse(l.isStatic());
        assertEquals(List.of("/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0", "/lib/x86_64-linux-gnu/libc.so.6",
                "/lib64/ld-linux-x86-64.so.2"), l.libraries());
        assertEquals(List.of("libfoo.so.1"), l.missing());
    }

    @Test
    void recognisesStaticOutput() {
        assertTrue(SharedLibraries.parse("\tstatically linked\n").isStatic());
        assertTrue(SharedLibraries.parse("\tnot a dynamic executable\n").isStatic());
        assertEquals(List.of("/opt/my libs/libx.so"),
                SharedLibraries.parse("\tlibx.so => /opt/my libs/libx.so (0x00007f0000000000)\n").libraries());
    }

    @Test
    void cachesPerFileStamp() throws Exception {
        FakeHost h = new FakeHost(root).elf("/opt/bin/tool", FakeHost.LOADER);
        FakeLoader loader = new FakeLoader(root).answer("/opt/bin/tool", FakeLoader.libcOnly());
        SharedLibraries libs = new SharedLibraries(h.fs(), loader, FakeHost.LOADER);
        libs.list("/opt/bin/tool");
        libs.list("/opt/bin/tool");
        assertEquals(1, loader.listed.size());
        Files.setLastModifiedTime(h.p("/opt/bin/tool"), FileTime.fromMillis(1_000));
        libs.list("/opt/bin/tool");
        assertEquals(2, loader.listed.size(), "a changed file is listed again");
    }

    @Test
    void timeoutAndFailureAreSetupErrors() {
        FakeHost h = new FakeHost(root).elf("/opt/bin/slow", FakeHost.LOADER).elf("/opt/bin/bad", FakeHost.LOADER);
        FakeLoader loader = new FakeLoader(root)
                .answer("/opt/bin/slow", new ProcessRunner.Result(-1, "", "", true))
                .answer("/opt/bin/bad", new ProcessRunner.Result(127, "", "/opt/bin/bad: error while loading shared libraries: invalid ELF header\n", false));
        SharedLibraries libs = new SharedLibraries(h.fs(), loader, FakeHost.LOADER);
        SetupException e = assertThrows(SetupException.class, () -> libs.list("/opt/bin/slow"));
        assertEquals("cannot list the shared libraries of /opt/bin/slow: /lib64/ld-linux-x86-64.so.2 --list did not finish within 5 s",
                e.getMessage());
        assertEquals(FsSteps.DISCOVER_LIBRARIES, e.step());
        e = assertThrows(SetupException.class, () -> libs.list("/opt/bin/bad"));
        assertEquals("cannot list the shared libraries of /opt/bin/bad: /lib64/ld-linux-x86-64.so.2 --list exited with 127: "
                + "/opt/bin/bad: error while loading shared libraries: invalid ELF header", e.getMessage());
    }

    @Test
    void systemRunnerHasAnEmptyEnvironmentAndATimeout() {
        ProcessRunner.Result r = ProcessRunner.system().run(List.of("/usr/bin/env"), java.time.Duration.ofSeconds(5));
        assertEquals(0, r.exitCode());
        assertEquals("", r.stdout());
        ProcessRunner.Result slow = ProcessRunner.system().run(List.of("/bin/sleep", "10"), java.time.Duration.ofMillis(200));
        assertTrue(slow.timedOut());
    }
}
