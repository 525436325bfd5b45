package io.sandboxrun.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Runs a limit plan against directories; what has no controller becomes {@link Unenforced}. */
final class Apply {
    /**
     * @param dirFor the directory that carries a controller's files, or a reason it has none
     */
    static List<Unenforced> run(CgroupFs fs, LimitPlan plan, Function<String, Result> dirFor) {
        Map<String, Unenforced> missing = new LinkedHashMap<>();
        plan.unenforced().forEach(u -> missing.putIfAbsent(u.limit(), u));
        for (CgroupWrite w : plan.writes()) {
            if (missing.containsKey(w.limit())) continue;
            Result r = dirFor.apply(w.controller());
            if (r.dir().isEmpty()) {
                missing.put(w.limit(), new Unenforced(w.limit(), r.reason()));
                continue;
            }
            Path file = r.dir().get().resolve(w.file());
            if (w.optional() && !fs.exists(file)) continue;
            fs.write(file, w.value());
        }
        return new ArrayList<>(missing.values());
    }

    record Result(Optional<Path> dir, String reason) {
        static Result at(Path dir) { return new Result(Optional.of(dir), null); }
        static Result none(String reason) { return new Result(Optional.empty(), reason); }
    }

    static List<Unenforced> merge(List<Unenforced> a, List<Unenforced> b) {
        Map<String, Unenforced> m = new LinkedHashMap<>();
        a.forEach(u -> m.putIfAbsent(u.limit(), u));
        b.forEach(u -> m.putIfAbsent(u.limit(), u));
        return new ArrayList<>(m.values());
    }

    private Apply() {}
}
