package dev.wharf.platform;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The control plane's features as the code has them: each subpackage of {@code dev.wharf.platform} is a feature
 * (its subpackages belong to it), and a feature uses another when one of its classes refers to one of the other's.
 */
final class FeatureGraph {

    static final String PLATFORM = "dev.wharf.platform";

    /** feature → the features it uses → the classes it uses there (simple names, nested ones as Outer.Inner) */
    private final SortedMap<String, SortedMap<String, SortedSet<String>>> uses = new TreeMap<>();
    /** feature → its classes, by simple name */
    private final SortedMap<String, SortedSet<String>> classes = new TreeMap<>();

    private FeatureGraph() {
    }

    static FeatureGraph of(JavaClasses imported) {
        FeatureGraph graph = new FeatureGraph();
        for (JavaClass type : imported) {
            Optional<String> from = featureOf(type);
            if (from.isEmpty()) {
                continue;
            }
            graph.uses.computeIfAbsent(from.get(), f -> new TreeMap<>());
            if (type.getEnclosingClass().isEmpty() && !type.getSimpleName().isEmpty()) {
                graph.classes.computeIfAbsent(from.get(), f -> new TreeSet<>()).add(type.getSimpleName());
            }
            for (Dependency dependency : type.getDirectDependenciesFromSelf()) {
                JavaClass target = dependency.getTargetClass().getBaseComponentType();
                Optional<String> to = featureOf(target);
                if (to.isPresent() && !to.get().equals(from.get())) {
                    graph.uses.get(from.get()).computeIfAbsent(to.get(), f -> new TreeSet<>()).add(nameOf(target));
                }
            }
        }
        return graph;
    }

    /** The feature a class belongs to; empty outside the platform, and for a class of the platform package itself. */
    static Optional<String> featureOf(JavaClass type) {
        String pkg = type.getPackageName();
        if (!pkg.startsWith(PLATFORM + ".")) {
            return Optional.empty();
        }
        String rest = pkg.substring(PLATFORM.length() + 1);
        int dot = rest.indexOf('.');
        return Optional.of(dot < 0 ? rest : rest.substring(0, dot));
    }

    private static String nameOf(JavaClass type) {
        String name = type.getName().substring(type.getPackageName().length() + 1);
        int anonymous = name.indexOf("$1");
        return (anonymous < 0 ? name : name.substring(0, anonymous)).replace('$', '.');
    }

    SortedSet<String> features() {
        return new TreeSet<>(uses.keySet());
    }

    /** The features {@code feature} uses. */
    SortedSet<String> dependencies(String feature) {
        return new TreeSet<>(uses.getOrDefault(feature, new TreeMap<>()).keySet());
    }

    /** The classes of {@code to} that {@code from} uses. */
    SortedSet<String> used(String from, String to) {
        return uses.getOrDefault(from, new TreeMap<>()).getOrDefault(to, new TreeSet<>());
    }

    /** The features that use {@code feature}. */
    SortedSet<String> users(String feature) {
        SortedSet<String> users = new TreeSet<>();
        uses.forEach((from, to) -> {
            if (to.containsKey(feature)) {
                users.add(from);
            }
        });
        return users;
    }

    /** The classes of {@code feature} that other features use: its published surface. */
    SortedSet<String> surface(String feature) {
        SortedSet<String> surface = new TreeSet<>();
        uses.forEach((from, to) -> surface.addAll(to.getOrDefault(feature, new TreeSet<>())));
        return surface;
    }

    /** Every edge as {@code from → to}, for comparing with a declared map. */
    Map<String, Set<String>> edges() {
        SortedMap<String, Set<String>> edges = new TreeMap<>();
        uses.forEach((from, to) -> edges.put(from, new TreeSet<>(to.keySet())));
        return edges;
    }
}
