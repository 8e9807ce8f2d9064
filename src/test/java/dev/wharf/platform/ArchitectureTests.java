package dev.wharf.platform;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RestController;

/** The package rules of docs/architecture.md. */
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
    static final ArchRule controllersArePackagePrivate = classes().that().areAnnotatedWith(Controller.class)
            .or().areAnnotatedWith(RestController.class)
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
}
