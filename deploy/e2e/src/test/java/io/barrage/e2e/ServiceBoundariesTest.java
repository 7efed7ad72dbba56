package io.barrage.e2e;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * No service imports another service's code: they meet only over HTTP APIs and Kafka events. What they
 * share is the platform's plumbing, and the platform knows no service.
 */
class ServiceBoundariesTest {

    /** Module → its base package. */
    private static final Map<String, String> SERVICES = Map.of(
            "gateway", "io.barrage.gateway",
            "user-service", "io.barrage.user",
            "video-service", "io.barrage.video",
            "danmaku-service", "io.barrage.danmaku",
            "push-service", "io.barrage.push",
            "scheduler-service", "io.barrage.scheduler");

    private static final Path ROOT = findRoot();

    @Test
    void noServiceDependsOnAnotherServiceOrOnTheTestInfrastructure() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPaths(SERVICES.keySet().stream()
                        .map(module -> ROOT.resolve(module).resolve("target/classes"))
                        .toList());
        SERVICES.forEach((module, basePackage) -> {
            assertThat(classes.stream().filter(c -> c.getPackageName().startsWith(basePackage)))
                    .as("classes of %s", module)
                    .isNotEmpty();
            List<String> others = SERVICES.values().stream()
                    .filter(p -> !p.equals(basePackage))
                    .map(p -> p + "..")
                    .toList();
            noClasses()
                    .that()
                    .resideInAPackage(basePackage + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(others.toArray(String[]::new))
                    .orShould()
                    .dependOnClassesThat()
                    .resideInAPackage("io.barrage.infra..")
                    .because("services share APIs and events, never code")
                    .check(classes);
        });
    }

    @Test
    void thePlatformImportsNoService() {
        JavaClasses platform = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPath(ROOT.resolve("platform/target/classes"));
        assertThat(platform.stream().filter(c -> c.getPackageName().startsWith("io.barrage.platform")))
                .as("classes of platform")
                .isNotEmpty();
        noClasses()
                .that()
                .resideInAPackage("io.barrage.platform..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        SERVICES.values().stream().map(p -> p + "..").toArray(String[]::new))
                .orShould()
                .dependOnClassesThat()
                .resideInAPackage("io.barrage.infra..")
                .because("the platform is plumbing every service shares; it knows none of them")
                .check(platform);
    }

    private static Path findRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("deploy/servers/kafka/pom.xml"))) {
            dir = dir.getParent();
        }
        return dir;
    }
}
