package dev.slipway.init;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Generates small Maven projects for detection tests: only the POMs and sources detection reads. */
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
                  <build>
                    <plugins>
                      <plugin><groupId>org.springframework.boot</groupId><artifactId>spring-boot-maven-plugin</artifactId></plugin>
                    </plugins>
                  </build>
                </project>
                """);
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
}
