package dev.slipway.init;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Generates small Maven and Gradle projects for detection tests, in the shape each framework's own
 * starter generates (Spring Initializr, code.quarkus, Micronaut Launch, the Helidon and Dropwizard
 * archetypes): only the build files, sources and configuration files detection reads.
 */
public final class Projects {
    private Projects() {}

    /** Writes {@code text} to {@code dir/rel}, creating directories. */
    public static Path write(Path dir, String rel, String text) throws IOException {
        Path f = dir.resolve(rel);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
        return f;
    }

    /** A plain single-module project with one main class and the PostgreSQL driver. */
    public static void plain(Path dir) throws IOException {
        write(dir, "pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.acme</groupId>
                  <artifactId>Billing-Service</artifactId>
                  <version>1.0.0</version>
                  <properties><maven.compiler.release>21</maven.compiler.release></properties>
                  <dependencies>
                    <dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId><version>42.7.4</version></dependency>
                  </dependencies>
                </project>
                """);
        write(dir, "src/main/java/com/acme/billing/Server.java", """
                package com.acme.billing;

                public final class Server {
                    public static void main(String[] args) {
                        System.out.println("billing");
                    }
                }
                """);
        write(dir, "src/main/java/com/acme/billing/Util.java", """
                package com.acme.billing;

                final class Util {
                    static void main2(String[] args) {}
                }
                """);
    }

    /** A Spring Boot layout: starter parent, java.version, two classes with main, one @SpringBootApplication. */
    public static void springBoot(Path dir) throws IOException {
        write(dir, "pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <parent>
                    <groupId>org.springframework.boot</groupId>
                    <artifactId>spring-boot-starter-parent</artifactId>
                    <version>3.5.0</version>
                    <relativePath/>
                  </parent>
                  <groupId>com.acme</groupId>
                  <artifactId>orders</artifactId>
                  <version>0.0.1-SNAPSHOT</version>
                  <properties><java.version>21</java.version></properties>
                  <dependencies>
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-actuator</artifactId></dependency>
                  </dependencies>
                """ + SPRING_BOOT_PLUGIN_BUILD);
        write(dir, "src/main/java/com/acme/orders/OrdersApplication.java", """
                package com.acme.orders;

                import org.springframework.boot.SpringApplication;
                import org.springframework.boot.autoconfigure.SpringBootApplication;

                @SpringBootApplication
                public class OrdersApplication {
                    public static void main(String[] args) {
                        SpringApplication.run(OrdersApplication.class, args);
                    }
                }
                """);
        write(dir, "src/main/java/com/acme/orders/tools/Migrate.java", """
                package com.acme.orders.tools;

                public class Migrate {
                    public static void main(String... args) {}
                }
                """);
    }

