package io.sandboxrun.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CgroupPathTest {
    @Test
    void names() {
        CgroupPath p = new CgroupPath("web", "i-1.x_y");
        assertEquals("app-web", p.appDir());
        assertEquals("web/i-1.x_y", p.toString());
        for (String bad : new String[] {"", "..", ".hidden", "a/b", "a b", "-x", "x".repeat(129)}) {
            assertThrows(IllegalArgumentException.class, () -> new CgroupPath(bad, "i"), bad);
            assertThrows(IllegalArgumentException.class, () -> new CgroupPath("a", bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new CgroupPath(null, "i"));
    }
}
