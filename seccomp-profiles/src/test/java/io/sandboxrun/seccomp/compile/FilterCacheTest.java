package io.sandboxrun.seccomp.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sandboxrun.seccomp.Profile;
import io.sandboxrun.seccomp.ProfileLoader;
import io.sandboxrun.seccomp.ProfileWriter;
import io.sandboxrun.seccomp.compile.CompileOptions.Mode;
import org.junit.jupiter.api.Test;

/** The filter cache compiles once per content and options. */
class FilterCacheTest {
    @Test
    void theSecondCompileIsAHitWithTheSameProgram() {
        FilterCache cache = new FilterCache();
        CompiledFilter first = cache.get(ProfileLoader.bundled("python"), CompileOptions.DEFAULT);
        // the same content read again from elsewhere is the same key
        Profile reread = ProfileLoader.parse(ProfileWriter.toJson(ProfileLoader.bundled("python")), "copy.json");
        CompiledFilter second = cache.get(reread, CompileOptions.DEFAULT);
        assertSame(first, second);
        assertArrayEquals(BpfCompiler.compile(reread, CompileOptions.DEFAULT).program(), second.program());
        assertEquals(1, cache.hits());
        assertEquals(1, cache.misses());
    }

    @Test
    void otherOptionsCompileAgain() {
        FilterCache cache = new FilterCache();
        Profile strict = ProfileLoader.bundled("strict");
        CompiledFilter enforce = cache.get(strict, CompileOptions.DEFAULT);
        CompiledFilter denials = cache.get(strict, CompileOptions.DEFAULT.withMode(Mode.NOTIFY_DENIALS));
        cache.get(strict, CompileOptions.DEFAULT.withBootstrapFd(3));
        assertNotSame(enforce, denials);
        assertEquals(3, cache.misses());
        assertEquals(3, cache.size());
        cache.clear();
        assertEquals(0, cache.size());
        assertEquals(0, cache.misses());
    }
}
