package io.sandboxrun.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/policy.md is what the settings table says; -Dpolicy.reference.write=true rewrites it. */
class PolicyReferenceTest {
    @Test
    void thePageIsUpToDate() throws IOException {
        Path page = repo().resolve("docs/policy.md");
        String generated = PolicyReference.markdown();
        if (Boolean.getBoolean("policy.reference.write")) Files.writeString(page, generated);
        String onDisk = Files.exists(page) ? Files.readString(page) : "";
        assertEquals(generated, onDisk, "docs/policy.md is out of date with the settings table; regenerate it with"
                + " mvn -q -pl sandbox-core test -Dtest=PolicyReferenceTest -Dpolicy.reference.write=true");
    }

    @Test
    void everySettingIsOnThePage() {
        String md = PolicyReference.markdown();
        for (PolicySchema.Leaf leaf : PolicySchema.policy().leaves()) {
            assertTrue(md.contains("#### `" + leaf.path() + "`"), leaf.path());
            if (!leaf.option().isEmpty()) assertTrue(md.contains("- option: `" + leaf.option()), leaf.option());
        }
    }

    /** The checkout's root: the nearest directory up from here with docs/ and the parent pom. */
    private static Path repo() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("docs")) && Files.exists(p.resolve("sandbox-core/pom.xml"))) return p;
        }
        throw new IllegalStateException("no checkout root above " + Path.of("").toAbsolutePath());
    }
}
