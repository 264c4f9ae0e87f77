package dev.slipway.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.SlipwayException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectTest {
    @TempDir
    Path tmp;

    @Test
    void plainProjectFindsTheOnlyMainAndTheJdkAndPostgres() throws Exception {
        Projects.plain(tmp);
        Project p = Project.detect(tmp, null);
        assertEquals("billing-service", p.name());
        assertEquals("com.acme.billing.Server", p.mainClass());
        assertEquals(21, p.jdk());
        assertEquals(Project.Framework.PLAIN, p.framework());
        assertTrue(p.postgres());
        assertFalse(p.multiModule());
        assertFalse(p.customBuildCommand(), p.buildCommand().toString());
    }

    @Test
    void springBootPicksTheApplicationClassAndActuatorProbes() throws Exception {
        Projects.springBoot(tmp);
        Project p = Project.detect(tmp, null);
        assertEquals(Project.Framework.SPRING_BOOT, p.framework());
        assertEquals("com.acme.orders.OrdersApplication", p.mainClass());
        assertEquals(21, p.jdk());
        assertEquals("/actuator/health/readiness", p.framework().readiness());
        assertEquals("/actuator/health/liveness", p.framework().liveness());
        assertTrue(p.buildCommand().contains("-Dspring-boot.repackage.skip=true"), p.buildCommand().toString());
        assertFalse(p.postgres());
    }

    @Test
    void springBootMainClassFromThePluginConfigWins() throws Exception {
        Projects.springBoot(tmp);
        Projects.write(tmp, "pom.xml", java.nio.file.Files.readString(tmp.resolve("pom.xml")).replace(
                "<artifactId>spring-boot-maven-plugin</artifactId>",
                "<artifactId>spring-boot-maven-plugin</artifactId><configuration><mainClass>${start}</mainClass></configuration>")
                .replace("<java.version>21</java.version>", "<java.version>21</java.version><start>com.acme.Boot</start>"));
        assertEquals("com.acme.Boot", Project.detect(tmp, null).mainClass());
        assertEquals("the Spring Boot plugin's mainClass", Project.detect(tmp, null).mainSource());
    }

    @Test
    void multiModuleChoosesTheAppModuleFromTheRootAndFromInside() throws Exception {
        Projects.multiModule(tmp);
        for (Path start : List.of(tmp, tmp.resolve("shop-api"))) {
            Project p = Project.detect(start, null);
            assertEquals(tmp.resolve("shop-api"), p.serviceDir());
            assertEquals(tmp, p.rootDir());
            assertEquals("shop-api", p.modulePath());
            assertEquals("com.acme.shop.Api", p.mainClass());
            assertEquals("the jar plugin's manifest (archive/manifest/mainClass)", p.mainSource());
            assertEquals(17, p.jdk(), "the module's release wins over the parent's source 1.8");
            assertEquals(Project.Framework.JAVALIN, p.framework());
            assertEquals(List.of("mvn", "-q", "-B", "-f", "../pom.xml", "-DskipTests", "package", "-pl", ":shop-api", "-am",
                    "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
                    "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:list", "-DincludeScope=runtime",
                    "-DoutputDirectory=target/slipway/lib", "-DoutputFile=target/slipway/dependencies.txt"), p.buildCommand());
        }
    }

    @Test
    void severalMainsNeedAHintAndNoPomIsAUsageError() throws Exception {
        Projects.plain(tmp);
        Projects.write(tmp, "src/main/java/com/acme/billing/Admin.java",
                "package com.acme.billing;\nclass Admin { public static void main(String[] a) {} }\n");
        SlipwayException e = assertThrows(SlipwayException.class, () -> Project.detect(tmp, null));
        assertEquals(SlipwayException.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("[com.acme.billing.Admin, com.acme.billing.Server]"), e.getMessage());
        assertEquals("com.acme.billing.Admin", Project.detect(tmp, "com.acme.billing.Admin").mainClass());
        SlipwayException none = assertThrows(SlipwayException.class, () -> Project.detect(tmp.resolve("src"), null));
        assertTrue(none.getMessage().startsWith("no pom.xml"), none.getMessage());
    }

    @Test
    void quarkusNeedsNoMainAndBuildsAnUberJar() throws Exception {
        Projects.write(tmp, "pom.xml", """
                <project><modelVersion>4.0.0</modelVersion><groupId>a</groupId><artifactId>q</artifactId><version>1</version>
                <dependencies><dependency><groupId>io.quarkus</groupId><artifactId>quarkus-rest</artifactId></dependency></dependencies>
                </project>
                """);
        Project p = Project.detect(tmp, null);
        assertEquals(Project.Framework.QUARKUS, p.framework());
        assertNull(p.mainClass());
        assertEquals("/q/health/ready", p.framework().readiness());
        assertTrue(p.buildCommand().contains("-Dquarkus.package.jar.type=uber-jar"));
        assertFalse(p.buildCommand().stream().anyMatch(a -> a.contains("copy-dependencies")));
    }
}
