package dev.slipway.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.SlipwayException;
import java.nio.file.Files;
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
        assertEquals(Project.BuildTool.MAVEN, p.buildTool());
        assertNull(Proposal.of(p, null).command(), "a plain single-module project keeps Slipway's default command");
    }

    /**
     * The Kotlin Spring Boot starter's shape: a top-level {@code fun main} in src/main/kotlin compiles
     * to the facade class {@code DemoApplicationKt} (init stopped with "no main class").
     */
    @Test
    void kotlinTopLevelMainIsTheFilesFacadeClass() throws Exception {
        Projects.springBoot(tmp);
        java.nio.file.Files.walk(tmp.resolve("src/main/java")).sorted(java.util.Comparator.reverseOrder())
                .forEach(f -> f.toFile().delete());
        Projects.write(tmp, "src/main/kotlin/com/example/demo/DemoApplication.kt", "package com.example.demo\n\n"
                + "import org.springframework.boot.autoconfigure.SpringBootApplication\n"
                + "import org.springframework.boot.runApplication\n\n@SpringBootApplication\nclass DemoApplication\n\n"
                + "fun main(args: Array<String>) {\n\trunApplication<DemoApplication>(*args)\n}\n");
        Projects.write(tmp, "src/main/kotlin/com/example/demo/Tools.kt", "@file:JvmName(\"Admin\")\npackage com.example.demo\n\n"
                + "class Helper {\n    companion object {\n        @JvmStatic fun main(args: Array<String>) {}\n    }\n}\n");
        Project p = Project.detect(tmp, null);
        assertEquals("com.example.demo.DemoApplicationKt", p.mainClass(), "a companion object's main is not top-level");
        assertEquals("the only main method in src/main/kotlin", p.mainSource());
        Projects.write(tmp, "src/main/kotlin/com/example/demo/Tools.kt", "@file:JvmName(\"Admin\")\npackage com.example.demo\n\n"
                + "fun main() {}\n");
        assertEquals("com.example.demo.DemoApplicationKt", Project.detect(tmp, null).mainClass(),
                "two mains: the @SpringBootApplication file's");
        java.nio.file.Files.delete(tmp.resolve("src/main/kotlin/com/example/demo/DemoApplication.kt"));
        assertEquals("com.example.demo.Admin", Project.detect(tmp, null).mainClass(), "@file:JvmName names the class");
    }

    @Test
    void springBootPicksTheApplicationClassAndActuatorProbes() throws Exception {
        Projects.springBoot(tmp);
        Project p = Project.detect(tmp, null);
        assertEquals(Project.Framework.SPRING_BOOT, p.framework());
        assertEquals("com.acme.orders.OrdersApplication", p.mainClass());
        assertEquals(21, p.jdk());
        assertEquals("the @SpringBootApplication class", p.mainSource());
        assertFalse(p.postgres());
    }

    @Test
    void springBootRunMainClassPicksOneOfSeveralApplicationClasses() throws Exception {
        // Two @SpringBootApplication classes: Boot 3's parent repackages the one the property names.
        Projects.springBoot(tmp);
        Projects.write(tmp, "src/main/java/com/acme/orders/admin/AdminTool.java", """
                package com.acme.orders.admin;

                import org.springframework.boot.autoconfigure.SpringBootApplication;

                @SpringBootApplication
                public class AdminTool {
                    public static void main(String[] args) {
                    }
                }
                """);
        assertThrows(dev.slipway.SlipwayException.class, () -> Project.detect(tmp, null), "two candidates, no hint");
        Projects.write(tmp, "pom.xml", java.nio.file.Files.readString(tmp.resolve("pom.xml")).replace(
                "<java.version>21</java.version>", "<java.version>21</java.version>"
                        + "<start-class>com.acme.orders.admin.AdminTool</start-class>"
                        + "<spring-boot.run.main-class>com.acme.orders.OrdersApplication</spring-boot.run.main-class>"));
        Project p = Project.detect(tmp, null);
        assertEquals("com.acme.orders.OrdersApplication", p.mainClass(), "the parent maps start-class into it");
        assertEquals("the POM property spring-boot.run.main-class", p.mainSource());
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
            List<String> def = dev.slipway.config.ConfigLoader.DEFAULT_BUILD_COMMAND;
            List<String> expected = new java.util.ArrayList<>(List.of("mvn", "-q", "-B", "-f", "../pom.xml", "-DskipTests",
                    "package", "-pl", ":shop-api", "-am"));
            expected.addAll(def.subList(def.indexOf("package") + 1, def.size()));
            assertEquals(expected, Proposal.of(p, null).command(), "the default command, run from the reactor root");
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
        assertTrue(none.getMessage().startsWith("no pom.xml, build.gradle or build.gradle.kts in "), none.getMessage());
    }

    @Test
    void quarkusStarterWithPackagingQuarkusNeedsNoMain() throws Exception {
        Projects.quarkus(tmp, true);
        Project p = Project.detect(tmp, null);
        assertEquals(Project.Framework.QUARKUS, p.framework());
        assertEquals("quarkus", p.pom().packaging());
        assertNull(p.mainClass());
        assertEquals("code-with-quarkus", p.name());
        assertEquals(17, p.jdk());
    }

    @Test
    void otherPackagingsSayWhatToSet() throws Exception {
        Projects.write(tmp, "pom.xml", """
                <project><modelVersion>4.0.0</modelVersion><groupId>a</groupId><artifactId>w</artifactId><version>1</version>
                <packaging>war</packaging></project>
                """);
        SlipwayException e = assertThrows(SlipwayException.class, () -> Project.detect(tmp, null));
        assertEquals(SlipwayException.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("has packaging 'war': Slipway ships a runnable jar (packaging 'jar', or"
                + " 'quarkus'; 'war' with Spring Boot's Maven plugin); set <packaging>jar</packaging>"), e.getMessage());
    }

    /** The Spring Boot starter's war: its Maven plugin's repackage makes the war executable, which Slipway ships. */
    @Test
    void springBootWarIsShipped() throws Exception {
        Projects.springBoot(tmp);
        Path pom = tmp.resolve("pom.xml");
        String text = Files.readString(pom);
        assertTrue(text.contains("<artifactId>spring-boot-maven-plugin</artifactId>"), text);
        Files.writeString(pom, text.replace("<version>0.0.1-SNAPSHOT</version>",
                "<version>0.0.1-SNAPSHOT</version><packaging>war</packaging>"));
        Project p = Project.detect(tmp, null);
        assertEquals("war", p.pom().packaging());
        assertEquals(Project.Framework.SPRING_BOOT, p.framework());
        assertEquals("com.acme.orders.OrdersApplication", p.mainClass());
        Files.writeString(pom, Files.readString(pom).replace(
                "<plugin><groupId>org.springframework.boot</groupId><artifactId>spring-boot-maven-plugin</artifactId></plugin>", ""));
        assertThrows(SlipwayException.class, () -> Project.detect(tmp, null), "without the plugin the war is a plain war");
    }

    @Test
    void frameworksAndMainClassesOfEachStarter() throws Exception {
        record Case(String dir, Project.Framework fw, String main, String mainSource, int jdk) {}
        Projects.springBoot3Jpa(tmp.resolve("boot3"));
        Projects.springBoot4WebFlux(tmp.resolve("boot4"));
        Projects.micronaut(tmp.resolve("mn"), true);
        Projects.helidonSe(tmp.resolve("se"), true);
        Projects.helidonMp(tmp.resolve("mp"));
        Projects.javalin(tmp.resolve("javalin"), null);
        Projects.dropwizard(tmp.resolve("dw"), null);
        Projects.jdkHttpServer(tmp.resolve("jdk"), true);
        for (Case c : List.of(
                new Case("boot3", Project.Framework.SPRING_BOOT, "com.example.demo.DemoApplication",
                        "the only main method in src/main/java", 17),
                new Case("boot4", Project.Framework.SPRING_BOOT, "com.example.reactive.ReactiveApplication",
                        "the only main method in src/main/java", 21),
                new Case("mn", Project.Framework.MICRONAUT, "com.example.Application", "the POM property exec.mainClass", 21),
                new Case("se", Project.Framework.HELIDON_SE, "io.helidon.examples.quickstart.se.Main",
                        "the POM property mainClass", 21),
                new Case("mp", Project.Framework.HELIDON_MP, Project.HELIDON_MP_MAIN,
                        "Helidon MP's CDI container (the helidon-mp parent's mainClass)", 21),
                new Case("javalin", Project.Framework.JAVALIN, "com.example.App", "the assembly plugin's manifest", 17),
                new Case("dw", Project.Framework.DROPWIZARD, "com.example.HelloApplication",
                        "the jar plugin's manifest (archive/manifest/mainClass)", 17),
                new Case("jdk", Project.Framework.PLAIN, "com.example.Hello", "the only main method in src/main/java", 17))) {
            Project p = Project.detect(tmp.resolve(c.dir()), null);
            assertEquals(c.fw(), p.framework(), c.dir());
            assertEquals(c.main(), p.mainClass(), c.dir());
            assertEquals(c.mainSource(), p.mainSource(), c.dir());
            assertEquals(c.jdk(), p.jdk(), c.dir());
        }
        Project mn = Project.detect(tmp.resolve("mn"), null);
        assertEquals("jar", mn.pom().packaging(), "Micronaut's ${packaging} is expanded");
        assertEquals("release.version (Micronaut)", mn.jdkSource());
        assertEquals("Helidon 4's application parent compiles for Java 21",
                Project.detect(tmp.resolve("se"), null).jdkSource());
        assertFalse(Project.detect(tmp.resolve("boot3"), null).uses("org.springframework.boot:spring-boot-starter-test"),
                "test-scoped dependencies are not the app's");
        Projects.write(tmp.resolve("jdk"), "pom.xml", java.nio.file.Files.readString(tmp.resolve("jdk/pom.xml")).replace(
                "</properties>", "</properties><dependencies><dependency><groupId>org.postgresql</groupId>"
                        + "<artifactId>postgresql</artifactId><scope>test</scope></dependency></dependencies>"));
        Project jdk = Project.detect(tmp.resolve("jdk"), null);
        assertTrue(jdk.postgres(), "a test-scoped driver still needs the database in CI");
        assertFalse(jdk.uses("org.postgresql:postgresql"));
    }

    @Test
    void vertxStarterMainClassFromTheShadeExecutionsManifestEntries() throws Exception {
        Projects.vertx(tmp, false);
        Project p = Project.detect(tmp, null);
        assertEquals(Project.Framework.VERTX, p.framework());
        assertEquals("io.vertx.core.Launcher", p.mainClass(), "${launcher.class} from the POM's properties");
        assertEquals("the shade plugin's manifestEntries/Main-Class", p.mainSource());
        assertEquals("com.example.starter.MainVerticle", p.pom().pluginConfig(
                "org.apache.maven.plugins:maven-shade-plugin", "*", "manifestEntries", "Main-Verticle"));
        assertTrue(p.pom().runs("org.apache.maven.plugins:maven-shade-plugin", "shade"));
        assertEquals("Vert.x", p.facts().get("framework"));
    }

    /**
     * A plain app whose jar names no Main-Class and that its team runs with {@code mvn exec:java}: the
     * exec plugin's {@code <configuration><mainClass>} names the service among several classes with a
     * main method (init stopped with "several main classes").
     */
    @Test
    void execPluginMainClassNamesTheServiceAmongSeveralMains() throws Exception {
        Projects.plain(tmp);
        Projects.write(tmp, "src/main/java/com/acme/billing/Admin.java",
                "package com.acme.billing;\nclass Admin { public static void main(String[] a) {} }\n");
        Path pom = tmp.resolve("pom.xml");
        String text = Files.readString(pom);
        String plugin = """
                <plugin><groupId>org.codehaus.mojo</groupId><artifactId>exec-maven-plugin</artifactId><version>3.6.2</version>
                  <configuration><mainClass>com.acme.billing.Server</mainClass></configuration></plugin>
                """;
        Files.writeString(pom, text.contains("<plugins>") ? text.replace("<plugins>", "<plugins>" + plugin)
                : text.replace("</project>", "<build><plugins>" + plugin + "</plugins></build></project>"));
        Project p = Project.detect(tmp, null);
        assertEquals("com.acme.billing.Server", p.mainClass());
        assertEquals("the exec plugin's mainClass", p.mainSource());
    }

    /**
     * A modular app (module-info.java) that its team starts with {@code mvn exec:exec} running
     * {@code java --module-path %modulepath --module billing/com.acme.billing.Server}, its jar naming
     * no Main-Class: the class after the module's name is the service's.
     */
    @Test
    void execExecJavaCommandLineNamesTheModularAppsMain() throws Exception {
        Projects.plain(tmp);
        Projects.write(tmp, "src/main/java/com/acme/billing/Admin.java",
                "package com.acme.billing;\nclass Admin { public static void main(String[] a) {} }\n");
        Projects.write(tmp, "src/main/java/module-info.java", "module billing { requires java.sql; }\n");
        Path pom = tmp.resolve("pom.xml");
        String text = Files.readString(pom);
        String plugin = """
                <plugin><groupId>org.codehaus.mojo</groupId><artifactId>exec-maven-plugin</artifactId><version>3.6.2</version>
                  <configuration><executable>java</executable><arguments>
                    <argument>--module-path</argument><modulepath/>
                    <argument>--module</argument><argument>billing/${app.main}</argument>
                  </arguments></configuration></plugin>
                """;
        text = text.replace("<properties>", "<properties><app.main>com.acme.billing.Server</app.main>");
        Files.writeString(pom, text.contains("<plugins>") ? text.replace("<plugins>", "<plugins>" + plugin)
                : text.replace("</project>", "<build><plugins>" + plugin + "</plugins></build></project>"));
        Project p = Project.detect(tmp, null);
        assertEquals("com.acme.billing.Server", p.mainClass());
        assertEquals("the exec plugin's java arguments", p.mainSource());
        // Another program's arguments name no class: init asks, as without the plugin.
        Files.writeString(pom, Files.readString(pom).replace("<executable>java</executable>", "<executable>npm</executable>"));
        SlipwayException e = assertThrows(SlipwayException.class, () -> Project.detect(tmp, null));
        assertTrue(e.getMessage().contains("several main classes"), e.getMessage());
    }

    @Test
    void javaCommandMainReadsJavasLauncherSynopsis() {
        assertEquals("com.acme.Main", Project.javaCommandMain(List.of("-Xmx256m", "-classpath", "%classpath", "com.acme.Main", "serve")));
        assertEquals("com.acme.Main", Project.javaCommandMain(List.of("-cp", "%classpath", "-Dx=1", "com.acme.Main")));
        assertEquals("com.acme.Main", Project.javaCommandMain(List.of("-p", "%modulepath", "-m", "acme/com.acme.Main")));
        assertEquals("com.acme.Main", Project.javaCommandMain(List.of("--module=acme/com.acme.Main")));
        assertNull(Project.javaCommandMain(List.of("--module-path", "%modulepath", "--module", "acme")),
                "the descriptor's main class: none named on the line");
        assertNull(Project.javaCommandMain(List.of("-jar", "target/app.jar")));
        assertNull(Project.javaCommandMain(List.of("-classpath", "%classpath")));
    }

    @Test
    void propertiesComeFromALocalParentToo() throws Exception {
        // The jar plugin's manifestEntries name a property the parent POM (at ../pom.xml) sets.
        Projects.write(tmp, "pom.xml", """
                <project><modelVersion>4.0.0</modelVersion>
                  <groupId>com.acme</groupId><artifactId>parent</artifactId><version>1</version><packaging>pom</packaging>
                  <properties><app.launcher>com.acme.Launch</app.launcher><maven.compiler.release>21</maven.compiler.release></properties>
                </project>
                """);
        Projects.write(tmp, "svc/pom.xml", """
                <project><modelVersion>4.0.0</modelVersion>
                  <parent><groupId>com.acme</groupId><artifactId>parent</artifactId><version>1</version></parent>
                  <artifactId>svc</artifactId>
                  <build><plugins><plugin><artifactId>maven-jar-plugin</artifactId>
                    <configuration><archive><manifestEntries><Main-Class>${app.launcher}</Main-Class></manifestEntries></archive></configuration>
                  </plugin></plugins></build>
                </project>
                """);
        Project p = Project.detect(tmp.resolve("svc"), null);
        assertEquals("com.acme.Launch", p.mainClass());
        assertEquals("the jar plugin's manifestEntries/Main-Class", p.mainSource());
        assertEquals(21, p.jdk());
        // A parent that is not the one named (another artifact at ../pom.xml) lends nothing.
        Projects.write(tmp, "pom.xml", Files.readString(tmp.resolve("pom.xml")).replace("<artifactId>parent<", "<artifactId>other<"));
        SlipwayException e = assertThrows(SlipwayException.class, () -> Project.detect(tmp.resolve("svc"), null));
        assertTrue(e.getMessage().contains("no main class"), e.getMessage());
    }

    @Test
    void gradleSpringBootFromInitializr() throws Exception {
        Projects.gradleSpringBoot(tmp);
        Project p = Project.detect(tmp, null);
        assertEquals(Project.BuildTool.GRADLE, p.buildTool());
        assertEquals(Project.Framework.SPRING_BOOT, p.framework());
        assertEquals("demo", p.name());
        assertEquals("com.example.demo.DemoApplication", p.mainClass());
        assertEquals(17, p.jdk());
        assertEquals("the Java toolchain in build.gradle", p.jdkSource());
        assertTrue(p.uses("org.springframework.boot:spring-boot-starter-actuator"));
        assertFalse(p.uses("org.springframework.boot:spring-boot-devtools"), "developmentOnly is not shipped");
        assertFalse(p.uses("org.springframework.boot:spring-boot-starter-test"));
        assertTrue(p.gradle().applies("org.springframework.boot"));
        assertEquals("0.0.1-SNAPSHOT", p.gradle().version());
        assertEquals("build.gradle", p.buildFile());
    }

    @Test
    void gradleMultiProjectChoosesTheApplicationProjectFromTheRootAndFromInside() throws Exception {
        Projects.gradleApplication(tmp);
        Projects.write(tmp, "lib/build.gradle.kts", "plugins {\n    `java-library`\n}\n");
        Projects.write(tmp, "settings.gradle.kts", java.nio.file.Files.readString(tmp.resolve("settings.gradle.kts"))
                .replace("include(\"app\")", "include(\"app\", \"lib\")"));
        for (Path start : List.of(tmp, tmp.resolve("app"))) {
            Project p = Project.detect(start, null);
            assertEquals(tmp.resolve("app"), p.serviceDir());
            assertEquals(tmp, p.rootDir());
            assertEquals("app", p.name(), "a subproject is named after its directory");
            assertEquals("org.example.App", p.mainClass());
            assertEquals("mainClass in build.gradle.kts", p.mainSource());
            assertEquals(21, p.jdk());
            assertEquals(Project.Framework.JAVALIN, p.framework());
            assertEquals("app/build.gradle.kts", p.buildFile());
        }
    }

    @Test
    void gradleMicronautKotlinDsl() throws Exception {
        Projects.gradleMicronaut(tmp);
        Project p = Project.detect(tmp, null);
        assertEquals(Project.Framework.MICRONAUT, p.framework());
        assertEquals("com.example.Application", p.mainClass());
        assertEquals(21, p.jdk());
        assertEquals("sourceCompatibility in build.gradle.kts", p.jdkSource());
        assertTrue(p.uses("io.micronaut:micronaut-management"));
        assertFalse(p.uses("io.micronaut:micronaut-http-client"), "testImplementation");
    }

    @Test
    void gradleWithoutAnApplicationPluginSaysWhatToAdd() throws Exception {
        Projects.write(tmp, "build.gradle", "plugins { id 'java' }\n// application { mainClass = 'x.Y' }\n");
        SlipwayException e = assertThrows(SlipwayException.class, () -> Project.detect(tmp, null));
        assertEquals(SlipwayException.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("applies none of the plugins 'application', 'org.springframework.boot'"),
                e.getMessage());
        assertTrue(e.getMessage().contains("add plugins { id 'application' } and application { mainClass = 'your.Main' }"),
                e.getMessage());
    }
}
