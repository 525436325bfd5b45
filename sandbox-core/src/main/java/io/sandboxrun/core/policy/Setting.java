package io.sandboxrun.core.policy;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares one setting on the policy record component that holds it: its key in a policy file,
 * its command-line option, its kind of value (parser, printer, checks), its default and why, and
 * its help. Everything else (the file reader, the CLI options, the merge of defaults, file and
 * options, the known keys in errors, docs/policy.md) is derived from these declarations by
 * {@link PolicySchema}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface Setting {
    /** The kind of value; a list or map component holds values (or entries) of this kind. */
    Kind kind();

    /** The key in a policy file; empty: the component's name in kebab-case. */
    String key() default "";

    /** The command-line option ({@code --memory}); empty: none. */
    String option() default "";

    /** The default as text (a list or map: one element or NAME=VALUE entry each); empty: not set. */
    String[] byDefault() default {};

    /** Why the default is what it is. */
    String because() default "";

    /** What the setting does, for --help and docs/policy.md. */
    String help();

    /** The help group; {@link Group#SECTION}: the enclosing section's. */
    Group group() default Group.SECTION;
}
