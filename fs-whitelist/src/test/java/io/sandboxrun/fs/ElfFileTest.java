package io.sandboxrun.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfFileTest {
    @TempDir Path root;

    @Test
    void readsPtInterpOf64And32BitFiles() {
        FakeHost h = new FakeHost(root).elf("/a", "/lib64/ld-linux-x86-64.so.2")
                .bytes("/b", FakeHost.elfBytes("/lib/ld-linux.so.2", false), true);
        assertEquals(Optional.of("/lib64/ld-linux-x86-64.so.2"), ElfFile.interpreter(h.fs(), "/a"));
        assertEquals(Optional.of("/lib/ld-linux.so.2"), ElfFile.interpreter(h.fs(), "/b"));
    }

    @Test
    void staticHasNoInterpreter() {
        FakeHost h = new FakeHost(root).elf("/s", null);
        assertEquals(Optional.empty(), ElfFile.interpreter(h.fs(), "/s"));
    }

    @Test
    void rejectsNonElfAndTruncated() {
        FakeHost h = new FakeHost(root).file("/sh", "#!/bin/sh\n", true)
                .bytes("/t", java.util.Arrays.copyOf(FakeHost.elfBytes("/x", true), 70), true);
        assertFalse(ElfFile.isElf("#!/bin/sh".getBytes()));
        assertTrue(ElfFile.isElf(FakeHost.elfBytes(null, true)));
        assertThrows(IllegalArgumentException.class, () -> ElfFile.interpreter(h.fs(), "/sh"));
        assertThrows(IllegalArgumentException.class, () -> ElfFile.interpreter(h.fs(), "/t"));
    }
}
