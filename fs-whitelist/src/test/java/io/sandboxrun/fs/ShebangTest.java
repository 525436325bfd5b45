package io.sandboxrun.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShebangTest {
    private static Shebang parse(String s) {
        return Shebang.parse(s.getBytes(StandardCharsets.UTF_8)).orElseThrow();
    }

    @Test
    void interpreterAndOneArgument() {
        assertEquals(new Shebang("/usr/bin/python3", "-u"), parse("#!/usr/bin/python3 -u\nprint(1)\n"));
        assertEquals(new Shebang("/bin/sh", ""), parse("#! /bin/sh\n"));
        assertEquals(new Shebang("/usr/bin/perl", "-w -T"), parse("#!/usr/bin/perl  -w -T \r\n"));
        assertEquals(Optional.empty(), Shebang.parse("#!\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), Shebang.parse("print(1)".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void envCommand() {
        assertTrue(parse("#!/usr/bin/env python3\n").isEnv());
        assertFalse(parse("#!/usr/bin/python3\n").isEnv());
        assertEquals(Optional.of("python3"), parse("#!/usr/bin/env python3\n").envCommand());
        assertEquals(Optional.of("node"), parse("#!/usr/bin/env -S node --max-old-space-size=64\n").envCommand());
        assertEquals(Optional.of("python3"), parse("#!/usr/bin/env -Spython3 -u\n").envCommand());
        assertEquals(Optional.of("ruby"), parse("#!/usr/bin/env -S -u FOO LANG=C ruby -w\n").envCommand());
        assertEquals(Optional.empty(), parse("#!/usr/bin/env\n").envCommand());
    }
}