    /** A reactor: a library module and an app module whose main class is in the jar plugin's manifest. */
    public static void multiModule(Path dir) throws IOException {
        write(dir, "pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.acme</groupId>
                  <artifactId>shop-parent</artifactId>
                  <version>2.0.0</version>
                  <packaging>pom</packaging>
                  <modules><module>shop-core</module><module>shop-api</module></modules>
                  <properties><maven.compiler.source>1.8</maven.compiler.source><app.main>com.acme.shop.Api</app.main></properties>
                </project>
                """);
        write(dir, "shop-core/pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <parent><groupId>com.acme</groupId><artifactId>shop-parent</artifactId><version>2.0.0</version></parent>
                  <artifactId>shop-core</artifactId>
                </project>
                """);
        write(dir, "shop-core/src/main/java/com/acme/shop/core/Cart.java", """
                package com.acme.shop.core;
                public class Cart {}
                """);
        write(dir, "shop-api/pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <parent><groupId>com.acme</groupId><artifactId>shop-parent</artifactId><version>2.0.0</version></parent>
                  <artifactId>shop-api</artifactId>
                  <properties><maven.compiler.release>17</maven.compiler.release></properties>
                  <dependencies>
                    <dependency><groupId>com.acme</groupId><artifactId>shop-core</artifactId><version>${project.version}</version></dependency>
                    <dependency><groupId>io.javalin</groupId><artifactId>javalin</artifactId><version>6.4.0</version></dependency>
                  </dependencies>
                  <build><plugins><plugin>
                    <artifactId>maven-jar-plugin</artifactId>
                    <configuration><archive><manifest><mainClass>com.acme.shop.Api</mainClass></manifest></archive></configuration>
                  </plugin></plugins></build>
                </project>
                """);
        write(dir, "shop-api/src/main/java/com/acme/shop/Api.java", """
                package com.acme.shop;
                public class Api { public static void main(String[] a) {} }
                """);
    }

    private static final String HELLO = """
            package com.example;

            public class Application {
                public static void main(String[] args) {}
            }
            """;

    /** The end of an Initializr POM after its dependencies: the Spring Boot plugin alone. */
    private static final String SPRING_BOOT_PLUGIN_BUILD = """
              <build>
                <plugins>
                  <plugin><groupId>org.springframework.boot</groupId><artifactId>spring-boot-maven-plugin</artifactId></plugin>
                </plugins>
              </build>
            </project>
            """;

    /** An Initializr POM up to its dependencies: the Boot parent of this version, {@code com.example:demo}, Java 17. */
    private static String initializrPomHead(String bootVersion) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <parent>
                    <groupId>org.springframework.boot</groupId>
                    <artifactId>spring-boot-starter-parent</artifactId>
                    <version>%s</version>
                    <relativePath/>
                  </parent>
                  <groupId>com.example</groupId>
                  <artifactId>demo</artifactId>
                  <version>0.0.1-SNAPSHOT</version>
                  <properties><java.version>17</java.version></properties>
                  <dependencies>
                """.formatted(bootVersion);
    }

    /** Spring Initializr, Boot 3: web, actuator, data-jpa + H2, thymeleaf, validation, devtools (optional). */
    public static void springBoot3Jpa(Path dir) throws IOException {
        write(dir, "pom.xml", initializrPomHead("3.5.7") + """
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-actuator</artifactId></dependency>
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-data-jpa</artifactId></dependency>
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-thymeleaf</artifactId></dependency>
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-validation</artifactId></dependency>
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>
                    <dependency>
                      <groupId>org.springframework.boot</groupId><artifactId>spring-boot-devtools</artifactId>
                      <scope>runtime</scope><optional>true</optional>
                    </dependency>
                    <dependency><groupId>com.h2database</groupId><artifactId>h2</artifactId><scope>runtime</scope></dependency>
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-test</artifactId><scope>test</scope></dependency>
                  </dependencies>
                """ + SPRING_BOOT_PLUGIN_BUILD);
        initializrDemoApplication(dir);
    }

    /**
     * Spring Initializr, Boot 4.0: "Spring Web + Spring Data JPA + PostgreSQL Driver" as generated,
     * with no datasource configured; with {@code dockerCompose}, also "Docker Compose Support"
     * (spring-boot-docker-compose, runtime and optional, and {@code compose.yaml} with a postgres service).
     */
    public static void springBoot4JpaPostgres(Path dir, boolean dockerCompose) throws IOException {
        write(dir, "pom.xml", initializrPomHead("4.0.7") + """
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-data-jpa</artifactId></dependency>
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-webmvc</artifactId></dependency>
                """ + (dockerCompose ? """
                    <dependency>
                      <groupId>org.springframework.boot</groupId><artifactId>spring-boot-docker-compose</artifactId>
                      <scope>runtime</scope><optional>true</optional>
                    </dependency>
                """ : "") + """
                    <dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId><scope>runtime</scope></dependency>
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-data-jpa-test</artifactId><scope>test</scope></dependency>
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-webmvc-test</artifactId><scope>test</scope></dependency>
                  </dependencies>
                """ + SPRING_BOOT_PLUGIN_BUILD);
        initializrDemoApplication(dir);
        if (dockerCompose) {
            write(dir, "compose.yaml", """
                    services:
                      postgres:
                        image: 'postgres:latest'
                        environment:
                          - 'POSTGRES_DB=mydatabase'
                          - 'POSTGRES_PASSWORD=secret'
                          - 'POSTGRES_USER=myuser'
                        ports:
                          - '5432'
                    """);
        }
    }

    /**
     * Spring Initializr, Boot 3, with no dependency picked ({@code spring-boot-starter} alone): a
     * worker whose {@code CommandLineRunner} consumes a queue and whose {@code @Scheduled} method
     * feeds it. It starts no web server and listens on no port.
     */
    public static void springBootWorker(Path dir) throws IOException {
        write(dir, "pom.xml", initializrPomHead("3.5.7") + """
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter</artifactId></dependency>
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-test</artifactId><scope>test</scope></dependency>
                  </dependencies>
                """ + SPRING_BOOT_PLUGIN_BUILD);
        initializrDemoApplication(dir);
        write(dir, "src/main/java/com/example/demo/QueueConsumer.java", """
                package com.example.demo;

                import java.util.concurrent.BlockingQueue;
                import java.util.concurrent.LinkedBlockingQueue;
                import org.springframework.boot.CommandLineRunner;
                import org.springframework.scheduling.annotation.Scheduled;
                import org.springframework.stereotype.Component;

                @Component
                public class QueueConsumer implements CommandLineRunner {
                    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

                    @Override
                    public void run(String... args) {
                        new Thread(() -> {
                            while (true) {
                                try {
                                    System.out.println("processed " + queue.take());
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        }, "queue-consumer").start();
                    }

                    @Scheduled(fixedRate = 5000)
                    void enqueue() {
                        queue.add("job-" + System.currentTimeMillis());
                    }
                }
                """);
    }

    /** Spring Initializr's application class and {@code application.properties}, as generated for artifact {@code demo}. */
    private static void initializrDemoApplication(Path dir) throws IOException {
        write(dir, "src/main/java/com/example/demo/DemoApplication.java", """
                package com.example.demo;

                import org.springframework.boot.SpringApplication;
                import org.springframework.boot.autoconfigure.SpringBootApplication;

                @SpringBootApplication
                public class DemoApplication {
                    public static void main(String[] args) {
                        SpringApplication.run(DemoApplication.class, args);
                    }
                }
                """);
        write(dir, "src/main/resources/application.properties", "spring.application.name=demo\n");
    }

    /** Spring Initializr, Boot 4: WebFlux only, no Actuator, Java 21. */
    public static void springBoot4WebFlux(Path dir) throws IOException {
        write(dir, "pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <parent>
                    <groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId>
                    <version>4.0.7</version><relativePath/>
                  </parent>
                  <groupId>com.example</groupId>
                  <artifactId>reactive</artifactId>
                  <version>0.0.1-SNAPSHOT</version>
                  <properties><java.version>21</java.version></properties>
                  <dependencies>
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-webflux</artifactId></dependency>
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-webflux-test</artifactId><scope>test</scope></dependency>
                  </dependencies>
                  <build><plugins>
                    <plugin><groupId>org.springframework.boot</groupId><artifactId>spring-boot-maven-plugin</artifactId></plugin>
                  </plugins></build>
                </project>
                """);
        write(dir, "src/main/java/com/example/reactive/ReactiveApplication.java", """
                package com.example.reactive;

                import org.springframework.boot.SpringApplication;
                import org.springframework.boot.autoconfigure.SpringBootApplication;

                @SpringBootApplication
                public class ReactiveApplication {
                    public static void main(String[] args) {
                        SpringApplication.run(ReactiveApplication.class, args);
                    }
                }
                """);
    }

    /** code.quarkus: packaging quarkus, the platform BOM, quarkus-rest, optionally smallrye-health. */
    public static void quarkus(Path dir, boolean health) throws IOException {
        write(dir, "pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>org.acme</groupId>
                  <artifactId>code-with-quarkus</artifactId>
                  <version>1.0.0-SNAPSHOT</version>
                  <packaging>quarkus</packaging>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <quarkus.platform.group-id>io.quarkus.platform</quarkus.platform.group-id>
                    <quarkus.platform.version>3.34.1</quarkus.platform.version>
                  </properties>
                  <dependencyManagement><dependencies><dependency>
                    <groupId>${quarkus.platform.group-id}</groupId><artifactId>quarkus-bom</artifactId>
                    <version>${quarkus.platform.version}</version><type>pom</type><scope>import</scope>
                  </dependency></dependencies></dependencyManagement>
                  <dependencies>
                    <dependency><groupId>io.quarkus</groupId><artifactId>quarkus-rest</artifactId></dependency>
                """ + (health ? """
                    <dependency><groupId>io.quarkus</groupId><artifactId>quarkus-smallrye-health</artifactId></dependency>
                """ : "") + """
                    <dependency><groupId>io.quarkus</groupId><artifactId>quarkus-arc</artifactId></dependency>
                    <dependency><groupId>io.quarkus</groupId><artifactId>quarkus-junit5</artifactId><scope>test</scope></dependency>
                  </dependencies>
                  <build><plugins>
                    <plugin>
                      <groupId>${quarkus.platform.group-id}</groupId><artifactId>quarkus-maven-plugin</artifactId>
                      <version>${quarkus.platform.version}</version><extensions>true</extensions>
                    </plugin>
                  </plugins></build>
                </project>
                """);
        write(dir, "src/main/java/org/acme/GreetingResource.java", """
                package org.acme;

                import jakarta.ws.rs.GET;
                import jakarta.ws.rs.Path;

                @Path("/hello")
                public class GreetingResource {
                    @GET
                    public String hello() { return "Hello from Quarkus REST"; }
                }
                """);
        write(dir, "src/main/resources/application.properties", "");
    }

    /**
     * code.quarkus.io's REST + SmallRye Health + "Hibernate ORM with Panache" + "JDBC Driver -
     * PostgreSQL": the extension only (no {@code org.postgresql:postgresql}), and the starter's empty
     * {@code application.properties} (Dev Services give dev mode and tests a database).
     */
    public static void quarkusPanachePostgres(Path dir) throws IOException {
        quarkus(dir, true);
        write(dir, "pom.xml", Files.readString(dir.resolve("pom.xml")).replace(
                "<dependency><groupId>io.quarkus</groupId><artifactId>quarkus-arc</artifactId></dependency>",
                "<dependency><groupId>io.quarkus</groupId><artifactId>quarkus-hibernate-orm-panache</artifactId></dependency>"
                        + "<dependency><groupId>io.quarkus</groupId><artifactId>quarkus-jdbc-postgresql</artifactId></dependency>"));
    }

    /** Micronaut Launch (Maven, Netty): micronaut-parent, packaging ${packaging}, exec.mainClass, management. */
    public static void micronaut(Path dir, boolean management) throws IOException {
        write(dir, "pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId>
                  <artifactId>demo</artifactId>
                  <version>0.1</version>
                  <packaging>${packaging}</packaging>
                  <parent>
                    <groupId>io.micronaut.platform</groupId><artifactId>micronaut-parent</artifactId><version>4.10.8</version>
                  </parent>
                  <properties>
                    <packaging>jar</packaging>
                    <jdk.version>21</jdk.version>
                    <release.version>21</release.version>
                    <micronaut.version>4.10.8</micronaut.version>
                    <micronaut.runtime>netty</micronaut.runtime>
                    <exec.mainClass>com.example.Application</exec.mainClass>
                  </properties>
                  <dependencies>
                    <dependency><groupId>io.micronaut</groupId><artifactId>micronaut-http-server-netty</artifactId><scope>compile</scope></dependency>
                """ + (management ? """
                    <dependency><groupId>io.micronaut</groupId><artifactId>micronaut-management</artifactId><scope>compile</scope></dependency>
                """ : "") + """
                    <dependency><groupId>io.micronaut.serde</groupId><artifactId>micronaut-serde-jackson</artifactId><scope>compile</scope></dependency>
                    <dependency><groupId>ch.qos.logback</groupId><artifactId>logback-classic</artifactId><scope>runtime</scope></dependency>
                    <dependency><groupId>io.micronaut.test</groupId><artifactId>micronaut-test-junit5</artifactId><scope>test</scope></dependency>
                  </dependencies>
                  <build><plugins>
                    <plugin><groupId>io.micronaut.maven</groupId><artifactId>micronaut-maven-plugin</artifactId></plugin>
                    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-enforcer-plugin</artifactId></plugin>
                    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId></plugin>
                  </plugins></build>
                </project>
                """);
        write(dir, "src/main/java/com/example/Application.java", """
                package com.example;

                import io.micronaut.runtime.Micronaut;

                public class Application {
                    public static void main(String[] args) {
                        Micronaut.run(Application.class, args);
                    }
                }
                """);
        write(dir, "src/main/resources/application.properties", "micronaut.application.name=demo\n");
    }

    /** The Helidon SE 4 quickstart: helidon-se parent, mainClass property, observe-health, copy-libs. */
    public static void helidonSe(Path dir, boolean health) throws IOException {
        write(dir, "pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <parent>
                    <groupId>io.helidon.applications</groupId><artifactId>helidon-se</artifactId>
                    <version>4.5.0</version><relativePath/>
                  </parent>
                  <groupId>io.helidon.examples</groupId>
                  <artifactId>helidon-quickstart-se</artifactId>
                  <version>1.0-SNAPSHOT</version>
                  <properties><mainClass>io.helidon.examples.quickstart.se.Main</mainClass></properties>
                  <dependencies>
                    <dependency><groupId>io.helidon.webserver</groupId><artifactId>helidon-webserver</artifactId></dependency>
                    <dependency><groupId>io.helidon.config</groupId><artifactId>helidon-config-yaml</artifactId></dependency>
                    <dependency><groupId>io.helidon.http.media</groupId><artifactId>helidon-http-media-jsonp</artifactId></dependency>
                """ + (health ? """
                    <dependency><groupId>io.helidon.webserver.observe</groupId><artifactId>helidon-webserver-observe-health</artifactId></dependency>
                    <dependency><groupId>io.helidon.health</groupId><artifactId>helidon-health-checks</artifactId></dependency>
                """ : "") + """
                    <dependency><groupId>io.helidon.webserver.testing.junit5</groupId><artifactId>helidon-webserver-testing-junit5</artifactId><scope>test</scope></dependency>
                  </dependencies>
                  <build><plugins>
                    <plugin>
                      <groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId>
                      <executions><execution><id>copy-libs</id></execution></executions>
                    </plugin>
                  </plugins></build>
                </project>
                """);
        write(dir, "src/main/java/io/helidon/examples/quickstart/se/Main.java", """
                package io.helidon.examples.quickstart.se;

                public class Main {
                    public static void main(String[] args) {}
                }
                """);
        write(dir, "src/main/resources/application.yaml", "server:\n  port: 8080\n  host: 0.0.0.0\n");
    }

    /** The Helidon MP 4 quickstart: helidon-mp parent, no main class in the sources, MicroProfile Health. */
    public static void helidonMp(Path dir) throws IOException {
        write(dir, "pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <parent>
                    <groupId>io.helidon.applications</groupId><artifactId>helidon-mp</artifactId>
                    <version>4.5.0</version><relativePath/>
                  </parent>
                  <groupId>io.helidon.examples</groupId>
                  <artifactId>helidon-quickstart-mp</artifactId>
                  <version>1.0-SNAPSHOT</version>
                  <dependencies>
                    <dependency><groupId>io.helidon.microprofile.bundles</groupId><artifactId>helidon-microprofile-core</artifactId></dependency>
                    <dependency><groupId>io.helidon.microprofile.health</groupId><artifactId>helidon-microprofile-health</artifactId></dependency>
                    <dependency><groupId>io.smallrye</groupId><artifactId>jandex</artifactId><scope>runtime</scope></dependency>
                  </dependencies>
                  <build><plugins>
                    <plugin>
                      <groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId>
                      <executions><execution><id>copy-libs</id></execution></executions>
                    </plugin>
                    <plugin><groupId>io.smallrye</groupId><artifactId>jandex-maven-plugin</artifactId></plugin>
                  </plugins></build>
                </project>
                """);
        write(dir, "src/main/java/io/helidon/examples/quickstart/mp/GreetResource.java", """
                package io.helidon.examples.quickstart.mp;

                import jakarta.ws.rs.GET;
                import jakarta.ws.rs.Path;

                @Path("/greet")
                public class GreetResource {
                    @GET
                    public String greet() { return "Hello"; }
                }
                """);
        write(dir, "src/main/resources/META-INF/microprofile-config.properties", "server.port=8080\nserver.host=0.0.0.0\n");
    }

    /**
     * A gRPC server as grpc-java's examples write one (grpc-netty-shaded, grpc-services' health
     * service, the jar plugin's manifest): it speaks HTTP/2 only, on {@code int port = 50051;}
     * when {@code readsPort} is false, else on {@code $PORT}.
     */
    public static void grpc(Path dir, boolean readsPort) throws IOException {
        write(dir, "pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId><artifactId>greeter</artifactId><version>1.0-SNAPSHOT</version>
                  <properties><maven.compiler.release>17</maven.compiler.release></properties>
                  <dependencies>
                    <dependency><groupId>io.grpc</groupId><artifactId>grpc-netty-shaded</artifactId><version>1.85.1</version><scope>runtime</scope></dependency>
                    <dependency><groupId>io.grpc</groupId><artifactId>grpc-services</artifactId><version>1.85.1</version></dependency>
                  </dependencies>
                  <build><plugins>
                    <plugin>
                      <artifactId>maven-jar-plugin</artifactId>
                      <configuration><archive><manifest><mainClass>com.example.grpc.GreeterServer</mainClass></manifest></archive></configuration>
                    </plugin>
                  </plugins></build>
                </project>
                """);
        String port = readsPort ? "Integer.parseInt(System.getenv().getOrDefault(\"PORT\", \"50051\"))" : "50051";
        write(dir, "src/main/java/com/example/grpc/GreeterServer.java", """
                package com.example.grpc;

                import io.grpc.Grpc;
                import io.grpc.InsecureServerCredentials;
                import io.grpc.Server;
                import io.grpc.protobuf.services.HealthStatusManager;

                public class GreeterServer {
                  public static void main(String[] args) throws Exception {
                    int port = %s;
                    HealthStatusManager health = new HealthStatusManager();
                    Server server = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
                        .addService(health.getHealthService())
                        .build()
                        .start();
                    server.awaitTermination();
                  }
                }
                """.formatted(port));
    }

    /**
     * Javalin 6 built with the assembly plugin's jar-with-dependencies; the main reads PORT, or binds
     * {@code fixedPort} when it is not {@code null}.
     */
    public static void javalin(Path dir, Integer fixedPort) throws IOException {
        write(dir, "pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId>
                  <artifactId>javalin-app</artifactId>
                  <version>1.0</version>
                  <properties><maven.compiler.release>17</maven.compiler.release></properties>
                  <dependencies>
                    <dependency><groupId>io.javalin</groupId><artifactId>javalin-bundle</artifactId><version>6.7.0</version></dependency>
                  </dependencies>
                  <build><plugins>
                    <plugin>
                      <artifactId>maven-assembly-plugin</artifactId>
                      <configuration>
                        <descriptorRefs><descriptorRef>jar-with-dependencies</descriptorRef></descriptorRefs>
                        <archive><manifest><mainClass>com.example.App</mainClass></manifest></archive>
                      </configuration>
                      <executions><execution><phase>package</phase><goals><goal>single</goal></goals></execution></executions>
                    </plugin>
                  </plugins></build>
                </project>
                """);
        String start = fixedPort == null
                ? ".start(Integer.parseInt(System.getenv().getOrDefault(\"PORT\", \"7070\")));"
                : ".start(" + fixedPort + ");";
        write(dir, "src/main/java/com/example/App.java", """
                package com.example;

                import io.javalin.Javalin;

                public class App {
                    public static void main(String[] args) {
                        Javalin.create()
                            .get("/", ctx -> ctx.result("Hello World"))
                            START
                    }
                }
                """.replace("START", start));
    }

    /** The Dropwizard 4 java-simple archetype with the shade plugin; config.yml without a server section. */
    public static void dropwizard(Path dir, String configYml) throws IOException {
        write(dir, "pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId>
                  <artifactId>hello-dropwizard</artifactId>
                  <version>1.0-SNAPSHOT</version>
                  <packaging>jar</packaging>
                  <properties>
                    <dropwizard.version>4.0.16</dropwizard.version>
                    <mainClass>com.example.HelloApplication</mainClass>
                    <maven.compiler.release>17</maven.compiler.release>
                  </properties>
                  <dependencyManagement><dependencies><dependency>
                    <groupId>io.dropwizard</groupId><artifactId>dropwizard-dependencies</artifactId>
                    <version>${dropwizard.version}</version><type>pom</type><scope>import</scope>
                  </dependency></dependencies></dependencyManagement>
                  <dependencies>
                    <dependency><groupId>io.dropwizard</groupId><artifactId>dropwizard-core</artifactId></dependency>
                  </dependencies>
                  <build><plugins>
                    <plugin>
                      <artifactId>maven-shade-plugin</artifactId>
                      <version>3.6.0</version>
                      <configuration>
                        <createDependencyReducedPom>true</createDependencyReducedPom>
                        <transformers>
                          <transformer implementation="org.apache.maven.plugins.shade.resource.ServicesResourceTransformer"/>
                          <transformer implementation="org.apache.maven.plugins.shade.resource.ManifestResourceTransformer">
                            <mainClass>${mainClass}</mainClass>
                          </transformer>
                        </transformers>
                      </configuration>
                      <executions><execution><phase>package</phase><goals><goal>shade</goal></goals></execution></executions>
                    </plugin>
                    <plugin>
                      <artifactId>maven-jar-plugin</artifactId>
                      <configuration><archive><manifest><addClasspath>true</addClasspath><mainClass>${mainClass}</mainClass></manifest></archive></configuration>
                    </plugin>
                  </plugins></build>
                </project>
                """);
        write(dir, "src/main/java/com/example/HelloApplication.java", """
                package com.example;

                import io.dropwizard.core.Application;
                import io.dropwizard.core.setup.Environment;

                public class HelloApplication extends Application<HelloConfiguration> {
                    public static void main(String[] args) throws Exception {
                        new HelloApplication().run(args);
                    }

                    @Override
                    public void run(HelloConfiguration configuration, Environment environment) {}
                }
                """);
        if (configYml != null) {
            write(dir, "config.yml", configYml);
        }
    }

    /** A plain main with the JDK's HTTP server; it reads PORT when {@code readsPort}, else binds 8000. */
    public static void jdkHttpServer(Path dir, boolean readsPort) throws IOException {
        write(dir, "pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId>
                  <artifactId>hello-http</artifactId>
                  <version>1.0</version>
                  <properties><maven.compiler.release>17</maven.compiler.release></properties>
                </project>
                """);
        write(dir, "src/main/java/com/example/Hello.java", """
                package com.example;

                import com.sun.net.httpserver.HttpServer;
                import java.net.InetSocketAddress;

                public class Hello {
                    public static void main(String[] args) throws Exception {
                        HttpServer server = HttpServer.create(ADDRESS, 0);
                        server.start();
                    }
                }
                """.replace("ADDRESS", readsPort
                ? "new InetSocketAddress(System.getenv(\"ADDR\"), Integer.parseInt(System.getenv(\"PORT\")))"
                : "new InetSocketAddress(8000)"));
    }

    /** Spring Initializr, Gradle (Groovy DSL): the Boot plugin, web + actuator, devtools developmentOnly, a wrapper. */
    public static void gradleSpringBoot(Path dir) throws IOException {
        write(dir, "settings.gradle", "rootProject.name = 'demo'\n");
        write(dir, "build.gradle", """
                plugins {
                	id 'java'
                	id 'org.springframework.boot' version '3.5.7'
                	id 'io.spring.dependency-management' version '1.1.7'
                }

                group = 'com.example'
                version = '0.0.1-SNAPSHOT'

                java {
                	toolchain {
                		languageVersion = JavaLanguageVersion.of(17)
                	}
                }

                repositories {
                	mavenCentral()
                }

                dependencies {
                	implementation 'org.springframework.boot:spring-boot-starter-actuator'
                	implementation 'org.springframework.boot:spring-boot-starter-web'
                	developmentOnly 'org.springframework.boot:spring-boot-devtools'
                	testImplementation 'org.springframework.boot:spring-boot-starter-test'
                	testRuntimeOnly 'org.junit.platform:junit-platform-launcher'
                }

                tasks.named('test') {
                	useJUnitPlatform()
                }
                """);
        write(dir, "gradlew", "#!/bin/sh\n");
        write(dir, "src/main/java/com/example/demo/DemoApplication.java", """
                package com.example.demo;

                import org.springframework.boot.SpringApplication;
                import org.springframework.boot.autoconfigure.SpringBootApplication;

                @SpringBootApplication
                public class DemoApplication {
                    public static void main(String[] args) {
                        SpringApplication.run(DemoApplication.class, args);
                    }
                }
                """);
    }

    /**
     * {@code gradle init} (application, Kotlin DSL, multi-project style): settings include 'app';
     * app/build.gradle.kts applies 'application' with a mainClass and Javalin reading PORT; a wrapper at the root.
     */
    public static void gradleApplication(Path dir) throws IOException {
        write(dir, "settings.gradle.kts", """
                plugins {
                    id("org.gradle.toolchains.foojay-resolver-convention") version "0.10.0"
                }

                rootProject.name = "hello"
                include("app")
                """);
        write(dir, "gradlew", "#!/bin/sh\n");
        write(dir, "app/build.gradle.kts", """
                plugins {
                    // Apply the application plugin to add support for building a CLI application in Java.
                    application
                }

                repositories {
                    mavenCentral()
                }

                dependencies {
                    implementation("io.javalin:javalin:6.7.0")
                    implementation("org.slf4j:slf4j-simple:2.0.17")
                    testImplementation("org.junit.jupiter:junit-jupiter:5.12.1")
                }

                java {
                    toolchain {
                        languageVersion = JavaLanguageVersion.of(21)
                    }
                }

                application {
                    // Define the main class for the application.
                    mainClass = "org.example.App"
                }
                """);
        write(dir, "app/src/main/java/org/example/App.java", """
                package org.example;

                import io.javalin.Javalin;

                public class App {
                    public static void main(String[] args) {
                        Javalin.create().get("/", ctx -> ctx.result("hi"))
                            .start(Integer.parseInt(System.getenv("PORT")));
                    }
                }
                """);
    }

    /** Micronaut Launch (Gradle, Kotlin DSL): io.micronaut.application, management, no wrapper. */
    public static void gradleMicronaut(Path dir) throws IOException {
        write(dir, "settings.gradle.kts", "rootProject.name=\"demo\"\n");
        write(dir, "build.gradle.kts", """
                plugins {
                    id("com.gradleup.shadow") version "8.3.9"
                    id("io.micronaut.application") version "4.6.1"
                    id("io.micronaut.aot") version "4.6.1"
                }

                version = "0.1"
                group = "com.example"

                repositories {
                    mavenCentral()
                }

                dependencies {
                    annotationProcessor("io.micronaut:micronaut-http-validation")
                    annotationProcessor("io.micronaut.serde:micronaut-serde-processor")
                    implementation("io.micronaut:micronaut-management")
                    implementation("io.micronaut.serde:micronaut-serde-jackson")
                    runtimeOnly("ch.qos.logback:logback-classic")
                    testImplementation("io.micronaut:micronaut-http-client")
                }

                application {
                    mainClass = "com.example.Application"
                }
                java {
                    sourceCompatibility = JavaVersion.toVersion("21")
                    targetCompatibility = JavaVersion.toVersion("21")
                }

                micronaut {
                    runtime("netty")
                    testRuntime("junit5")
                }
                """);
        write(dir, "src/main/java/com/example/Application.java", HELLO);
    }

    /**
     * The Vert.x starters' shade execution configuration (4 and 5 alike): the manifest names
     * {@code ${launcher.class}} and {@code ${main.verticle}}, the uber jar is {@code -fat.jar}.
     */
    private static final String VERTX_SHADE_CONFIGURATION = """
            <configuration>
              <transformers>
                <transformer implementation="org.apache.maven.plugins.shade.resource.ManifestResourceTransformer">
                  <manifestEntries>
                    <Main-Class>${launcher.class}</Main-Class>
                    <Main-Verticle>${main.verticle}</Main-Verticle>
                  </manifestEntries>
                </transformer>
                <transformer implementation="org.apache.maven.plugins.shade.resource.ServicesResourceTransformer"/>
              </transformers>
              <outputFile>${project.build.directory}/${project.artifactId}-${project.version}-fat.jar</outputFile>
            </configuration>""";

    /**
     * The Vert.x 4 starter (start.vertx.io): the shade plugin configured in its execution, with
     * {@code manifestEntries} naming {@code ${launcher.class}} (io.vertx.core.Launcher) and
     * {@code ${main.verticle}}, and an {@code outputFile} {@code -fat.jar}; the verticle listens on
     * 8888, or reads {@code http.port} (and {@code http.host}) from its config with 8888 as default
     * when {@code configPort}.
     */
    public static void vertx(Path dir, boolean configPort) throws IOException {
        write(dir, "pom.xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId>
                  <artifactId>starter</artifactId>
                  <version>1.0.0-SNAPSHOT</version>
                  <packaging>jar</packaging>
                  <properties>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                    <maven-compiler-plugin.version>3.13.0</maven-compiler-plugin.version>
                    <maven-shade-plugin.version>3.2.4</maven-shade-plugin.version>
                    <exec-maven-plugin.version>3.0.0</exec-maven-plugin.version>
                    <vertx.version>4.5.27</vertx.version>
                    <main.verticle>com.example.starter.MainVerticle</main.verticle>
                    <launcher.class>io.vertx.core.Launcher</launcher.class>
                  </properties>
                  <dependencyManagement>
                    <dependencies>
                      <dependency>
                        <groupId>io.vertx</groupId><artifactId>vertx-stack-depchain</artifactId>
                        <version>${vertx.version}</version><type>pom</type><scope>import</scope>
                      </dependency>
                    </dependencies>
                  </dependencyManagement>
                  <dependencies>
                    <dependency><groupId>io.vertx</groupId><artifactId>vertx-core</artifactId></dependency>
                    <dependency><groupId>io.vertx</groupId><artifactId>vertx-junit5</artifactId><scope>test</scope></dependency>
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>${maven-compiler-plugin.version}</version>
                        <configuration><release>17</release></configuration>
                      </plugin>
                      <plugin>
                        <artifactId>maven-shade-plugin</artifactId>
                        <version>${maven-shade-plugin.version}</version>
                        <executions>
                          <execution>
                            <phase>package</phase>
                            <goals><goal>shade</goal></goals>
                            VERTX_SHADE_CONFIGURATION
                          </execution>
                        </executions>
                      </plugin>
                      <plugin>
                        <groupId>org.codehaus.mojo</groupId>
                        <artifactId>exec-maven-plugin</artifactId>
                        <version>${exec-maven-plugin.version}</version>
                        <configuration>
                          <mainClass>io.vertx.core.Launcher</mainClass>
                          <arguments><argument>run</argument><argument>${main.verticle}</argument></arguments>
                        </configuration>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.replace("VERTX_SHADE_CONFIGURATION", VERTX_SHADE_CONFIGURATION));
        String listen = configPort
                ? ".listen(config().getInteger(\"http.port\", 8888), config().getString(\"http.host\", \"0.0.0.0\"), http -> {"
                : ".listen(8888, http -> {";
        write(dir, "src/main/java/com/example/starter/MainVerticle.java", """
                package com.example.starter;

                import io.vertx.core.AbstractVerticle;
                import io.vertx.core.Promise;

                public class MainVerticle extends AbstractVerticle {

                  @Override
                  public void start(Promise<Void> startPromise) throws Exception {
                    vertx.createHttpServer().requestHandler(req -> {
                      req.response()
                        .putHeader("content-type", "text/plain")
                        .end("Hello from Vert.x!");
                    })LISTEN
                      if (http.succeeded()) {
                        startPromise.complete();
                        System.out.println("HTTP server started on port 8888");
                      } else {
                        startPromise.fail(http.cause());
                      }
                    });
                  }
                }
                """.replace("LISTEN", listen));
    }

    /**
     * Jooby 3's starter: the shade plugin's uber jar with {@code ${application.class}} as the main
     * class, {@code conf/} as the resources directory and {@code conf/application.conf} setting
     * {@code server.port} to {@code confPort}; the app registers {@code healthRoute} when it is not
     * {@code null}.
     */
    public static void jooby(Path dir, int confPort, String healthRoute) throws IOException {
        write(dir, "pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>app</groupId>
                  <artifactId>jooby-app</artifactId>
                  <version>1.0.0</version>
                  <properties>
                    <application.class>app.App</application.class>
                    <jooby.version>3.0.9</jooby.version>
                    <maven.compiler.source>17</maven.compiler.source>
                    <maven.compiler.target>17</maven.compiler.target>
                  </properties>
                  <dependencies>
                    <dependency><groupId>io.jooby</groupId><artifactId>jooby-jetty</artifactId><version>${jooby.version}</version></dependency>
                  </dependencies>
                  <build>
                    <resources><resource><directory>conf</directory></resource></resources>
                    <plugins>
                      <plugin>
                        <artifactId>maven-shade-plugin</artifactId>
                        <executions><execution><id>uber-jar</id><phase>package</phase><goals><goal>shade</goal></goals>
                          <configuration><transformers>
                            <transformer implementation="org.apache.maven.plugins.shade.resource.ServicesResourceTransformer"/>
                            <transformer implementation="org.apache.maven.plugins.shade.resource.ManifestResourceTransformer">
                              <mainClass>${application.class}</mainClass>
                            </transformer>
                          </transformers></configuration>
                        </execution></executions>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """);
        write(dir, "conf/application.conf", "# Add your application properties here\nserver.port = " + confPort + "\n");
        write(dir, "src/main/java/app/App.java", """
                package app;

                import io.jooby.Jooby;

                public class App extends Jooby {

                  {
                    get("/", ctx -> "Welcome to Jooby!");
                    HEALTH
                  }

                  public static void main(final String[] args) {
                    runApp(args, App::new);
                  }
                }
                """.replace("HEALTH", healthRoute == null ? "" : "get(\"" + healthRoute + "\", ctx -> \"ok\");"));
    }

    /**
     * The Vert.x 5 starter: {@code launcher.class} is the application launcher
     * ({@code io.vertx.launcher.application.VertxApplication}, from vertx-launcher-application), the
     * shade plugin's {@code manifestEntries} name it and {@code ${main.verticle}}; the verticle
     * ({@code VerticleBase}) listens on 8888, or reads {@code http.port} from its config when
     * {@code configPort}.
     */
    public static void vertx5(Path dir, boolean configPort) throws IOException {
        write(dir, "pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId><artifactId>starter</artifactId><version>1.0.0-SNAPSHOT</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <vertx.version>5.0.7</vertx.version>
                    <main.verticle>com.example.starter.MainVerticle</main.verticle>
                    <launcher.class>io.vertx.launcher.application.VertxApplication</launcher.class>
                  </properties>
                  <dependencyManagement><dependencies><dependency>
                    <groupId>io.vertx</groupId><artifactId>vertx-stack-depchain</artifactId>
                    <version>${vertx.version}</version><type>pom</type><scope>import</scope>
                  </dependency></dependencies></dependencyManagement>
                  <dependencies>
                    <dependency><groupId>io.vertx</groupId><artifactId>vertx-launcher-application</artifactId></dependency>
                    <dependency><groupId>io.vertx</groupId><artifactId>vertx-web</artifactId></dependency>
                  </dependencies>
                  <build><plugins>
                    <plugin>
                      <artifactId>maven-shade-plugin</artifactId>
                      <executions><execution><phase>package</phase><goals><goal>shade</goal></goals>
                        VERTX_SHADE_CONFIGURATION
                      </execution></executions>
                    </plugin>
                  </plugins></build>
                </project>
                """.replace("VERTX_SHADE_CONFIGURATION", VERTX_SHADE_CONFIGURATION));
        String port = configPort ? "config().getInteger(\"http.port\", 8888)" : "8888";
        write(dir, "src/main/java/com/example/starter/MainVerticle.java", """
                package com.example.starter;

                import io.vertx.core.Future;
                import io.vertx.core.VerticleBase;

                public class MainVerticle extends VerticleBase {

                  @Override
                  public Future<?> start() {
                    return vertx.createHttpServer().requestHandler(req -> {
                      req.response().putHeader("content-type", "text/plain").end("Hello from Vert.x!");
                    }).listen(PORT).onSuccess(http -> System.out.println("HTTP server started"));
                  }
                }
                """.replace("PORT", port));
    }
}
