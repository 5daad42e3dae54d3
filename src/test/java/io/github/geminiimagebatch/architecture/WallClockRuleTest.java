package io.github.geminiimagebatch.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.github.geminiimagebatch.architecture.fixture.InjectedClockReader;
import io.github.geminiimagebatch.architecture.fixture.WallClockReader;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Time enters the product in one place. Outside the composition root (the command line, the
 * application's wiring) and the simulator's own entry, nothing reads the wall clock: everything that
 * decides by time takes the {@link Clock} it was given, so every rule can be tested at any instant.
 */
class WallClockRuleTest {

    /** Classes (with their nested classes) that may read the system clock: they hand it to everything else. */
    private static final List<String> COMPOSITION_ROOTS = List.of(
            "io.github.geminiimagebatch.cli.GeminiImageBatch",
            "io.github.geminiimagebatch.simulator.SimulatorCommand",
            "io.github.geminiimagebatch.simulator.SimulatorOptions");

    /** Packages that are composition root as a whole. */
    private static final String ROOT_PACKAGE = "io.github.geminiimagebatch.app";

    private static final Set<Class<?>> DATE_TIME_TYPES = Set.of(Instant.class, LocalDate.class, LocalDateTime.class,
            LocalTime.class, ZonedDateTime.class, OffsetDateTime.class);

    static final ArchRule NO_WALL_CLOCK_OUTSIDE_THE_ROOT = noClasses()
            .that(DescribedPredicate.not(compositionRoot()))
            .should().callMethodWhere(readsTheWallClock())
            .because("time must come from the Clock the composition root hands out (issue #19: tests at any hour)");

    @Test
    void productCodeReadsTimeOnlyThroughTheInjectedClock() {
        JavaClasses product = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.github.geminiimagebatch");
        NO_WALL_CLOCK_OUTSIDE_THE_ROOT.check(product);
    }

    @Test
    void theRuleBitesOnADeliberateViolation() {
        JavaClasses violation = new ClassFileImporter().importClasses(WallClockReader.class);
        assertThatThrownBy(() -> NO_WALL_CLOCK_OUTSIDE_THE_ROOT.check(violation))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Instant.now()")
                .hasMessageContaining("LocalDate.now(java.time.ZoneId)")
                .hasMessageContaining("System.currentTimeMillis()");
    }

    @Test
    void readingAnInjectedClockIsAllowed() {
        JavaClasses allowed = new ClassFileImporter().importClasses(InjectedClockReader.class);
        assertThatCode(() -> NO_WALL_CLOCK_OUTSIDE_THE_ROOT.check(allowed)).doesNotThrowAnyException();
    }

    private static DescribedPredicate<JavaClass> compositionRoot() {
        return DescribedPredicate.describe("the composition root", c -> {
            String name = c.getName();
            return c.getPackageName().equals(ROOT_PACKAGE) || c.getPackageName().startsWith(ROOT_PACKAGE + ".")
                    || COMPOSITION_ROOTS.stream().anyMatch(root -> name.equals(root) || name.startsWith(root + "$"));
        });
    }

    /**
     * {@code now()} and {@code now(ZoneId)} of the java.time types, {@code Clock.system*()} and
     * {@code System.currentTimeMillis()}; {@code now(Clock)} is the injected clock and is fine.
     */
    private static DescribedPredicate<JavaMethodCall> readsTheWallClock() {
        return DescribedPredicate.describe("reads the wall clock", call -> {
            JavaClass owner = call.getTargetOwner();
            String method = call.getName();
            List<JavaClass> parameters = call.getTarget().getRawParameterTypes();
            if (owner.isEquivalentTo(System.class)) {
                return method.equals("currentTimeMillis");
            }
            if (owner.isEquivalentTo(Clock.class)) {
                return method.startsWith("system");
            }
            boolean dateTime = DATE_TIME_TYPES.stream().anyMatch(owner::isEquivalentTo);
            return dateTime && method.equals("now")
                    && (parameters.isEmpty() || !parameters.get(0).isEquivalentTo(Clock.class));
        });
    }
}
