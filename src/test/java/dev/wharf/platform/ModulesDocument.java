package dev.wharf.platform;

import java.util.Set;
import java.util.stream.Collectors;

/** Writes docs/modules.md from the code's {@link FeatureGraph} (see {@code ArchitectureTests.modulesDocumentIsUpToDate}). */
final class ModulesDocument {

    private ModulesDocument() {
    }

    static String render(FeatureGraph graph) {
        StringBuilder md = new StringBuilder();
        md.append("# Platform modules\n\n");
        md.append("<!-- Written by ArchitectureTests from the code: do not edit. After a change of the packages, run\n");
        md.append("     mvn -Dtest=ArchitectureTests test (it rewrites this file) and commit the result. -->\n\n");
        md.append("Each subpackage of `dev.wharf.platform` is a feature module (what each is for: [architecture.md](architecture.md)).\n");
        md.append("`ArchitectureTests` checks that a module uses only the modules declared for it in its\n");
        md.append("`FEATURE_DEPENDENCIES`, that the modules have no cycles, that every platform class lives in a module, and that\n");
        md.append("web controllers are package-private classes of their module. Below, each module's arrows as the code has them.\n\n");

        md.append("```mermaid\nflowchart LR\n");
        for (String feature : graph.features()) {
            Set<String> dependencies = graph.dependencies(feature);
            if (dependencies.isEmpty() && graph.users(feature).isEmpty()) {
                md.append("  ").append(feature).append('\n');
            }
            for (String used : dependencies) {
                md.append("  ").append(feature).append(" --> ").append(used).append('\n');
            }
        }
        md.append("```\n\n");

        md.append("| module | uses | used by |\n|---|---|---|\n");
        for (String feature : graph.features()) {
            md.append("| `").append(feature).append("` | ").append(list(graph.dependencies(feature))).append(" | ")
                    .append(list(graph.users(feature))).append(" |\n");
        }
        md.append('\n');

        md.append("## What each module uses of the others\n\n");
        for (String feature : graph.features()) {
            md.append("### ").append(feature).append("\n\n");
            Set<String> surface = graph.surface(feature);
            md.append("- Used by others through: ").append(surface.isEmpty() ? "nothing" : code(surface)).append('\n');
            if (graph.dependencies(feature).isEmpty()) {
                md.append("- Uses no other module.\n");
            }
            for (String used : graph.dependencies(feature)) {
                md.append("- Uses `").append(used).append("`: ").append(code(graph.used(feature, used))).append('\n');
            }
            md.append('\n');
        }
        return md.toString().stripTrailing() + "\n";
    }

    private static String list(Set<String> features) {
        return features.isEmpty() ? "—" : features.stream().map(f -> "`" + f + "`").collect(Collectors.joining(", "));
    }

    private static String code(Set<String> names) {
        return names.stream().map(n -> "`" + n + "`").collect(Collectors.joining(", "));
    }
}
