package io.sandboxrun.seccomp;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;

/**
 * An OCI seccomp profile as its JSON is written (runtime-spec {@code linux.seccomp}, with Docker's
 * {@code archMap}, {@code name}, {@code comment}, {@code includes} and {@code excludes}), filled by
 * Jackson databind: key for key, each value checked by its {@link ProfileValues} deserializer.
 * An absent key and a {@code null} both read as null.
 * {@link ProfileReader} turns it into a {@link Profile}.
 */
record OciProfile(
        @JsonDeserialize(using = ProfileValues.ActionName.class) Action.Kind defaultAction,
        @JsonDeserialize(using = ProfileValues.ErrnoRet.class) Long defaultErrnoRet,
        @JsonDeserialize(contentUsing = ProfileValues.Architecture.class) List<String> architectures,
        List<ArchMap> archMap,
        @JsonDeserialize(contentUsing = ProfileValues.Flag.class) List<String> flags,
        @JsonDeserialize(using = ProfileValues.Text.class) String listenerPath,
        @JsonDeserialize(using = ProfileValues.Text.class) String listenerMetadata,
        List<Rule> syscalls) {

    /** One {@code archMap} entry: an architecture and those a filter for it also takes. */
    record ArchMap(
            @JsonDeserialize(using = ProfileValues.Architecture.class) String architecture,
            @JsonDeserialize(contentUsing = ProfileValues.Architecture.class) List<String> subArchitectures) {}

    /** One {@code syscalls} entry; {@code name} is the older single-name form of {@code names}. */
    record Rule(
            @JsonDeserialize(using = ProfileValues.Names.class) List<String> names,
            @JsonDeserialize(using = ProfileValues.SyscallName.class) String name,
            @JsonDeserialize(using = ProfileValues.ActionName.class) Action.Kind action,
            @JsonDeserialize(using = ProfileValues.ErrnoRet.class) Long errnoRet,
            List<Arg> args,
            @JsonDeserialize(using = ProfileValues.Text.class) String comment,
            Filter includes,
            Filter excludes) {}

    /** One {@code args} comparison. */
    record Arg(
            @JsonDeserialize(using = ProfileValues.ArgIndex.class) Long index,
            @JsonDeserialize(using = ProfileValues.U64.class) Long value,
            @JsonDeserialize(using = ProfileValues.U64.class) Long valueTwo,
            @JsonDeserialize(using = ProfileValues.OpName.class) Comparison op) {}

    /** Docker's {@code includes}/{@code excludes} (its {@code Filter}). */
    record Filter(
            @JsonDeserialize(contentUsing = ProfileValues.Text.class) List<String> caps,
            @JsonDeserialize(contentUsing = ProfileValues.Text.class) List<String> arches,
            @JsonDeserialize(using = ProfileValues.KernelVersion.class) String minKernel) {}
}
