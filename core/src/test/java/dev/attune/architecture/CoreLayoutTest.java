package dev.attune.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The layout of {@code attune-core} as rules on its compiled classes: one slice per package, no cycle
 * between them; the API packages ({@code dev.attune}, {@code dev.attune.search}) and the SPI name no
 * internal type in what they make public; the SPI stands on its own; the internal packages never reach
 * back into the API packages; {@code dev.attune} never depends on {@code dev.attune.search}.
 */
@AnalyzeClasses(packages = "dev.attune", importOptions = ImportOption.DoNotIncludeTests.class)
class CoreLayoutTest {
    static final String API = "dev.attune";
    static final String SEARCH = "dev.attune.search";
    static final String SPI = "dev.attune.spi";
    static final String INTERNAL = "dev.attune.internal..";

    /** Each package of core is a slice of its own: a cycle between any two of them is an error. */
    @ArchTest
    static final ArchRule noPackageCycles = slices().assignedFrom(new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            return javaClass.getPackageName().startsWith(API) ? SliceIdentifier.of(javaClass.getPackageName())
                    : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "the packages of attune-core";
        }
    }).should().beFreeOfCycles();

    @ArchTest
    static final ArchRule apiAndSpiExposeNoInternalType = classes()
            .that().resideInAnyPackage(API, SEARCH, SPI).and().arePublic()
            .should(exposeNoTypeFrom(INTERNAL))
            .because("users and plug-ins see the API and the SPI only; internal types may change at any time");

    @ArchTest
    static final ArchRule spiStandsAlone = noClasses()
            .that().resideInAPackage(SPI)
            .should().dependOnClassesThat().resideInAnyPackage(API, SEARCH, INTERNAL)
            .because("every package builds on the SPI, so it may build on none of them");

    @ArchTest
    static final ArchRule internalsNeverReachTheApi = noClasses()
            .that().resideInAPackage(INTERNAL)
            .should().dependOnClassesThat().resideInAnyPackage(API, SEARCH)
            .because("the API is built on the model families, not the other way round");

    /** The search is an API package built on top of {@code dev.attune}: the fine-tuning API never needs it. */
    @ArchTest
    static final ArchRule theApiDoesNotDependOnTheSearch = noClasses()
            .that().resideInAPackage(API)
            .should().dependOnClassesThat().resideInAPackage(SEARCH)
            .because("a search runs fine-tuners; fine-tuning runs without it");

    /**
     * A public class's public and protected members, super types and type parameters name no type of
     * the given packages (type arguments included: {@code List<Internal>} counts).
     */
    static ArchCondition<JavaClass> exposeNoTypeFrom(String packages) {
        DescribedPredicate<JavaClass> hidden = JavaClass.Predicates.resideInAnyPackage(packages);
        return new ArchCondition<>("expose no type from " + packages) {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                List<String> found = new ArrayList<>();
                List<JavaType> supers = new ArrayList<>();
                c.getSuperclass().ifPresent(supers::add);
                supers.addAll(c.getInterfaces());
                supers.forEach(t -> named(t, hidden).forEach(n -> found.add("extends " + n)));
                for (JavaField f : c.getFields()) {
                    if (visible(f.getModifiers())) {
                        named(f.getType(), hidden).forEach(n -> found.add("field " + f.getName() + ": " + n));
                    }
                }
                for (JavaCodeUnit u : c.getCodeUnits()) {
                    if (!visible(u.getModifiers())) {
                        continue;
                    }
                    String where = u.getName() + "(...)";
                    named(u.getReturnType(), hidden).forEach(n -> found.add(where + " returns " + n));
                    u.getParameterTypes().forEach(t -> named(t, hidden).forEach(n -> found.add(where + " takes " + n)));
                    u.getThrowsClause().getTypes().forEach(t -> {
                        if (hidden.test(t)) {
                            found.add(where + " throws " + t.getName());
                        }
                    });
                }
                for (String f : found) {
                    events.add(SimpleConditionEvent.violated(c, c.getName() + " exposes an internal type: " + f));
                }
            }
        };
    }

    private static boolean visible(Set<JavaModifier> modifiers) {
        return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }

    private static Set<String> named(JavaType type, DescribedPredicate<JavaClass> hidden) {
        Set<String> out = new LinkedHashSet<>();
        type.getAllInvolvedRawTypes().stream().filter(hidden).forEach(t -> out.add(t.getName()));
        return out;
    }
}
