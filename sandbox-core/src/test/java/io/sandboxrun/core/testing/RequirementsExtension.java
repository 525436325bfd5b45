package io.sandboxrun.core.testing;

import io.sandboxrun.core.host.Availability;
import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.host.HostFeatures;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Checks {@link Requires} against {@link HostFeatures}: skip with the reason, or fail in strict mode. */
public final class RequirementsExtension implements BeforeAllCallback, BeforeEachCallback {
    /** True when unmet requirements must fail the build (CI sets this). */
    public static boolean strict() {
        return Boolean.getBoolean("sandbox.test.strict") || "1".equals(System.getenv("SANDBOX_TEST_STRICT"));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getTestClass().ifPresent(RequirementsExtension::check);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getTestMethod().ifPresent(RequirementsExtension::check);
    }

    private static void check(AnnotatedElement element) {
        Requires r = element.getAnnotation(Requires.class);
        if (r != null) require(r.value());
    }

    /**
     * The check of {@link Requires}, for features whose probe a test must register first (e.g.
     * the launcher's cgroup probe): call it from {@code @BeforeAll}.
     */
    public static void require(Feature... features) {
        List<String> missing = new ArrayList<>();
        for (Feature f : features) {
            Availability a = HostFeatures.get(f);
            if (!a.available()) missing.add("requires " + f + ": " + a.detail());
        }
        require(missing.isEmpty(), String.join("; ", missing));
    }

    /**
     * A requirement outside the {@link Feature} vocabulary, such as the packages a test drives
     * (nginx, uWSGI): unmet, the test is skipped with {@code reason}, or fails in strict mode.
     */
    public static void require(boolean met, String reason) {
        if (met) return;
        if (strict()) Assertions.fail("strict mode: " + reason);
        Assumptions.abort(reason);
    }
}
