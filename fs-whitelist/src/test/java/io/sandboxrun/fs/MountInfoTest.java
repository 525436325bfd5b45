package io.sandboxrun.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountInfoTest {
    static final String TEXT = """
            22 1 0:21 / / rw,relatime shared:1 - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w
            23 22 0:22 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
            36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 propagate_from:2 - ext3 /dev/root rw,errors=continue
            41 22 0:40 / /var/lib/sandbox-run/saetmp/2cf24dba/my\\040app rw,nosuid,nodev,noexec,relatime shared:20 - tmpfs tmpfs rw,size=65536k,mode=700,uid=101000,gid=101000
            42 22 0:41 / /weird\\011tab\\012nl\\134back rw - tmpfs a\\040b rw
            garbage line
            """;

    @Test
    void parsesFieldsAroundOptionalOnes() {
        List<MountInfo> all = MountInfo.parse(TEXT);
        assertEquals(5, all.size());
        assertEquals(new MountInfo(36, 35, "/mnt1", "/mnt2", "rw,noatime", "ext3", "/dev/root", "rw,errors=continue"), all.get(2));
        assertEquals(new MountInfo(23, 22, "/", "/proc", "rw,nosuid,nodev,noexec,relatime", "proc", "proc", "rw"), all.get(1));
    }

    @Test
    void decodesOctalEscapes() {
        List<MountInfo> all = MountInfo.parse(TEXT);
        assertEquals("/var/lib/sandbox-run/saetmp/2cf24dba/my app", all.get(3).mountPoint());
        assertEquals("/weird\ttab\nnl\\back", all.get(4).mountPoint());
        assertEquals("a b", all.get(4).source());
        assertEquals("no\\escape\\09", MountInfo.unescape("no\\escape\\09"));
    }

    @Test
    void isMountedComparesWholePaths() {
        assertTrue(TmpSpace.isMounted(TEXT, Path.of("/var/lib/sandbox-run/saetmp/2cf24dba/my app")));
        assertTrue(TmpSpace.isMounted(TEXT, Path.of("/proc")));
        assertFalse(TmpSpace.isMounted(TEXT, Path.of("/var/lib/sandbox-run/saetmp/2cf24dba")));
        assertFalse(TmpSpace.isMounted(TEXT, Path.of("/pro")));
    }
}
