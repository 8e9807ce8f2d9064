package dev.wharf.platform;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RestController;

/** The package rules of docs/architecture.md, and the platform's feature modules of docs/modules.md. */
@AnalyzeClasses(packages = "dev.wharf", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTests {

    @ArchTest
    static final ArchRule runtimeNeverDependsOnThePlatform = noClasses().that().resideInAPackage("dev.wharf.runtime..")
            .should().dependOnClassesThat().resideInAPackage("dev.wharf.platform..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule platformUsesOnlyTheRuntimeContract = noClasses().that().resideInAPackage("dev.wharf.platform..")
            .should().dependOnClassesThat(resideInAPackage("dev.wharf.runtime..").and(not(resideInAPackage("dev.wharf.runtime.api.."))))
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule onlyRuntimeLinuxTouchesJna = noClasses().that().resideOutsideOfPackage("dev.wharf.runtime.linux..")
            .should().dependOnClassesThat().resideInAPackage("com.sun.jna..");

    @ArchTest
    static final ArchRule runtimeApiIsPlainJava = noClasses().that().resideInAPackage("dev.wharf.runtime.api..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "com.sun.jna..", "jakarta.servlet..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule controllersArePackagePrivate = classes().that().areMetaAnnotatedWith(Controller.class)
            .and().areNotAnnotations() // a feature's own controller annotation (@DockerController) is public to be usable
            .should().notBePublic();

    @ArchTest
    static final ArchRule controllersLiveInTheirFeature = classes().that().areAnnotatedWith(Controller.class)
            .or().areAnnotatedWith(RestController.class)
            .should().resideInAnyPackage("dev.wharf.platform.*..", "dev.wharf.runtime.node..");

    /** The node protocol's two ends share only {@code runtime.wire}: the node's side and the control plane's client never import each other. */
    @ArchTest
    static final ArchRule theNodeSideNeverUsesTheClientSide = noClasses().that().resideInAPackage("dev.wharf.runtime.node..")
            .should().dependOnClassesThat().resideInAPackage("dev.wharf.runtime.remote..");

    @ArchTest
    static final ArchRule theClientSideNeverUsesTheNodeSide = noClasses().that().resideInAPackage("dev.wharf.runtime.remote..")
            .should().dependOnClassesThat().resideInAPackage("dev.wharf.runtime.node..");

    @ArchTest
    static final ArchRule theWireIsSharedNotOwned = noClasses().that().resideInAPackage("dev.wharf.runtime.wire..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.wharf.runtime.node..", "dev.wharf.runtime.remote..");

    @ArchTest
    static final ArchRule controllersDoNotTouchRepositories = noClasses().that().areAnnotatedWith(Controller.class)
            .or().areAnnotatedWith(RestController.class)
            .should().dependOnClassesThat().areAssignableTo(org.springframework.data.repository.Repository.class);

    /**
     * Each subpackage of {@code dev.wharf.platform} is a feature module, and these are the modules each may use:
     * a new arrow between features is a decision, made here (and then seen in docs/modules.md).
     */
    static final Map<String, Set<String>> FEATURE_DEPENDENCIES = Map.ofEntries(
            Map.entry("audit", Set.of("identity", "team", "web")),
            Map.entry("docker", Set.of("audit", "identity", "image", "node", "pki", "quota", "team", "volume", "web", "workload")),
            Map.entry("identity", Set.of("secret", "web")),
            Map.entry("image", Set.of("identity", "node", "secret", "team", "web")),
            Map.entry("node", Set.of("identity", "pki", "secret", "web")),
            Map.entry("oidc", Set.of("audit", "identity", "team", "web")),
            Map.entry("pki", Set.of("secret")),
            Map.entry("project", Set.of("identity", "team", "web")),
            Map.entry("quota", Set.of("identity", "node", "team", "web")),
            Map.entry("secret", Set.of()),
            Map.entry("team", Set.of("identity", "node", "web")),
            Map.entry("volume", Set.of("identity", "node", "quota", "team", "web")),
            Map.entry("web", Set.of()),
            Map.entry("workload", Set.of("audit", "identity", "image", "node", "project", "quota", "team", "volume", "web")));

    static final Path MODULES_DOCUMENT = Path.of("docs", "modules.md");

    @ArchTest
    static final ArchRule platformClassesLiveInAFeature = classes().that().resideInAPackage("dev.wharf.platform..")
            .should().resideInAPackage("dev.wharf.platform.*..")
            .as("every class of the platform lives in a feature package, none in dev.wharf.platform itself");

    @ArchTest
    static final ArchRule featuresAreFreeOfCycles = slices().matching("dev.wharf.platform.(*)..").namingSlices("feature $1")
            .should().beFreeOfCycles();

    @ArchTest
    static void featuresUseOnlyTheFeaturesTheyDeclare(JavaClasses classes) {
        FeatureGraph graph = FeatureGraph.of(classes);
        List<String> wrong = new ArrayList<>();
        for (String feature : graph.features()) {
            Set<String> declared = FEATURE_DEPENDENCIES.get(feature);
            if (declared == null) {
                wrong.add("feature " + feature + " is not in FEATURE_DEPENDENCIES: add it with the features it uses, "
                        + graph.dependencies(feature));
                continue;
            }
            for (String used : graph.dependencies(feature)) {
                if (!declared.contains(used)) {
                    wrong.add(feature + " uses " + used + " " + graph.used(feature, used) + " without declaring it");
                }
            }
            for (String unused : new TreeSet<>(declared)) {
                if (!graph.dependencies(feature).contains(unused)) {
                    wrong.add(feature + " declares " + unused + " but no longer uses it: remove it from FEATURE_DEPENDENCIES");
                }
            }
        }
        for (String gone : new TreeSet<>(FEATURE_DEPENDENCIES.keySet())) {
            if (!graph.features().contains(gone)) {
                wrong.add("feature " + gone + " is declared but has no classes: remove it from FEATURE_DEPENDENCIES");
            }
        }
        assertThat(wrong).as("the platform's features and the features they use (FEATURE_DEPENDENCIES)").isEmpty();
    }

    /** docs/modules.md is written from the code: when it differs, it is rewritten and the test fails, so the change is committed. */
    @ArchTest
    static void modulesDocumentIsUpToDate(JavaClasses classes) throws IOException {
        String written = ModulesDocument.render(FeatureGraph.of(classes));
        String committed = Files.exists(MODULES_DOCUMENT) ? Files.readString(MODULES_DOCUMENT, StandardCharsets.UTF_8) : "";
        if (!written.equals(committed)) {
            Files.writeString(MODULES_DOCUMENT, written, StandardCharsets.UTF_8);
        }
        assertThat(committed).as(MODULES_DOCUMENT + " did not match the code; it has been rewritten: review and commit it")
                .isEqualTo(written);
    }
}
