package io.sandboxrun.core.testing;

import io.sandboxrun.core.host.Feature;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Declares the host features a test needs. Unmet: the test is skipped with the reason printed,
 * or fails when {@code -Dsandbox.test.strict=true} / {@code SANDBOX_TEST_STRICT=1} (CI).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag("kernel")
@ExtendWith(RequirementsExtension.class)
public @interface Requires {
    Feature[] value();
}
