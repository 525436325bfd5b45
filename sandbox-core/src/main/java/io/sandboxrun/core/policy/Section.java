package io.sandboxrun.core.policy;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Declares a policy record component that holds a mapping of settings (e.g. {@code limits}); its key is its name in kebab-case. */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface Section {
    /** What the section holds, for docs/policy.md. */
    String help();

    /** A short example of the mapping, shown when something else stands there ({@code {mode: required}}). */
    String example() default "";

    /** The help group of its settings. */
    Group group();

    /** Whether its settings have command-line options (instance-limits share limits' records, not their options). */
    boolean options() default true;

    /** Whether its settings take their declared defaults. */
    boolean defaults() default true;
}
