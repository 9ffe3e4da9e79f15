package dev.attune.benchmarks;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout of the whole reactor, on the compiled classes of every module (this module depends on
 * all of them): each module declares only its own packages, the plug-in modules (data, evaluation,
 * adapters) never use one another, and no class outside Attune's own packages uses an internal package.
 */
class ModuleLayoutTest {
    /** A module's compiled classes, in the reactor ({@code core/target/classes}) or as a jar ({@code attune-core-*.jar}). */
    private static final Pattern MODULE = Pattern.compile(
            "/(core|data|evaluation|adapters|deploy|registry|serving|monitoring|spark|benchmarks)/target/(?:test-)?classes/"
                    + "|/attune-(core|data|evaluation|adapters|deploy|registry|serving|monitoring|spark|benchmarks)-[^/]*\\.jar");
    /** The packages each module owns (prefixes; core's main and test packages). */
    private static final Map<String, List<String>> OWN = Map.of(
            "core", List.of("dev.attune", "dev.attune.search", "dev.attune.spi", "dev.attune.internal", "dev.attune.architecture"),
            "data", List.of("dev.attune.data"),
            "evaluation", List.of("dev.attune.evaluation"),
            "adapters", List.of("dev.attune.adapters"),
            "deploy", List.of("dev.attune.deploy"),
            "registry", List.of("dev.attune.registry"),
            "serving", List.of("dev.attune.serving"),
            "monitoring", List.of("dev.attune.monitoring"),
            "spark", List.of("dev.attune.spark"),
            "benchmarks", List.of("dev.attune.benchmarks"));
    /** The modules that build on core alone (deploy, registry, serving and monitoring bring the others together). */
    private static final List<String> PLUG_INS = List.of("data", "evaluation", "adapters");

    private static JavaClasses classes;

    @BeforeAll
    static void importEveryModule() {
        classes = new ClassFileImporter().withImportOption(location -> module(location).isPresent()).importClasspath();
        assertThat(classes.stream().map(c -> moduleOf(c).orElse("?")).distinct())
                .as("the classes of every module are on the test class path")
                .contains("core", "data", "evaluation", "adapters", "deploy", "registry", "serving", "monitoring",
                        "spark", "benchmarks");
    }

    @Test
    void eachModuleDeclaresOnlyItsOwnPackages() {
        classes().should(new ArchCondition<>("reside in a package of their own module") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                String module = moduleOf(c).orElseThrow();
                boolean own = OWN.get(module).stream().anyMatch(p -> c.getPackageName().equals(p)
                        || c.getPackageName().startsWith(p + ".") && !p.equals("dev.attune"));
                if (!own) {
                    events.add(SimpleConditionEvent.violated(c, c.getName() + " of module " + module
                            + " declares package " + c.getPackageName() + ", not one of " + OWN.get(module)));
                }
            }
        }).check(classes);
    }

    @Test
    void pluginModulesNeverUseEachOther() {
        for (String module : PLUG_INS) {
            String[] others = PLUG_INS.stream().filter(m -> !m.equals(module)).map(m -> "dev.attune." + m + "..")
                    .toArray(String[]::new);
            noClasses().that().resideInAPackage("dev.attune." + module + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(others)
                    .because("plug-in modules build on core alone, as host applications do")
                    .check(classes);
        }
    }

    @Test
    void internalPackagesServeAttuneAlone() {
        noClasses().that().resideOutsideOfPackage("dev.attune..")
                .should().dependOnClassesThat().resideInAPackage("dev.attune.internal..")
                .because("internal packages are public only for Attune's own modules")
                // Every class of the reactor lives under dev.attune today: the rule guards what is added.
                .allowEmptyShould(true)
                .check(classes);
    }

    private static Optional<String> module(Location location) {
        Matcher m = MODULE.matcher(location.asURI().toString());
        return m.find() ? Optional.of(m.group(1) != null ? m.group(1) : m.group(2)) : Optional.empty();
    }

    private static Optional<String> moduleOf(JavaClass c) {
        return c.getSource().flatMap(s -> {
            Matcher m = MODULE.matcher(s.getUri().toString());
            return m.find() ? Optional.of(m.group(1) != null ? m.group(1) : m.group(2)) : Optional.empty();
        });
    }

}
