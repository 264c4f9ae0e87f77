package dev.slipway.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code slipway init} proposes for each starter shape: build command and output, port and
 * address mapping, arguments and files, probes and timeouts; checked on the {@link Proposal} and on
 * the rendered YAML (parsed back, so that the text says what the proposal says).
 */
class ProposalTest {
    @TempDir
    Path tmp;

    private static Proposal propose(Path dir) {
        return Proposal.of(Project.detect(dir, null), null);
    }

    private static JsonNode yaml(Proposal x) throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(InitFile.render(x));
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.forEach(e -> out.add(e.asText()));
        return out;
    }

    @Test
    void springBoot3WithActuatorAndJpaKeepsTheRepackagedJarAndUsesActuatorGroups() throws Exception {
        Projects.springBoot3Jpa(tmp);
        Proposal x = propose(tmp);
        JsonNode y = yaml(x);
        assertEquals(List.of("mvn", "-q", "-B", "-DskipTests", "package"), strings(y.at("/build/command")),
                "Spring Boot's own build, no repackage.skip, no copy-dependencies");
        assertEquals("com.example.demo.DemoApplication", y.get("main").asText());
        assertEquals("${PORT}", y.at("/service/env/SERVER_PORT").asText());
        assertEquals("${ADDR}", y.at("/service/env/SERVER_ADDRESS").asText());
        assertEquals("true", y.at("/service/env/MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED").asText());
        assertEquals("/actuator/health/readiness", y.at("/service/readiness/path").asText());
        assertEquals("/actuator/health/liveness", y.at("/service/liveness/path").asText());
        assertTrue(y.at("/service/readiness/type").isMissingNode(), "http is the default type");
        assertEquals("180s", y.at("/service/readiness/timeout").asText(), "JPA on a busy 2-core machine");
        assertEquals("180s", y.at("/train/timeout").asText());
        assertTrue(y.at("/service/args").isMissingNode());
        String text = InitFile.render(x);
        assertTrue(text.contains("# Spring Boot's own build: the repackaged jar in target/ is the input"), text);
    }

    /**
     * nu16's finding: a Spring Boot service with Actuator and Micrometer's Prometheus registry gave
     * the canary analysis no data until the user exposed the prometheus endpoint and added a track
     * tag by hand. init sets both in service.env when the app's configuration leaves them unset,
     * and leaves an exposure list of the app's own as it is, with a warning.
     */
    @Test
    void springBootWithThePrometheusRegistryGetsWhatTheCanaryAnalysisReads() throws Exception {
        Projects.springBoot3Jpa(tmp);
        Path pom = tmp.resolve("pom.xml");
        Files.writeString(pom, Files.readString(pom).replace("<dependencies>", "<dependencies>\n"
                + "    <dependency><groupId>io.micrometer</groupId><artifactId>micrometer-registry-prometheus</artifactId>"
                + "<scope>runtime</scope></dependency>"));
        JsonNode y = yaml(propose(tmp));
        assertEquals("health,prometheus", y.at("/service/env/MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE").asText());
        assertEquals("${TRACK:stable}", y.at("/service/env/MANAGEMENT_METRICS_TAGS_TRACK").asText(),
                "a Spring placeholder, left as written");
        assertTrue(InitFile.render(propose(tmp)).contains("# For a canary analysis (docs/canary.md)"));

        Projects.write(tmp, "src/main/resources/application.properties",
                "management.endpoints.web.exposure.include=health,info\nmanagement.metrics.tags.track=${TRACK:stable}\n");
        Proposal own = propose(tmp);
        JsonNode o = yaml(own);
        assertTrue(o.at("/service/env/MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE").isMissingNode(), "the app's own list stays");
        assertTrue(o.at("/service/env/MANAGEMENT_METRICS_TAGS_TRACK").isMissingNode());
        assertTrue(own.warnings().stream().anyMatch(w -> w.startsWith("management.endpoints.web.exposure.include=health,info"
                + " leaves out prometheus")), own.warnings().toString());

        // Without the registry there is nothing to expose.
        Projects.springBoot3Jpa(tmp.resolve("plain"));
        assertTrue(yaml(propose(tmp.resolve("plain"))).at("/service/env/MANAGEMENT_METRICS_TAGS_TRACK").isMissingNode());
    }

    @Test
    void springBoot4WebFluxWithoutActuatorGetsTcpProbesAndSaysHowToAddHealth() throws Exception {
        Projects.springBoot4WebFlux(tmp);
        Proposal x = propose(tmp);
        JsonNode y = yaml(x);
        assertEquals("${PORT}", y.at("/service/env/SERVER_PORT").asText());
        assertTrue(y.at("/service/env/MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED").isMissingNode());
        assertEquals("tcp", y.at("/service/readiness/type").asText());
        assertTrue(y.at("/service/readiness/path").isMissingNode());
        assertEquals("tcp", y.at("/service/liveness/type").asText());
        assertEquals("120s", y.at("/service/readiness/timeout").asText());
        assertTrue(y.at("/train/urls").isMissingNode(), "a tcp readiness trains on / by default");
        assertTrue(String.join(" ", x.probeNotes()).contains("add spring-boot-starter-actuator"), x.probeNotes().toString());
        assertTrue(InitFile.render(x).contains("  # No Actuator: the probes check that the port accepts connections."),
                InitFile.render(x));
        assertEquals("tcp (timeout 120s)", x.facts().get("readiness"));
    }

    @Test
    void springBootWorkerWithNoWebServerGetsProcessProbes() throws Exception {
        // Before, init proposed tcp probes on 8080 for an app that listens on no port (ship then
        // failed after the whole training timeout with "raise train.timeout"), then refused it.
        Projects.springBootWorker(tmp);
        Proposal w = propose(tmp);
        JsonNode wy = yaml(w);
        assertEquals("process", wy.at("/service/readiness/type").asText(), InitFile.render(w));
        assertEquals("process", wy.at("/service/liveness/type").asText());
        assertEquals("60s", wy.at("/service/readiness/timeout").asText());
        assertEquals("60s", wy.at("/train/timeout").asText());
        assertTrue(wy.at("/service/port").isMissingNode(), InitFile.render(w));
        assertTrue(wy.at("/service/env/MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED").isMissingNode());
        // A worker has no port: no SERVER_PORT / SERVER_ADDRESS to tell it where to listen, nor a note about them.
        assertTrue(wy.at("/service/env/SERVER_PORT").isMissingNode() && wy.at("/service/env/SERVER_ADDRESS").isMissingNode(),
                InitFile.render(w));
        assertFalse(InitFile.render(w).contains("reads SERVER_PORT"), InitFile.render(w));
        assertTrue(w.probeSource().startsWith("process: a Spring Boot app that starts no web server (no web starter"
                + " (spring-boot-starter-web or -webflux) nor server among its dependencies)"), w.probeSource());
        assertTrue(w.warnings().isEmpty(), w.warnings().toString());

        // The same app with the web starter ships as a web app (no warning about a web server)...
        Path pom = tmp.resolve("pom.xml");
        String worker = Files.readString(pom);
        Files.writeString(pom, worker.replace("<artifactId>spring-boot-starter</artifactId>",
                "<artifactId>spring-boot-starter-web</artifactId>"));
        assertTrue(propose(tmp).warnings().isEmpty(), propose(tmp).warnings().toString());
        // ... unless its configuration turns the web server off.
        Projects.write(tmp, "src/main/resources/application.properties",
                "spring.application.name=demo\nspring.main.web-application-type=none\n");
        Proposal off = propose(tmp);
        assertEquals("process", off.readiness().type());
        assertTrue(off.probeSource().contains("(spring.main.web-application-type=none in"
                + " src/main/resources/application.properties)"), off.probeSource());

        // A module of the team's own group may bring the server: a warning, and the file is proposed.
        Projects.write(tmp, "src/main/resources/application.properties", "spring.application.name=demo\n");
        Files.writeString(pom, worker.replace("</dependencies>", "<dependency><groupId>com.example</groupId>"
                + "<artifactId>orders-core</artifactId><version>1.0</version></dependency></dependencies>"));
        Proposal x = propose(tmp);
        assertEquals(List.of("the app may start no web server (no web starter (spring-boot-starter-web or -webflux)"
                + " nor server among its dependencies (unless com.example:orders-core brings one)); if it listens on"
                + " no port, no release passes the readiness gate, which checks the port: set service.readiness.type:"
                + " process (and liveness) for a worker, or give it a port with its health: add spring-boot-starter-web"
                + " and spring-boot-starter-actuator (Actuator's readiness and liveness groups then answer on"
                + " SERVER_PORT)"), x.warnings());
    }

    @Test
    void springSecuritySaysTheProbesPassAndTheEndpointsNeedASecurityFilterChain() throws Exception {
        Projects.springBoot(tmp);
        assertTrue(propose(tmp).warnings().isEmpty());
        Projects.write(tmp, "pom.xml", java.nio.file.Files.readString(tmp.resolve("pom.xml")).replace("</dependencies>",
                "<dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-security</artifactId>"
                        + "</dependency></dependencies>"));
        Proposal x = propose(tmp);
        String text = InitFile.render(x);
        assertTrue(text.contains("# Spring Security is on the class path: a fresh app answers 401 on every endpoint"), text);
        assertTrue(text.replace("\n  # ", " ").contains("but Actuator's health groups, which Spring Boot permits, so the"
                + " probes pass; the app's own endpoints need a SecurityFilterChain bean"), text);
        assertEquals(List.of("Spring Security is on the class path: the app's endpoints answer 401 until it defines a"
                + " SecurityFilterChain; the probes pass"), x.warnings());
        assertEquals("/actuator/health/readiness", x.readiness().path(), "Spring Boot permits the health groups");
    }

    @Test
    void springValuesWithoutDefaultAreNamedAsVariablesTheStartNeedsAndProfilesAreListed() throws Exception {
        // A @Value("${API_KEY}") with no default stops Spring's start ("Could not resolve
        // placeholder"); init names the variable instead of leaving a failed gate to explain it.
        Projects.springBoot3Jpa(tmp);
        Projects.write(tmp, "src/main/java/com/example/demo/Keys.java", """
                package com.example.demo;

                import org.springframework.beans.factory.annotation.Value;
                import org.springframework.stereotype.Component;

                @Component
                class Keys {
                    @Value("${API_KEY}") String apiKey;
                    @Value(value = "${payment.gateway-token}") String token;
                    @Value("${app.name}") String name;
                    @Value("${app.secret}") String secret;
                    @Value("${app.region:eu}") String region;
                    @Value("${server.port}") int port;
                    @Value("#{'${app.name}'.toUpperCase()}") String upper;
                }
                """);
        Projects.write(tmp, "src/main/resources/application.properties",
                "app.name=demo\napp.secret=${SIGNING_SECRET}\n");
        Projects.write(tmp, "src/main/resources/application-prod.yml", "server:\n  port: 9090\n");
        Projects.write(tmp, "src/main/resources/application-dev.properties", "logging.level.root=DEBUG\n");
        Proposal x = propose(tmp);
        assertEquals(1, x.warnings().size(), x.warnings().toString());
        String w = x.warnings().get(0);
        assertTrue(w.startsWith("the app needs API_KEY, PAYMENT_GATEWAY_TOKEN, SIGNING_SECRET at start with no default"
                + " (@Value in src/main/java/com/example/demo/Keys.java)"), w);
        String text = InitFile.render(x).replace("\n  # ", " ");
        assertTrue(text.contains("The app needs API_KEY, PAYMENT_GATEWAY_TOKEN, SIGNING_SECRET at start, with no default"
                + " (@Value in src/main/java/com/example/demo/Keys.java). Set a plain value here under env; a secret"), text);
        assertTrue(text.contains("Spring profiles in src/main/resources: dev, prod; none is active unless"
                + " SPRING_PROFILES_ACTIVE names it (e.g. SPRING_PROFILES_ACTIVE: \"prod\" under env)."), text);
        JsonNode y = yaml(x);
        assertTrue(y.at("/service/env/API_KEY").isMissingNode(), "no value is invented for it");
        assertTrue(y.at("/service/env/SPRING_PROFILES_ACTIVE").isMissingNode(), "no profile is switched on by init");

        Projects.write(tmp, "src/main/resources/application.properties",
                "app.name=demo\napp.secret=s\nspring.profiles.active=prod\n");
        Projects.write(tmp, "src/main/java/com/example/demo/Keys.java", "package com.example.demo; class Keys {}\n");
        Proposal quiet = propose(tmp);
        assertEquals(List.of(), quiet.warnings());
        assertFalse(InitFile.render(quiet).contains("Spring profiles"), "a profile the base config activates");
    }

    @Test
    void initializrJpaWithPostgresAndNoDatasourceNamesTheSpringDatasourceVariables() throws Exception {
        // start.spring.io's "Spring Web + Spring Data JPA + PostgreSQL Driver" configures no database:
        // the training run stopped with "Failed to configure a DataSource: 'url' attribute is not
        // specified" and init had said nothing about a database.
        Projects.springBoot4JpaPostgres(tmp, false);
        Proposal x = propose(tmp);
        assertEquals(1, x.warnings().size(), x.warnings().toString());
        assertEquals("the app needs a database and its configuration names none (no spring.datasource.url): Spring Boot"
                + " stops with \"Failed to configure a DataSource\"; export SPRING_DATASOURCE_URL"
                + " (jdbc:postgresql://HOST:5432/DATABASE), SPRING_DATASOURCE_USERNAME and SPRING_DATASOURCE_PASSWORD"
                + " before 'slipway ship'", x.warnings().get(0));
        String text = InitFile.render(x).replace("\n  # ", " ");
        assertTrue(text.contains("The app needs a database: no spring.datasource.url is configured. Export"
                + " SPRING_DATASOURCE_URL (jdbc:postgresql://HOST:5432/DATABASE), SPRING_DATASOURCE_USERNAME and"
                + " SPRING_DATASOURCE_PASSWORD before 'slipway ship'"), text);
        assertFalse(text.contains("Compose"), text);
        JsonNode y = yaml(x);
        assertTrue(y.at("/service/env/SPRING_DATASOURCE_URL").isMissingNode(), "no database is invented");

        // With "Docker Compose Support": compose.yaml is started only in development.
        Projects.springBoot4JpaPostgres(tmp, true);
        Proposal compose = propose(tmp);
        assertEquals(1, compose.warnings().size(), compose.warnings().toString());
        assertTrue(compose.warnings().get(0).endsWith("before 'slipway ship' (compose.yaml is started only in development"
                + " (the IDE, spring-boot:run) by spring-boot-docker-compose, not by the shipped app)"), compose.warnings().get(0));
        assertTrue(InitFile.render(compose).replace("\n  # ", " ").contains("compose.yaml is for development only:"
                + " spring-boot-docker-compose starts it from the IDE, 'mvn spring-boot:run' or bootRun; the shipped jar"
                + " leaves it out, so Slipway never runs it."));

        // A configured URL, or an embedded database Spring Boot starts by itself: nothing to say.
        Projects.write(tmp, "src/main/resources/application.properties",
                "spring.datasource.url=jdbc:postgresql://db:5432/orders\n");
        assertEquals(List.of(), propose(tmp).warnings());
        Projects.springBoot3Jpa(tmp);
        assertEquals(List.of(), propose(tmp).warnings());

        // "Spring Reactive Web + Spring Data R2DBC + PostgreSQL Driver": the same gap, with R2DBC's names.
        Projects.write(tmp, "pom.xml", Files.readString(tmp.resolve("pom.xml"))
                .replace("spring-boot-starter-data-jpa", "spring-boot-starter-data-r2dbc")
                .replace("<groupId>com.h2database</groupId><artifactId>h2</artifactId>",
                        "<groupId>org.postgresql</groupId><artifactId>r2dbc-postgresql</artifactId>"));
        Projects.write(tmp, "src/main/resources/application.properties", "spring.application.name=demo\n");
        Files.delete(tmp.resolve("compose.yaml"));
        List<String> r2dbc = propose(tmp).warnings();
        assertEquals(List.of("the app needs a database and its configuration names none (no spring.r2dbc.url): Spring Boot"
                + " stops with \"Failed to configure a ConnectionFactory\"; export SPRING_R2DBC_URL"
                + " (r2dbc:postgresql://HOST:5432/DATABASE), SPRING_R2DBC_USERNAME and SPRING_R2DBC_PASSWORD before"
                + " 'slipway ship'"), r2dbc);
    }

    @Test
    void quarkusAndMicronautStartersWithAPostgresDriverAndNoUrlNameTheirOwnDatasourceVariables() throws Exception {
        // code.quarkus.io's "Hibernate ORM with Panache + JDBC Driver - PostgreSQL" and Micronaut
        // Launch's "data-jdbc + postgres (+ flyway)" configure no URL for production (Dev Services and
        // Test Resources start a database in dev and tests only): the training run stopped with
        // "Datasource '<default>' was deactivated automatically because its URL is not set" and
        // "Error configuring data source 'default'. No URL specified", and init had said nothing.
        Projects.quarkusPanachePostgres(tmp);
        Proposal quarkus = propose(tmp);
        assertEquals(List.of("the app needs a database and its configuration names none (no quarkus.datasource.jdbc.url):"
                + " Quarkus stops with \"Datasource '<default>' was deactivated automatically because its URL is not set\";"
                + " export QUARKUS_DATASOURCE_JDBC_URL (jdbc:postgresql://HOST:5432/DATABASE), QUARKUS_DATASOURCE_USERNAME"
                + " and QUARKUS_DATASOURCE_PASSWORD before 'slipway ship'"), quarkus.warnings());
        String text = InitFile.render(quarkus).replace("\n  # ", " ");
        assertTrue(text.contains("The app needs a database: no quarkus.datasource.jdbc.url is configured. Export"
                + " QUARKUS_DATASOURCE_JDBC_URL (jdbc:postgresql://HOST:5432/DATABASE), QUARKUS_DATASOURCE_USERNAME and"
                + " QUARKUS_DATASOURCE_PASSWORD before 'slipway ship'"), text);
        assertTrue(text.contains("Quarkus's Dev Services start a database in development and tests only"), text);
        assertTrue(yaml(quarkus).at("/service/env/QUARKUS_DATASOURCE_JDBC_URL").isMissingNode(), "no database is invented");
        assertTrue(Project.detect(tmp, null).postgres(), "the extension brings PostgreSQL's driver: render ci gives it a database");
        // A URL for production (the %prod profile, or every profile): nothing to say.
        Projects.write(tmp, "src/main/resources/application.properties",
                "%prod.quarkus.datasource.jdbc.url=jdbc:postgresql://db:5432/fruits\n");
        assertEquals(List.of(), propose(tmp).warnings());
        Projects.write(tmp, "src/main/resources/application.properties",
                "quarkus.datasource.jdbc.url=jdbc:postgresql://db:5432/fruits\n");
        assertEquals(List.of(), propose(tmp).warnings());

        Path mn = Files.createDirectories(tmp.resolve("mn"));
        Projects.micronaut(mn, true);
        Projects.write(mn, "pom.xml", Files.readString(mn.resolve("pom.xml")).replace(
                "<dependency><groupId>ch.qos.logback</groupId>",
                "<dependency><groupId>io.micronaut.data</groupId><artifactId>micronaut-data-jdbc</artifactId></dependency>"
                        + "<dependency><groupId>io.micronaut.sql</groupId><artifactId>micronaut-jdbc-hikari</artifactId></dependency>"
                        + "<dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId><scope>runtime</scope></dependency>"
                        + "<dependency><groupId>ch.qos.logback</groupId>"));
        Projects.write(mn, "src/main/resources/application.properties", "micronaut.application.name=demo\n"
                + "datasources.default.db-type=postgres\ndatasources.default.dialect=POSTGRES\n"
                + "datasources.default.driver-class-name=org.postgresql.Driver\n");
        Proposal micronaut = propose(mn);
        assertEquals(List.of("the app needs a database and its configuration names none (no datasources.default.url):"
                + " Micronaut stops with \"Error configuring data source 'default'. No URL specified\"; export"
                + " DATASOURCES_DEFAULT_URL (jdbc:postgresql://HOST:5432/DATABASE), DATASOURCES_DEFAULT_USERNAME and"
                + " DATASOURCES_DEFAULT_PASSWORD before 'slipway ship'"), micronaut.warnings());
        assertTrue(InitFile.render(micronaut).replace("\n  # ", " ").contains("Micronaut's Test Resources start a database"
                + " in development and tests only, not for the shipped app."));
        Projects.write(mn, "src/main/resources/application.properties",
                "datasources.default.url=jdbc:postgresql://db:5432/books\n");
        assertEquals(List.of(), propose(mn).warnings());
    }

    @Test
    void placeholdersInTheSpringConfigurationWithNoDefaultAreNamedAsVariablesTheStartNeeds() throws Exception {
        // spring.datasource.url=${DB_URL} (the usual way to take a database's URL and password from
        // the environment): with no DB_URL, Spring Boot binds the text unresolved and the start fails
        // with "'url' must start with \"jdbc\"" in the build's training run. init named none of them.
        Projects.springBoot3Jpa(tmp);
        Projects.write(tmp, "src/main/resources/application.properties", """
                spring.application.name=orders
                spring.datasource.url=${DB_URL}
                spring.datasource.username=${DB_USER}
                spring.datasource.password=${DB_PASSWORD}
                spring.jpa.open-in-view=${OPEN_IN_VIEW:false}
                app.base=https://example.test
                app.callback=${app.base}/callback
                server.port=${PORT}
                """);
        Projects.write(tmp, "src/main/resources/application.yml", "app:\n  token: ${app.issuer.key}\n");
        Proposal x = propose(tmp);
        assertEquals(1, x.warnings().size(), x.warnings().toString());
        String w = x.warnings().get(0);
        assertTrue(w.startsWith("the app needs APP_ISSUER_KEY, DB_PASSWORD, DB_URL, DB_USER at start with no default"
                + " (spring.datasource.password, spring.datasource.url, spring.datasource.username in"
                + " src/main/resources/application.properties; app.token in src/main/resources/application.yml)"), w);
        String text = InitFile.render(x).replace("\n  # ", " ");
        assertTrue(text.contains("The app needs APP_ISSUER_KEY, DB_PASSWORD, DB_URL, DB_USER at start, with no default"), text);
        JsonNode y = yaml(x);
        assertTrue(y.at("/service/env/DB_PASSWORD").isMissingNode(), "no secret is invented or written");
    }

    @Test
    void springBootActuatorOnItsOwnPortFallsBackToTcp() throws Exception {
        Projects.springBoot3Jpa(tmp);
        Projects.write(tmp, "src/main/resources/application.yml", "management:\n  server:\n    port: 9090\n");
        Proposal x = propose(tmp);
        assertEquals("tcp", x.readiness().type());
        assertFalse(x.env().containsKey("MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED"));
        assertTrue(String.join("\n", x.probeNotes()).contains("management.server.port=9090"), x.probeNotes().toString());
    }

    @Test
    void actuatorsOwnPortIsAFreeOneInTheTrainingRunOnly() throws Exception {
        // Every instance binds a fixed management.server.port: a training run while the service runs
        // on this machine failed with "Port 8081 was already in use" after its main port answered.
        Projects.springBoot3Jpa(tmp.resolve("own"));
        Projects.write(tmp.resolve("own"), "src/main/resources/application.yml",
                "server:\n  port: 9090\nmanagement:\n  server:\n    port: 8081\n");
        Proposal x = propose(tmp.resolve("own"));
        JsonNode y = yaml(x);
        assertEquals("0", y.at("/train/env/MANAGEMENT_SERVER_PORT").asText(), y.toString());
        assertEquals("180s", y.at("/train/timeout").asText(), "the gate's timeout stays beside the env");
        assertTrue(y.at("/service/env/MANAGEMENT_SERVER_PORT").isMissingNode(), "deploys keep the app's port");
        assertEquals(9090, y.at("/service/port").asInt());
        java.nio.file.Files.writeString(tmp.resolve("own/slipway.yaml"), InitFile.render(x));
        assertEquals(java.util.Map.of("MANAGEMENT_SERVER_PORT", "0"),
                dev.slipway.config.ConfigLoader.loadFromDir(tmp.resolve("own")).train().env(), "slipway check accepts it");
        for (String[] same : new String[][] {{"same", "server.port=8181\nmanagement.server.port=8181\n"},
                {"off", "management.server.port=-1\n"}, {"free", "management.server.port=0\n"}}) {
            Projects.springBoot3Jpa(tmp.resolve(same[0]));
            Projects.write(tmp.resolve(same[0]), "src/main/resources/application.properties", same[1]);
            assertTrue(yaml(propose(tmp.resolve(same[0]))).at("/train/env").isMissingNode(), same[0]);
        }
    }

    /**
     * Quarkus's management interface (quarkus.management.enabled=true) serves SmallRye Health on its
     * own port, 9000 by default: the probes requested /q/health/ready on the service port, a 404, and
     * the gate failed. TCP probes instead, and the training run binds a free management port.
     */
    @Test
    void quarkusManagementInterfaceOnItsOwnPortFallsBackToTcp() throws Exception {
        Projects.quarkus(tmp.resolve("m"), true);
        Projects.write(tmp.resolve("m"), "src/main/resources/application.properties", "quarkus.management.enabled=true\n");
        Proposal x = propose(tmp.resolve("m"));
        assertEquals("tcp", x.readiness().type());
        assertEquals("tcp", x.liveness().type());
        assertTrue(String.join("\n", x.probeNotes()).contains("quarkus.management.port=9000"), x.probeNotes().toString());
        JsonNode y = yaml(x);
        assertEquals("0", y.at("/train/env/QUARKUS_MANAGEMENT_PORT").asText(), y.toString());
        assertTrue(y.at("/service/env/QUARKUS_MANAGEMENT_PORT").isMissingNode(), "deploys keep the app's port");
        java.nio.file.Files.writeString(tmp.resolve("m/slipway.yaml"), InitFile.render(x));
        assertEquals(java.util.Map.of("QUARKUS_MANAGEMENT_PORT", "0"),
                dev.slipway.config.ConfigLoader.loadFromDir(tmp.resolve("m")).train().env(), "slipway check accepts it");
        Projects.write(tmp.resolve("m"), "src/main/resources/application.properties",
                "quarkus.management.enabled=false\nquarkus.management.port=9100\n");
        assertEquals("/q/health/ready", yaml(propose(tmp.resolve("m"))).at("/service/readiness/path").asText(),
                "a management port without the interface leaves health on the service port");
    }

    @Test
    void quarkusFastJarWithAndWithoutSmallRyeHealth() throws Exception {
        Projects.quarkus(tmp.resolve("h"), true);
        Projects.quarkus(tmp.resolve("n"), false);
        JsonNode h = yaml(propose(tmp.resolve("h")));
        assertEquals(List.of("mvn", "-q", "-B", "-DskipTests", "package"), strings(h.at("/build/command")),
                "no uber-jar forced: the fast-jar in target/quarkus-app/ is the input");
        assertTrue(h.get("main") == null, "quarkus-run.jar names the main class");
        assertEquals("${PORT}", h.at("/service/env/QUARKUS_HTTP_PORT").asText());
        assertEquals("${ADDR}", h.at("/service/env/QUARKUS_HTTP_HOST").asText());
        assertEquals("/q/health/ready", h.at("/service/readiness/path").asText());
        assertEquals("/q/health/live", h.at("/service/liveness/path").asText());
        assertTrue(InitFile.render(propose(tmp.resolve("h"))).contains("the fast-jar in target/quarkus-app/"));
        JsonNode n = yaml(propose(tmp.resolve("n")));
        assertEquals("tcp", n.at("/service/readiness/type").asText(), "no smallrye-health: /q/health/ready is a 404");
        assertEquals("tcp", n.at("/service/liveness/type").asText());
    }

    /**
     * Spring Boot loads application-NAME.yaml (or .properties) over application.yaml for each profile
     * that spring.profiles.active names there, the later one winning. init read the base file only:
     * with the dev profile moving Actuator to /manage it proposed /api/actuator/health/readiness, a
     * 404 that no gate passes. A profile no one activates (prod here) changes nothing.
     */
    @Test
    void activeSpringProfilesFilesOverrideTheBaseConfiguration() throws Exception {
        Path s = tmp.resolve("s");
        Projects.springBoot3Jpa(s);
        Projects.write(s, "src/main/resources/application.yaml",
                "spring:\n  profiles:\n    active: dev, local\nserver:\n  servlet:\n    context-path: /api\n");
        Projects.write(s, "src/main/resources/application-dev.yaml",
                "management:\n  endpoints:\n    web:\n      base-path: /manage\nserver:\n  port: 9191\n");
        Projects.write(s, "src/main/resources/application-local.properties", "server.port=9292\n");
        Projects.write(s, "src/main/resources/application-prod.yaml", "server:\n  servlet:\n    context-path: /prod\n");
        Proposal x = propose(s);
        JsonNode y = yaml(x);
        assertEquals("/api/manage/health/readiness", y.at("/service/readiness/path").asText(), y.toString());
        assertEquals("/api", y.at("/service/path").asText());
        assertEquals(9292, y.at("/service/port").asInt(), "the later profile wins");

        // A placeholder or Maven's filtering names no profile init can know: the base file alone.
        Projects.write(s, "src/main/resources/application.yaml",
                "spring:\n  profiles:\n    active: \"@spring.profiles.active@\"\nserver:\n  servlet:\n    context-path: /api\n");
        assertEquals("/api/actuator/health/readiness", yaml(propose(s)).at("/service/readiness/path").asText());
    }

    /**
     * One application.yaml with several documents ({@code ---}), some limited to a profile by
     * spring.config.activate.on-profile: Spring Boot applies every document whose condition holds,
     * a later one winning. init read the first document alone: here it proposed port 8081 and
     * /manage/health/readiness while the app, under its active profile prod, served
     * /api/ops/health/readiness (a 404 the gate never passes).
     */
    @Test
    void multiDocumentSpringConfigurationIsReadUnderTheActiveProfiles() throws Exception {
        Path s = tmp.resolve("s");
        Projects.springBoot3Jpa(s);
        Projects.write(s, "src/main/resources/application.properties", "spring.application.name=demo\n");
        Projects.write(s, "src/main/resources/application.yaml", """
                spring:
                  profiles:
                    active: prod
                server:
                  port: ${PORT:8081}
                management:
                  endpoints:
                    web:
                      base-path: /manage
                ---
                spring:
                  config:
                    activate:
                      on-profile: dev
                server:
                  port: 9000
                  servlet:
                    context-path: /dev
                ---
                spring:
                  config:
                    activate:
                      on-profile: [staging, prod]
                server:
                  servlet:
                    context-path: /api
                management:
                  endpoints:
                    web:
                      base-path: /ops
                ---
                spring:
                  config:
                    activate:
                      on-profile: "!prod"
                server:
                  port: 9100
                """);
        JsonNode y = yaml(propose(s));
        assertEquals("/api/ops/health/readiness", y.at("/service/readiness/path").asText(), y.toString());
        assertEquals("/api", y.at("/service/path").asText());
        assertEquals(8081, y.at("/service/port").asInt(), "${PORT:8081}: the port the app listens on without PORT");

        // No profile active: Spring's "default" profile; the "!prod" document applies, the others not.
        Projects.write(s, "src/main/resources/application.yaml", """
                server:
                  port: 8081
                ---
                spring.config.activate.on-profile: prod
                server.servlet.context-path: /api
                ---
                spring.config.activate.on-profile: "!prod"
                server.port: 9100
                """);
        Proposal none = propose(s);
        y = yaml(none);
        assertEquals(9100, y.at("/service/port").asInt(), y.toString());
        assertTrue(InitFile.render(none).replace("\n  # ", " ").contains("Spring profiles in src/main/resources: prod;"
                + " none is active unless SPRING_PROFILES_ACTIVE names it"), "a profile's document, as a profile's file");
        assertEquals("/actuator/health/readiness", y.at("/service/readiness/path").asText());

        // A properties file's documents (#---) too: a profile's document no longer wins by coming last.
        Files.delete(s.resolve("src/main/resources/application.yaml"));
        Projects.write(s, "src/main/resources/application.properties", """
                server.port=8082
                #---
                spring.config.activate.on-profile=dev
                server.port=9000
                management.endpoints.web.base-path=/dev
                """);
        y = yaml(propose(s));
        assertEquals(8082, y.at("/service/port").asInt(), y.toString());
        assertEquals("/actuator/health/readiness", y.at("/service/readiness/path").asText());
    }

    /**
     * Framework health endpoints move with the app's paths: Actuator (on the server port) under
     * server.servlet.context-path and management.endpoints.web.base-path, here set in application.yml
     * (the probes used to request /actuator/health/readiness, a 404 under /api, and the gate failed);
     * Quarkus's relative non-application root under quarkus.http.root-path, an absolute one not;
     * Helidon SE 4's health observer under the observe feature's endpoint.
     */
    @Test
    void frameworkHealthEndpointsFollowTheContextPath() throws Exception {
        Projects.springBoot3Jpa(tmp.resolve("s"));
        Projects.write(tmp.resolve("s"), "src/main/resources/application.yml",
                "server:\n  port: 9090\n  servlet:\n    context-path: /api/\n");
        JsonNode s = yaml(propose(tmp.resolve("s")));
        assertEquals("/api/actuator/health/readiness", s.at("/service/readiness/path").asText());
        assertEquals("/api/actuator/health/liveness", s.at("/service/liveness/path").asText());
        assertEquals(9090, s.at("/service/port").asInt());
        assertEquals("/api", s.at("/service/path").asText(), "the URL ship prints ends in the context path");
        Projects.write(tmp.resolve("s"), "src/main/resources/application.yml",
                "server:\n  servlet:\n    context-path: /api\nmanagement:\n  endpoints:\n    web:\n      base-path: /manage\n");
        assertEquals("/api/manage/health/readiness", yaml(propose(tmp.resolve("s"))).at("/service/readiness/path").asText());
        // WebFlux has no servlet context path: spring.webflux.base-path puts every route under it
        Projects.write(tmp.resolve("s"), "src/main/resources/application.yml",
                "spring:\n  webflux:\n    base-path: /flux/\n");
        JsonNode flux = yaml(propose(tmp.resolve("s")));
        assertEquals("/flux/actuator/health/readiness", flux.at("/service/readiness/path").asText());
        assertEquals("/flux", flux.at("/service/path").asText());
        Projects.write(tmp.resolve("s"), "src/main/resources/application.yml", "server:\n  port: 9090\n");
        assertTrue(yaml(propose(tmp.resolve("s"))).at("/service/path").isMissingNode(), "no context path: no key");

        Projects.quarkus(tmp.resolve("q"), true);
        Projects.write(tmp.resolve("q"), "src/main/resources/application.properties", "quarkus.http.root-path=/svc\n");
        assertEquals("/svc/q/health/ready", yaml(propose(tmp.resolve("q"))).at("/service/readiness/path").asText());
        Projects.write(tmp.resolve("q"), "src/main/resources/application.properties",
                "quarkus.http.root-path=/svc\nquarkus.http.non-application-root-path=/ops/\n");
        assertEquals("/ops/health/live", yaml(propose(tmp.resolve("q"))).at("/service/liveness/path").asText());

        // Helidon SE 4's observers are under server.features.observe.endpoint (default /observe)
        Projects.helidonSe(tmp.resolve("h"), true);
        assertEquals("/observe/health/ready", yaml(propose(tmp.resolve("h"))).at("/service/readiness/path").asText());
        Projects.write(tmp.resolve("h"), "src/main/resources/application.yaml",
                "server:\n  port: 8080\n  features:\n    observe:\n      endpoint: /ops/\n");
        Proposal h = propose(tmp.resolve("h"));
        assertEquals(List.of("/ops/health/ready", "/ops/health/live"), List.of(h.readiness().path(), h.liveness().path()));
    }

    /**
     * A modular app runs on the class path in the single file (its module name is null there), so a
     * provider declared only by module-info's {@code provides} is not found by ServiceLoader: init warns.
     */
    @Test
    void moduleInfoProvidesWithoutAServicesFileIsAWarning() throws Exception {
        Projects.plain(tmp);
        Projects.write(tmp, "src/main/java/module-info.java", """
                import com.acme.spi.Codec;
                /* provides com.acme.Old with com.acme.OldImpl; */
                module com.acme.billing {
                    requires java.sql;
                    provides Codec with com.acme.billing.JsonCodec,
                        com.acme.billing.CsvCodec;
                    provides java.sql.Driver with com.acme.billing.FakeDriver;
                }
                """);
        Projects.write(tmp, "src/main/resources/META-INF/services/java.sql.Driver", "com.acme.billing.FakeDriver\n");
        List<String> warnings = propose(tmp).warnings();
        List<String> provides = warnings.stream().filter(w -> w.startsWith("module-info.java provides")).toList();
        assertEquals(List.of("module-info.java provides com.acme.spi.Codec, but the single file runs the app on the class"
                + " path, where ServiceLoader reads only META-INF/services: add"
                + " src/main/resources/META-INF/services/com.acme.spi.Codec listing com.acme.billing.JsonCodec,"
                + " com.acme.billing.CsvCodec"), provides, warnings.toString());
    }

    @Test
    void thePortTheFrameworksConfigurationSetsIsServicePort() throws Exception {
        Projects.springBoot(tmp.resolve("s"));
        Projects.write(tmp.resolve("s"), "src/main/resources/application.properties", "server.port=8181\n");
        Proposal s = propose(tmp.resolve("s"));
        assertEquals(8181, yaml(s).at("/service/port").asInt(), "Spring Boot's server.port");
        assertTrue(InitFile.describe(s).contains("port: 8181 (server.port=8181 in src/main/resources/application.properties)"
                + " (SERVER_PORT, SERVER_ADDRESS)"), "init says where the port came from: " + InitFile.describe(s));
        assertEquals(9000, Proposal.of(Project.detect(tmp.resolve("s"), null), 9000).port(), "--port wins");

        Projects.quarkus(tmp.resolve("q"), true);
        Projects.write(tmp.resolve("q"), "src/main/resources/application.properties", "quarkus.http.port=${HTTP_PORT:8282}\n");
        assertEquals(8282, propose(tmp.resolve("q")).port(), "a placeholder's default");

        Projects.micronaut(tmp.resolve("m"), true);
        Projects.write(tmp.resolve("m"), "src/main/resources/application.yml", "micronaut:\n  server:\n    port: 8383\n");
        assertEquals(8383, propose(tmp.resolve("m")).port(), "Micronaut's micronaut.server.port in YAML");

        Projects.helidonSe(tmp.resolve("h"), true);
        Projects.write(tmp.resolve("h"), "src/main/resources/application.yaml", "server:\n  port: 8484\n");
        assertEquals(8484, propose(tmp.resolve("h")).port(), "Helidon's server.port");

        Projects.springBoot(tmp.resolve("r"));
        Projects.write(tmp.resolve("r"), "src/main/resources/application.properties", "server.port=0\n");
        Proposal r = propose(tmp.resolve("r"));
        assertEquals(8080, r.port(), "server.port=0 (a random port) is no port to deploy on");
        assertEquals(null, r.portSource());
    }

    @Test
    void quarkusUberJarFromApplicationProperties() throws Exception {
        Projects.quarkus(tmp, true);
        Projects.write(tmp, "src/main/resources/application.properties", "quarkus.package.jar.type=uber-jar\n");
        String text = InitFile.render(propose(tmp));
        assertTrue(text.contains("quarkus.package.jar.type=uber-jar, so the input is the one"), text);
    }

    @Test
    void micronautShadedJarWithAndWithoutManagement() throws Exception {
        Projects.micronaut(tmp.resolve("m"), true);
        Projects.micronaut(tmp.resolve("n"), false);
        JsonNode m = yaml(propose(tmp.resolve("m")));
        assertEquals(List.of("mvn", "-q", "-B", "-DskipTests", "package"), strings(m.at("/build/command")));
        assertEquals("com.example.Application", m.get("main").asText());
        assertEquals("${PORT}", m.at("/service/env/MICRONAUT_SERVER_PORT").asText());
        assertEquals("${ADDR}", m.at("/service/env/MICRONAUT_SERVER_HOST").asText());
        assertEquals("/health/readiness", m.at("/service/readiness/path").asText());
        assertEquals("/health/liveness", m.at("/service/liveness/path").asText());
        assertEquals("tcp", yaml(propose(tmp.resolve("n"))).at("/service/readiness/type").asText());
    }

    /**
     * Micronaut serves its management endpoints under the server's context path, or
     * endpoints.all.context-path when set, then endpoints.all.path; on endpoints.all.port the probes
     * cannot reach them and check the port.
     */
    @Test
    void micronautProbesFollowTheContextPathAndTheEndpointsPath() throws Exception {
        Projects.micronaut(tmp.resolve("c"), true);
        Projects.write(tmp.resolve("c"), "src/main/resources/application.yml",
                "micronaut:\n  server:\n    context-path: /api/\n");
        JsonNode c = yaml(propose(tmp.resolve("c")));
        assertEquals("/api/health/readiness", c.at("/service/readiness/path").asText());
        assertEquals("/api/health/liveness", c.at("/service/liveness/path").asText());

        Projects.micronaut(tmp.resolve("e"), true);
        Projects.write(tmp.resolve("e"), "src/main/resources/application.properties",
                "micronaut.server.context-path=/api\nendpoints.all.path=/admin/\n");
        assertEquals("/api/admin/health/readiness", yaml(propose(tmp.resolve("e"))).at("/service/readiness/path").asText());

        Projects.micronaut(tmp.resolve("o"), true);
        Projects.write(tmp.resolve("o"), "src/main/resources/application.yml",
                "micronaut:\n  server:\n    context-path: /api\nendpoints:\n  all:\n    context-path: /ops\n    path: /\n");
        assertEquals("/ops/health/readiness", yaml(propose(tmp.resolve("o"))).at("/service/readiness/path").asText(),
                "endpoints.all.context-path replaces the server's for the endpoints");

        Projects.micronaut(tmp.resolve("p"), true);
        Projects.write(tmp.resolve("p"), "src/main/resources/application.yml", "endpoints:\n  all:\n    port: 8085\n");
        assertEquals("tcp", yaml(propose(tmp.resolve("p"))).at("/service/readiness/type").asText(),
                "endpoints on their own port: the probes check the service port");
    }

    @Test
    void micronautsOwnEndpointsPortIsAFreeOneInTheTrainingRunOnly() throws Exception {
        // Every instance binds a fixed endpoints.all.port: a second 'slipway ship' while the first
        // release ran here failed in the training run ("Unable to start Micronaut server on *:8085").
        Projects.micronaut(tmp.resolve("p"), true);
        Projects.write(tmp.resolve("p"), "src/main/resources/application.properties",
                "micronaut.application.name=demo\nendpoints.all.port=8085\n");
        Proposal x = propose(tmp.resolve("p"));
        JsonNode y = yaml(x);
        assertEquals("0", y.at("/train/env/ENDPOINTS_ALL_PORT").asText(), y.toString());
        assertTrue(y.at("/service/env/ENDPOINTS_ALL_PORT").isMissingNode(), "deploys keep the app's port");
        assertTrue(InitFile.render(x).contains("endpoints.all.port=8085) is bound by every"), InitFile.render(x));
        java.nio.file.Files.writeString(tmp.resolve("p/slipway.yaml"), InitFile.render(x));
        assertEquals(java.util.Map.of("ENDPOINTS_ALL_PORT", "0"),
                dev.slipway.config.ConfigLoader.loadFromDir(tmp.resolve("p")).train().env(), "slipway check accepts it");
        for (String[] same : new String[][] {{"same", "micronaut.server.port=8181\nendpoints.all.port=8181\n"},
                {"free", "endpoints.all.port=0\n"}}) {
            Projects.micronaut(tmp.resolve(same[0]), true);
            Projects.write(tmp.resolve(same[0]), "src/main/resources/application.properties", same[1]);
            assertTrue(yaml(propose(tmp.resolve(same[0]))).at("/train/env").isMissingNode(), same[0]);
        }
    }

    @Test
    void theTrainingRunGetsAsLongAsTheGateWhenTheGateIsLongerThanItsDefault() throws Exception {
        // A new user's Micronaut build said "never became ready ... within train.timeout (60s)"
        // while init gave its deploy gate 90s: the training run starts the same app the same way.
        Projects.micronaut(tmp.resolve("m"), true);
        Projects.quarkus(tmp.resolve("q"), true);
        Projects.helidonSe(tmp.resolve("h"), true);
        for (String d : List.of("m", "q", "h")) {
            JsonNode y = yaml(propose(tmp.resolve(d)));
            assertEquals("90s", y.at("/service/readiness/timeout").asText(), d);
            assertEquals("90s", y.at("/train/timeout").asText(), d + ": the training run waits as long as the gate");
        }
        assertTrue(InitFile.render(propose(tmp.resolve("q"))).contains(
                "# The training run starts the app like a deploy does: give it as long as the gate."));
        // A gate within the default needs no train section.
        Projects.javalin(tmp.resolve("j"), null);
        JsonNode j = yaml(propose(tmp.resolve("j")));
        assertEquals("60s", j.at("/service/readiness/timeout").asText());
        assertTrue(j.at("/train").isMissingNode(), j.toString());
    }

    @Test
    void helidonSeUsesObserveHealthAndTheParentsLibs() throws Exception {
        Projects.helidonSe(tmp.resolve("h"), true);
        Projects.helidonSe(tmp.resolve("n"), false);
        Proposal x = propose(tmp.resolve("h"));
        JsonNode y = yaml(x);
        assertEquals(List.of("mvn", "-q", "-B", "-DskipTests", "package"), strings(y.at("/build/command")));
        assertEquals("target/libs", y.at("/build/lib").asText());
        assertEquals("${PORT}", y.at("/service/env/SERVER_PORT").asText());
        assertEquals("${ADDR}", y.at("/service/env/SERVER_HOST").asText());
        assertEquals("/observe/health/ready", y.at("/service/readiness/path").asText());
        assertEquals("/observe/health/live", y.at("/service/liveness/path").asText());
        assertEquals("tcp", yaml(propose(tmp.resolve("n"))).at("/service/readiness/type").asText());
        assertTrue(InitFile.render(propose(tmp.resolve("n"))).contains(
                "io.helidon.webserver.observe:helidon-webserver-observe-health"));
    }

    @Test
    void helidonMpRunsTheCdiMainWithMicroProfileHealth() throws Exception {
        Projects.helidonMp(tmp);
        JsonNode y = yaml(propose(tmp));
        assertEquals("io.helidon.microprofile.cdi.Main", y.get("main").asText());
        assertEquals("target/libs", y.at("/build/lib").asText());
        assertEquals("${PORT}", y.at("/service/env/SERVER_PORT").asText());
        assertEquals("/health/ready", y.at("/service/readiness/path").asText());
        assertEquals("/health/live", y.at("/service/liveness/path").asText());
    }

    @Test
    void javalinReadingPortBuildsItsAssemblyAndProbesTcp() throws Exception {
        Projects.javalin(tmp, null);
        Proposal x = propose(tmp);
        JsonNode y = yaml(x);
        assertEquals(List.of("mvn", "-q", "-B", "-DskipTests", "package"), strings(y.at("/build/command")),
                "the assembly runs in package: its jar-with-dependencies is the input");
        assertTrue(InitFile.render(x).contains("# The project's own build: the assembly plugin's uber jar in target/"),
                InitFile.render(x));
        assertEquals(8080, y.at("/service/port").asInt());
        assertTrue(y.at("/service/env").isMissingNode(), "Javalin reads no port variable");
        assertEquals("tcp", y.at("/service/readiness/type").asText());
        assertEquals("tcp", y.at("/service/liveness/type").asText());
        assertEquals("60s", y.at("/service/readiness/timeout").asText());
        assertTrue(y.at("/train").isMissingNode(), "the defaults fit: training requests / for a tcp readiness");
        assertTrue(InitFile.render(x).contains("src/main/java/com/example/App.java reads PORT"), InitFile.render(x));
        assertTrue(x.warnings().isEmpty(), x.warnings().toString());
    }

    @Test
    void javalinOnAFixedPortShipsOnThatPortWithoutTrainingAndSaysWhatToChange() throws Exception {
        Projects.javalin(tmp, 7070);
        Proposal x = propose(tmp);
        JsonNode y = yaml(x);
        assertEquals(7070, y.at("/service/port").asInt());
        assertFalse(y.at("/train/enabled").asBoolean(true));
        String text = InitFile.render(x);
        assertTrue(text.contains(".start(Integer.parseInt(System.getenv().getOrDefault(\"PORT\", \"7070\")))"), text);
        assertEquals(1, x.warnings().size());
        assertEquals(9000, Proposal.of(Project.detect(tmp, null), 9000).port(), "--port wins");
    }

    @Test
    void joobyStarterGetsPortAndAddressAsSystemPropertiesOverItsApplicationConf() throws Exception {
        Projects.jooby(tmp, 8181, null);
        Proposal x = propose(tmp);
        assertEquals(Project.Framework.JOOBY, x.project().framework());
        JsonNode y = yaml(x);
        assertEquals("app.App", y.get("main").asText(), "the shade plugin's mainClass, ${application.class}");
        assertEquals(List.of("mvn", "-q", "-B", "-DskipTests", "package"), strings(y.at("/build/command")),
                "the shade plugin's uber jar is the input");
        // Jooby maps no environment variable to server.port: without these the app stays on
        // application.conf's port, and the training run (given a free PORT) never becomes ready.
        assertTrue(strings(y.at("/build/jvmOptions")).containsAll(List.of("-Dserver.port=${PORT}", "-Dserver.host=${ADDR}")),
                y.at("/build/jvmOptions").toString());
        assertTrue(y.at("/service/env").isMissingNode(), "Jooby reads no port variable");
        assertEquals(8181, y.at("/service/port").asInt(), "server.port in conf/application.conf");
        assertTrue(y.at("/train").isMissingNode(), "the app takes the training run's PORT: training stays on");
        assertEquals("tcp", y.at("/service/readiness/type").asText());
        assertEquals("60s", y.at("/service/readiness/timeout").asText());
        assertTrue(x.warnings().isEmpty(), "no 'must listen on $PORT' warning: " + x.warnings());
        assertTrue(InitFile.render(x).contains("over conf/application.conf's server.port = 8181"), InitFile.render(x));
        assertEquals(9000, Proposal.of(Project.detect(tmp, null), 9000).port(), "--port wins");

        // The app's own health route (Jooby's get("/health", ...)) becomes the probes'.
        Path withHealth = tmp.resolve("health");
        Projects.jooby(withHealth, 8080, "/health");
        JsonNode h = yaml(propose(withHealth));
        assertEquals("/health", h.at("/service/readiness/path").asText(), h.toString());
        assertEquals(8080, h.at("/service/port").asInt());
    }

    @Test
    void hoconServerPortIsReadFlatAndNestedAndCommentsAreSkipped() throws Exception {
        Projects.write(tmp, "conf/application.conf", "# server.port = 1111\nserver {\n  maxRequestSize = 10k\n  port = 8282\n}\n");
        assertEquals(Map.entry("conf/application.conf", 8282), Proposal.joobyConfiguredPort(tmp));
        Projects.write(tmp, "conf/application.conf", "server.port: 8383 \n");
        assertEquals(Map.entry("conf/application.conf", 8383), Proposal.joobyConfiguredPort(tmp));
        Projects.write(tmp, "conf/application.conf", "server.port = ${?PORT}\n");
        assertNull(Proposal.joobyConfiguredPort(tmp), "no number: the default port");
    }

    @Test
    void vertx5StarterPassesTheVerticleToItsApplicationLauncherWithoutTheRunCommand() throws Exception {
        Projects.vertx5(tmp, false);
        JsonNode y = yaml(propose(tmp));
        assertEquals(Proposal.VERTX_APPLICATION, y.get("main").asText());
        assertEquals(8888, y.at("/service/port").asInt());
        assertTrue(y.at("/service/args").isMissingNode(), "the fat jar's manifest names the verticle");

        // Its config port: the launcher's -conf, after the verticle, and no 'run' (Vert.x 4's command):
        // the application launcher took 'run' for the verticle's class name.
        Path conf = tmp.resolve("conf");
        Projects.vertx5(conf, true);
        JsonNode c = yaml(propose(conf));
        assertEquals(List.of("com.example.starter.MainVerticle", "-conf", "{\"http.port\": ${PORT}}"), strings(c.at("/service/args")));

        // Without the shade plugin's execution the plain jar has no Main-Verticle: the verticle is the argument.
        Projects.write(tmp, "pom.xml", java.nio.file.Files.readString(tmp.resolve("pom.xml")).replace("<goal>shade</goal>", ""));
        JsonNode plain = yaml(propose(tmp));
        assertEquals(List.of("com.example.starter.MainVerticle"), strings(plain.at("/service/args")), plain.toString());
    }

    @Test
    void vertxStarterBuildsItsShadedJarAndShipsOnItsFixedPortWithoutTraining() throws Exception {
        Projects.vertx(tmp, false);
        Proposal x = propose(tmp);
        JsonNode y = yaml(x);
        assertEquals("io.vertx.core.Launcher", y.get("main").asText());
        assertEquals(List.of("mvn", "-q", "-B", "-DskipTests", "package"), strings(y.at("/build/command")),
                "the shade plugin's fat jar (with Main-Verticle) is the input");
        String text = InitFile.render(x);
        assertTrue(text.contains("# The project's own build: the shade plugin's uber jar in target/"), text);
        assertTrue(text.contains("Main-Verticle) is the input, shipped alone."), text);
        assertFalse(text.contains("not the assembled uber jar"), text);
        assertEquals(8888, y.at("/service/port").asInt(), "listen(8888, ...) is the fixed port");
        assertFalse(y.at("/train/enabled").asBoolean(true), "the training run's PORT is ignored");
        assertTrue(text.contains("Integer.parseInt(System.getenv().getOrDefault(\"PORT\", \"8888\"))"), text);
        assertTrue(y.at("/service/args").isMissingNode(), "the fat jar's manifest names the verticle");
        assertEquals("tcp", y.at("/service/readiness/type").asText());
        assertEquals(1, x.warnings().size(), x.warnings().toString());
        assertTrue(x.warnings().get(0).contains("MainVerticle.java listens on the fixed port 8888"), x.warnings().toString());

        // Without the shade plugin's execution the plain jar and its libraries are shipped: the
        // Launcher is told the verticle, which no manifest names then.
        Projects.write(tmp, "pom.xml", java.nio.file.Files.readString(tmp.resolve("pom.xml"))
                .replace("<goal>shade</goal>", ""));
        JsonNode plain = yaml(propose(tmp));
        assertTrue(plain.at("/build/command").isMissingNode(), plain.toString());
        assertEquals(List.of("run", "com.example.starter.MainVerticle"), strings(plain.at("/service/args")));
    }

    @Test
    void vertxVerticleReadingItsPortFromConfigGetsItThroughTheLaunchersConf() throws Exception {
        Projects.vertx(tmp, true);
        Proposal x = propose(tmp);
        JsonNode y = yaml(x);
        assertEquals(List.of("run", "com.example.starter.MainVerticle", "-conf",
                "{\"http.port\": ${PORT}, \"http.host\": \"${ADDR}\"}"), strings(y.at("/service/args")));
        assertEquals(8888, y.at("/service/port").asInt(), "the verticle's default");
        assertTrue(y.at("/train").isMissingNode(), "the training run's PORT reaches the verticle");
        assertTrue(x.warnings().isEmpty(), x.warnings().toString());

        // Vert.x 5's application launcher takes the same -conf, after the verticle and without 'run'.
        Projects.write(tmp, "pom.xml", java.nio.file.Files.readString(tmp.resolve("pom.xml"))
                .replace("<launcher.class>io.vertx.core.Launcher<", "<launcher.class>io.vertx.launcher.application.VertxApplication<"));
        Proposal other = propose(tmp);
        assertEquals("io.vertx.launcher.application.VertxApplication", other.project().mainClass());
        assertEquals(List.of("com.example.starter.MainVerticle", "-conf",
                "{\"http.port\": ${PORT}, \"http.host\": \"${ADDR}\"}"), other.args());
        assertEquals(8888, other.port());
        assertNull(other.train(), "the training run's PORT reaches the verticle");
    }

    /**
     * A plain app run with {@code mvn exec:java}: its jar names no Main-Class and the exec plugin
     * gives the class and its arguments, one a file of the project. The service starts as exec:java
     * starts it: the arguments in service.args, the file in build.files at ${APP_HOME} (without them
     * it had started with no arguments, and the file was not in the release).
     */
    @Test
    void execJavaArgumentsStartTheServiceWithTheProjectsFile() throws Exception {
        Projects.plain(tmp);
        Projects.write(tmp, "conf/billing.properties", "port=8080\n");
        Path pom = tmp.resolve("pom.xml");
        Files.writeString(pom, Files.readString(pom).replace("</project>", """
                <build><plugins><plugin><groupId>org.codehaus.mojo</groupId><artifactId>exec-maven-plugin</artifactId>
                  <configuration><mainClass>com.acme.billing.Server</mainClass>
                    <arguments><argument>serve</argument><argument>conf/billing.properties</argument></arguments>
                  </configuration></plugin></plugins></build></project>
                """));
        JsonNode y = yaml(propose(tmp));
        assertEquals(List.of("serve", "${APP_HOME}/conf/billing.properties"), strings(y.at("/service/args")));
        assertEquals(List.of("conf/billing.properties"), strings(y.at("/build/files")));
        // Without <arguments>, the property exec.args (mvn exec:java's -Dexec.args) holds them.
        String withArguments = Files.readString(pom);
        Files.writeString(pom, withArguments.replaceFirst("(?s)<arguments>.*</arguments>", "")
                .replace("<properties>", "<properties><exec.args>serve --verbose</exec.args>"));
        assertEquals(List.of("serve", "--verbose"), strings(yaml(propose(tmp)).at("/service/args")));
        Files.writeString(pom, withArguments);
        // exec:exec's java command line: the words after the class; a main from elsewhere takes none.
        Files.writeString(pom, Files.readString(pom).replace("<configuration><mainClass>com.acme.billing.Server</mainClass>",
                "<configuration><executable>java</executable>").replace("<arguments>",
                "<arguments><argument>-classpath</argument><classpath/><argument>com.acme.billing.Server</argument>"));
        y = yaml(propose(tmp));
        assertEquals(List.of("serve", "${APP_HOME}/conf/billing.properties"), strings(y.at("/service/args")));
        Files.writeString(pom, Files.readString(pom).replace("<executable>java</executable>", "<executable>npm</executable>"));
        assertTrue(y.at("/service/args").isArray());
        assertTrue(yaml(propose(tmp)).at("/service/args").isMissingNode(), "the only main method: no exec arguments");
    }

    @Test
    void dropwizardStarterConfigWithoutServerRunsTheSimpleServer() throws Exception {
        Projects.dropwizard(tmp, "applicationName: hello\n\nlogging:\n  level: INFO\n");
        Proposal x = propose(tmp);
        JsonNode y = yaml(x);
        assertEquals(List.of("mvn", "-q", "-B", "-DskipTests", "package"), strings(y.at("/build/command")),
                "the shaded jar is the one runnable jar");
        assertEquals(List.of("server", "${APP_HOME}/config.yml"), strings(y.at("/service/args")));
        assertEquals(List.of("config.yml"), strings(y.at("/build/files")));
        assertEquals(List.of("-XX:+ExitOnOutOfMemoryError", "-Ddw.server.type=simple",
                "-Ddw.server.applicationContextPath=/", "-Ddw.server.connector.type=http",
                "-Ddw.server.connector.port=${PORT}", "-Ddw.server.connector.bindHost=${ADDR}"),
                strings(y.at("/build/jvmOptions")));
        assertEquals("/admin/healthcheck", y.at("/service/readiness/path").asText());
        assertEquals("/admin/ping", y.at("/service/liveness/path").asText());
        assertTrue(y.at("/service/env").isMissingNode());
    }

    @Test
    void dropwizardWithConnectorsOverridesThemAndMovesTheAdminPort() throws Exception {
        Projects.dropwizard(tmp, """
                server:
                  applicationConnectors:
                    - type: http
                      port: 8085
                  adminConnectors:
                    - type: http
                      port: 8086
                """);
        JsonNode y = yaml(propose(tmp));
        assertEquals(8085, y.at("/service/port").asInt(), "the application connector's port in config.yml");
        assertEquals(List.of("-XX:+ExitOnOutOfMemoryError", "-Ddw.server.applicationConnectors[0].port=${PORT}",
                "-Ddw.server.applicationConnectors[0].bindHost=${ADDR}", "-Ddw.server.adminConnectors[0].port=0"),
                strings(y.at("/build/jvmOptions")));
        assertEquals("tcp", y.at("/service/readiness/type").asText(), "health checks are on the admin port");
    }

    @Test
    void dropwizardSimpleServerInTheFileAndNoConfigFile() throws Exception {
        Projects.dropwizard(tmp.resolve("s"), "server:\n  type: simple\n  adminContextPath: /ops\n  connector:\n    port: ${PORT:8090}\n");
        Projects.dropwizard(tmp.resolve("none"), null);
        JsonNode s = yaml(propose(tmp.resolve("s")));
        assertTrue(strings(s.at("/build/jvmOptions")).contains("-Ddw.server.connector.port=${PORT}"));
        assertFalse(strings(s.at("/build/jvmOptions")).contains("-Ddw.server.type=simple"));
        assertEquals("/ops/healthcheck", s.at("/service/readiness/path").asText());
        assertEquals(8090, s.at("/service/port").asInt(), "the simple connector's port, a placeholder's default");
        JsonNode none = yaml(propose(tmp.resolve("none")));
        assertEquals(List.of("server"), strings(none.at("/service/args")));
        assertTrue(none.at("/build/files").isMissingNode());
        assertTrue(strings(none.at("/build/jvmOptions")).contains("-Ddw.server.applicationConnectors[0].port=${PORT}"),
                "without a file Dropwizard's default configuration has the connector lists");
    }

    @Test
    void jdkHttpServerReadingPortOrBindingAFixedOne() throws Exception {
        Projects.jdkHttpServer(tmp.resolve("env"), true);
        Projects.jdkHttpServer(tmp.resolve("fixed"), false);
        Proposal env = propose(tmp.resolve("env"));
        assertEquals("tcp", env.readiness().type());
        assertEquals(8080, env.port());
        assertTrue(env.warnings().isEmpty(), env.warnings().toString());
        Proposal fixed = propose(tmp.resolve("fixed"));
        assertEquals(8000, fixed.port());
        assertEquals(Boolean.FALSE, fixed.train().enabled());
    }

    /**
     * Spring Boot with {@code server.ssl.key-store} serves HTTPS only on server.port: the probes
     * (plain HTTP) would get no answer, so they are tcp, the facts and the comment say why, and the
     * Actuator path stays in the notes. {@code server.ssl.enabled=false} keeps plain HTTP.
     */
    @Test
    void springBootWithAKeyStoreServesHttpsOnlyAndGetsTcpProbes() throws Exception {
        Projects.springBoot3Jpa(tmp);
        Projects.write(tmp, "src/main/resources/application.properties",
                "server.port=8443\nserver.ssl.key-store=classpath:keystore.p12\nserver.ssl.key-store-password=secret\n");
        Proposal x = propose(tmp);
        JsonNode y = yaml(x);
        assertEquals("tcp", y.at("/service/readiness/type").asText());
        assertEquals("tcp", y.at("/service/liveness/type").asText());
        assertTrue(y.at("/service/readiness/path").isMissingNode());
        assertEquals(8443, y.at("/service/port").asInt(), "server.port is the TLS port");
        assertEquals("https", y.at("/service/scheme").asText(), "the URLs ship prints start with https://");
        assertEquals("${PORT}", y.at("/service/env/SERVER_PORT").asText());
        assertEquals("server.ssl.key-store=classpath:keystore.p12 in src/main/resources/application.properties",
                x.httpsOnly());
        assertEquals(x.httpsOnly(), x.facts().get("https only"));
        assertTrue(x.probeSource().startsWith("tcp: the service serves HTTPS only"), x.probeSource());
        String text = InitFile.render(x);
        assertTrue(text.contains("# The service serves HTTPS only (server.ssl.key-store=classpath:keystore.p12 in"), text);
        assertTrue(text.contains("/actuator/health/readiness"), "the health path stays in the notes: " + text);
        assertTrue(text.contains("Spring Boot with JPA starts slowly"), "the timeout note stays: " + text);
        // YAML, relaxed spelling: a bundle counts too
        Projects.write(tmp, "src/main/resources/application.properties", "");
        Projects.write(tmp, "src/main/resources/application.yml", "server:\n  ssl:\n    bundle: web\n");
        assertEquals("server.ssl.bundle=web in src/main/resources/application.yml", propose(tmp).httpsOnly());
        Projects.write(tmp, "src/main/resources/application.yml",
                "server:\n  ssl:\n    enabled: false\n    keyStore: classpath:keystore.p12\n");
        Proposal off = propose(tmp);
        assertNull(off.httpsOnly(), "server.ssl.enabled=false: plain HTTP");
        assertEquals("/actuator/health/readiness", off.readiness().path());
        assertFalse(off.facts().containsKey("https only"));
        assertTrue(yaml(off).at("/service/scheme").isMissingNode(), "http is the default");
    }

    /**
     * Quarkus with insecure requests disabled and a certificate serves HTTPS only, on its SSL port:
     * PORT goes to QUARKUS_HTTP_SSL_PORT (QUARKUS_HTTP_PORT would name a port nothing opens) and
     * the probes are tcp. Without the certificate, or with insecure requests allowed, nothing changes.
     */
    @Test
    void quarkusWithoutInsecureRequestsServesHttpsOnItsSslPort() throws Exception {
        Projects.quarkus(tmp, true);
        Projects.write(tmp, "src/main/resources/application.properties", """
                quarkus.http.insecure-requests=disabled
                quarkus.http.ssl.certificate.files=server.crt
                quarkus.http.ssl.certificate.key-files=server.key
                """);
        Proposal x = propose(tmp);
        JsonNode y = yaml(x);
        assertEquals("tcp", y.at("/service/readiness/type").asText());
        assertEquals("${PORT}", y.at("/service/env/QUARKUS_HTTP_SSL_PORT").asText());
        assertTrue(y.at("/service/env/QUARKUS_HTTP_PORT").isMissingNode(), y.toString());
        assertEquals(8443, x.port(), "Quarkus's default HTTPS port");
        assertTrue(x.httpsOnly().startsWith("quarkus.http.insecure-requests=disabled in src/main/resources/application.properties"
                + ", with quarkus.http.ssl.certificate."), x.httpsOnly());
        Projects.write(tmp, "src/main/resources/application.properties", """
                quarkus.http.insecure-requests=disabled
                quarkus.http.ssl-port=9443
                quarkus.tls.key-store.p12.path=server.p12
                """);
        Proposal tlsRegistry = propose(tmp);
        assertEquals(9443, tlsRegistry.port());
        assertEquals("quarkus.http.ssl-port=9443 in src/main/resources/application.properties", tlsRegistry.portSource());
        Projects.write(tmp, "src/main/resources/application.properties", "quarkus.http.insecure-requests=enabled\n"
                + "quarkus.http.ssl.certificate.files=server.crt\n");
        Proposal both = propose(tmp);
        assertNull(both.httpsOnly(), "HTTP is still served");
        assertEquals("/q/health/ready", both.readiness().path());
        assertEquals("${PORT}", both.env().get("QUARKUS_HTTP_PORT"));
    }

    /**
     * Micronaut with SSL enabled and a self-signed or key-store certificate serves HTTPS only on
     * micronaut.server.ssl.port; dual-protocol keeps HTTP on the server port.
     */
    @Test
    void micronautSslServesHttpsOnItsSslPortUnlessDualProtocol() throws Exception {
        Projects.micronaut(tmp, true);
        Projects.write(tmp, "src/main/resources/application.yml",
                "micronaut:\n  server:\n    ssl:\n      enabled: true\n      build-self-signed: true\n");
        Proposal x = propose(tmp);
        assertEquals("tcp", x.readiness().type());
        assertEquals("tcp", x.liveness().type());
        assertEquals("${PORT}", x.env().get("MICRONAUT_SERVER_SSL_PORT"));
        assertFalse(x.env().containsKey("MICRONAUT_SERVER_PORT"), x.env().toString());
        assertEquals("micronaut.server.ssl.enabled=true in src/main/resources/application.yml, with"
                + " micronaut.server.ssl.build-self-signed", x.httpsOnly());
        assertTrue(x.probeNotes().contains("Its health endpoint, for a check over HTTPS: /health/readiness."),
                x.probeNotes().toString());
        Projects.write(tmp, "src/main/resources/application.yml",
                "micronaut:\n  ssl:\n    enabled: true\n    key-store:\n      path: classpath:server.p12\n");
        assertEquals("micronaut.ssl.enabled=true in src/main/resources/application.yml, with micronaut.ssl.key-store.path",
                propose(tmp).httpsOnly());
        Projects.write(tmp, "src/main/resources/application.yml", "micronaut:\n  server:\n    dual-protocol: true\n"
                + "  ssl:\n    enabled: true\n    build-self-signed: true\n");
        Proposal dual = propose(tmp);
        assertNull(dual.httpsOnly());
        assertEquals("/health/readiness", dual.readiness().path());
    }

    /** Helidon's server.tls makes its one port speak TLS; server.tls.enabled=false does not. */
    @Test
    void helidonServerTlsServesHttpsOnly() throws Exception {
        Projects.helidonSe(tmp, true);
        Projects.write(tmp, "src/main/resources/application.yaml", """
                server:
                  port: 8080
                  tls:
                    private-key:
                      keystore:
                        passphrase: "changeit"
                        resource:
                          resource-path: "server.p12"
                """);
        Proposal x = propose(tmp);
        assertEquals("tcp", x.readiness().type());
        assertEquals("server.tls in src/main/resources/application.yaml", x.httpsOnly());
        assertEquals("${PORT}", x.env().get("SERVER_PORT"), "the one port speaks TLS");
        Projects.write(tmp, "src/main/resources/application.yaml",
                "server:\n  port: 8080\n  tls:\n    enabled: false\n    private-key:\n      keystore:\n        passphrase: x\n");
        assertNull(propose(tmp).httpsOnly());
        assertEquals("/observe/health/ready", propose(tmp).readiness().path());
    }

    /**
     * A plain app on the JDK's HttpsServer gets tcp probes even with a health route (which an HTTP
     * probe could not reach); the plain HttpServer keeps its http probe on the route.
     */
    @Test
    void jdkHttpsServerGetsTcpProbesAndThePlainServerKeepsItsRoute() throws Exception {
        Projects.jdkHttpServer(tmp, true);
        Path hello = tmp.resolve("src/main/java/com/example/Hello.java");
        String plain = java.nio.file.Files.readString(hello).replace("server.start();",
                "server.createContext(\"/health\", x -> {});\n        server.start();");
        Projects.write(tmp, "src/main/java/com/example/Hello.java", plain);
        Proposal http = propose(tmp);
        assertNull(http.httpsOnly());
        assertEquals("/health", http.readiness().path());
        Projects.write(tmp, "src/main/java/com/example/Hello.java", plain.replace("HttpServer", "HttpsServer"));
        Proposal https = propose(tmp);
        assertEquals("HttpsServer.create in src/main/java/com/example/Hello.java", https.httpsOnly());
        assertEquals("tcp", https.readiness().type());
        assertEquals("tcp", https.liveness().type());
        assertEquals("HttpsServer.create in src/main/java/com/example/Hello.java", https.facts().get("https only"));
        assertTrue(https.probeNotes().contains("Its health endpoint, for a check over HTTPS: /health."), https.probeNotes().toString());
    }

    @Test
    void grpcServerOnItsExamplesFixedPortShipsOnThatPortWithoutTraining() throws Exception {
        // grpc-java's examples: int port = 50051; Grpc.newServerBuilderForPort(port, ...). Before,
        // init proposed 8080, and ship failed: the training run "listens on port 50051, not on PORT".
        Projects.grpc(tmp, false);
        Proposal x = propose(tmp);
        JsonNode y = yaml(x);
        assertEquals(50051, y.at("/service/port").asInt(), y.toString());
        assertFalse(y.at("/train/enabled").asBoolean(true), "the training run's PORT is ignored");
        // Its HealthStatusManager serves grpc.health.v1: grpc probes, not a TCP connect.
        assertEquals("grpc", y.at("/service/readiness/type").asText(), y.toString());
        assertEquals("grpc", y.at("/service/liveness/type").asText(), y.toString());
        assertTrue(y.at("/service/readiness/path").isMissingNode(), y.toString());
        assertTrue(x.probeSource().startsWith("grpc: HealthStatusManager in "), x.probeSource());
        assertEquals(1, x.warnings().size(), x.warnings().toString());
        assertTrue(x.warnings().get(0).contains("GreeterServer.java listens on the fixed port 50051"), x.warnings().toString());
        // The file init writes loads, and its probe is the grpc one.
        assertTrue(dev.slipway.config.ConfigLoader.parse(tmp.resolve("slipway.yaml"), InitFile.render(x))
                .service().readiness().grpc());

        // Without the health service (no HealthStatusManager in the sources): only a TCP connect can tell.
        Path bare = tmp.resolve("bare");
        Projects.grpc(bare, true);
        Path main = bare.resolve("src/main/java/com/example/grpc/GreeterServer.java");
        java.nio.file.Files.writeString(main, java.nio.file.Files.readString(main)
                .replace("import io.grpc.protobuf.services.HealthStatusManager;\n", "")
                .replace("    HealthStatusManager health = new HealthStatusManager();\n", "")
                .replace("        .addService(health.getHealthService())\n", ""));
        assertEquals("tcp", yaml(propose(bare)).at("/service/readiness/type").asText());

        // Reading PORT: Slipway's port, trained.
        Path reads = tmp.resolve("reads");
        Projects.grpc(reads, true);
        JsonNode r = yaml(propose(reads));
        assertEquals(8080, r.at("/service/port").asInt());
        assertTrue(r.at("/train/enabled").isMissingNode(), r.toString());
    }

    @Test
    void fixedPortsOfPlainServersAreReadInEachShape() throws Exception {
        String[] shapes = {
            "Server s = ServerBuilder.forPort(9090).build();",
            "NettyServerBuilder.forPort(PORT).addService(svc);\n  static final int PORT = 9090;",
            "Server server = new Server(9090);",
            "ServerConnector connector = new ServerConnector(server);\n connector.setPort(9090);",
            "Undertow.builder().addHttpListener(9090, \"0.0.0.0\").build();",
            "val port = 9090\nembeddedServer(Netty, port = port)\nnew InetSocketAddress(port)",
        };
        for (String body : shapes) {
            Projects.plain(tmp);
            Projects.write(tmp, "src/main/java/com/acme/billing/Server.java",
                    "package com.acme.billing;\npublic final class Server {\n public static void main(String[] a) {\n"
                    + body + "\n }\n}\n");
            assertEquals(9090, propose(tmp).port(), body);
        }
        // A data source's or a client's port is no server's: 8080 and the warning.
        Projects.write(tmp, "src/main/java/com/acme/billing/Server.java",
                "package com.acme.billing;\npublic final class Server {\n public static void main(String[] a) {\n"
                + "ds.setPort(5432); new Server(port);\n }\n}\n");
        Proposal none = propose(tmp);
        assertEquals(8080, none.port());
        assertTrue(none.warnings().get(0).startsWith("no System.getenv(\"PORT\")"), none.warnings().toString());
    }

    @Test
    void plainAppThatListensButReadsNoPortIsWarned() throws Exception {
        Projects.plain(tmp);
        Projects.write(tmp, "src/main/java/com/acme/billing/Server.java", "package com.acme.billing;\n"
                + "public final class Server {\n public static void main(String[] a) throws Exception {\n"
                + "  com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(Integer.parseInt(a[0])), 0).start();\n"
                + " }\n}\n");
        Proposal x = propose(tmp);
        assertEquals("tcp", x.readiness().type());
        assertTrue(x.warnings().get(0).startsWith("no System.getenv(\"PORT\") in src/main/java"), x.warnings().toString());
    }

    /**
     * A plain main that opens no server socket (a batch worker, a queue consumer; the fixture prints
     * a line) listens on no port: init proposes process probes, no service.port, and a training run
     * of a fixed length, and the file it writes passes the configuration's checks.
     */
    @Test
    void plainMainWithNoListenerGetsProcessProbesAndNoPort() throws Exception {
        Projects.plain(tmp);
        Proposal x = propose(tmp);
        String text = InitFile.render(x);
        assertTrue(text.contains("""
                  readiness:
                    type: process
                    interval: 1s
                    timeout: 10s
                  liveness:
                    type: process
                """), text);
        assertTrue(text.contains("train:\n") && text.contains("  timeout: 20s\n"), text);
        assertFalse(text.contains("  port: "), text);
        assertTrue(x.warnings().stream().noneMatch(w -> w.contains("PORT")), x.warnings().toString());
        assertEquals("none (readiness type process)", x.facts().get("port"));
        Files.writeString(tmp.resolve("slipway.yaml"), InitFile.render(x));
        dev.slipway.config.SlipwayConfig c = dev.slipway.config.ConfigLoader.loadFromDir(tmp);
        assertTrue(c.service().readiness().process() && c.service().liveness().process(), c.service().toString());
        assertEquals(java.time.Duration.ofSeconds(10), c.service().readiness().timeout());
        assertEquals(List.of(), c.train().urls(), "nothing to request: the run trains by running");
        // A server dependency may listen for it: the port's probes stay.
        Projects.write(tmp, "pom.xml", Files.readString(tmp.resolve("pom.xml")).replace("</dependencies>",
                "<dependency><groupId>io.undertow</groupId><artifactId>undertow-core</artifactId><version>2.3.18.Final</version>"
                + "</dependency></dependencies>"));
        assertEquals("tcp", propose(tmp).readiness().type());
    }

    /**
     * HTTP libraries init does not know by name keep the port's probes: their artifact (Armeria,
     * Spark) or the call that takes the port ({@code Server.builder().http(8080)}, {@code port(4567)})
     * says the main listens. Only a main with neither gets {@code process}.
     */
    @Test
    void plainMainOfAnUnknownHttpLibraryKeepsThePortsProbes() throws Exception {
        Projects.plain(tmp);
        String pom = Files.readString(tmp.resolve("pom.xml"));
        Projects.write(tmp, "pom.xml", pom.replace("</dependencies>", "<dependency><groupId>com.linecorp.armeria</groupId>"
                + "<artifactId>armeria</artifactId><version>1.33.4</version></dependency></dependencies>"));
        assertEquals("tcp", propose(tmp).readiness().type(), "Armeria's artifact");
        Projects.write(tmp, "pom.xml", pom.replace("</dependencies>", "<dependency><groupId>com.sparkjava</groupId>"
                + "<artifactId>spark-core</artifactId><version>2.9.4</version></dependency></dependencies>"));
        assertEquals("tcp", propose(tmp).readiness().type(), "Spark's artifact");
        Projects.write(tmp, "pom.xml", pom);
        Path main = tmp.resolve("src/main/java/com/acme/billing/Server.java");
        String source = Files.readString(main);
        Files.writeString(main, source.replace("System.out.println(\"billing\");",
                "var s = com.example.lib.Server.builder().http(8080).build(); s.start();"));
        assertEquals("tcp", propose(tmp).readiness().type(), "a server builder's http(port) call");
        Files.writeString(main, source.replace("System.out.println(\"billing\");", "port(4567); get(\"/\", r -> \"hi\");"));
        assertEquals("tcp", propose(tmp).readiness().type(), "a port(...) call");
        Files.writeString(main, source);
        assertEquals("process", propose(tmp).readiness().type(), "the worker again");
    }

    @Test
    void multiModuleKeepsTheReactorBuild() throws Exception {
        Projects.multiModule(tmp);
        JsonNode y = yaml(propose(tmp));
        assertEquals("../pom.xml", y.at("/build/command/4").asText());
        assertTrue(strings(y.at("/build/command")).contains(":shop-api"));
    }

    @Test
    void gradleSpringBootBuildsTheBootJarWithTheWrapper() throws Exception {
        Projects.gradleSpringBoot(tmp);
        Proposal x = propose(tmp);
        JsonNode y = yaml(x);
        assertEquals(List.of("./gradlew", "-q", "bootJar"), strings(y.at("/build/command")));
        assertEquals("/actuator/health/readiness", y.at("/service/readiness/path").asText());
        assertEquals("Gradle (build.gradle)", x.facts().get("build"));
        assertTrue(InitFile.render(x).startsWith("# slipway.yaml for demo (Spring Boot), proposed by 'slipway init' from"
                + " build.gradle.\n"), InitFile.render(x));
    }

    @Test
    void gradleApplicationSubprojectRunsInstallDistThroughTheRootWrapper() throws Exception {
        Projects.gradleApplication(tmp);
        Proposal x = propose(tmp);
        assertEquals(List.of("../gradlew", "-q", ":app:installDist"), x.command());
        assertEquals("org.example.App", x.project().mainClass());
        assertEquals("tcp", x.readiness().type());
        assertTrue(String.join("\n", x.commandNotes()).contains("build/install/app/lib"), x.commandNotes().toString());
    }

    @Test
    void gradleMicronautWithoutAWrapperUsesGradleAndSaysSo() throws Exception {
        Projects.gradleMicronaut(tmp);
        Proposal x = propose(tmp);
        assertEquals(List.of("gradle", "-q", "installDist"), x.command());
        assertTrue(x.commandNotes().get(0).startsWith("No Gradle wrapper (gradlew)"), x.commandNotes().toString());
        assertEquals("/health/readiness", x.readiness().path());
        assertEquals(Map.of("MICRONAUT_SERVER_PORT", "${PORT}", "MICRONAUT_SERVER_HOST", "${ADDR}"), x.env());
        assertNull(x.lib());
    }

    /** A Camel Main pom in the archetype's shape: camel-bom, camel-main, the platform-http server, camel-maven-plugin. */
    private static void camelMain(Path dir, String properties) throws Exception {
        Projects.write(dir, "pom.xml", """
                <project><modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId><artifactId>camel-demo</artifactId><version>1.0</version>
                  <properties><maven.compiler.release>17</maven.compiler.release></properties>
                  <dependencyManagement><dependencies><dependency><groupId>org.apache.camel</groupId>
                    <artifactId>camel-bom</artifactId><version>4.18.0</version><type>pom</type><scope>import</scope>
                  </dependency></dependencies></dependencyManagement>
                  <dependencies>
                    <dependency><groupId>org.apache.camel</groupId><artifactId>camel-main</artifactId></dependency>
                    <dependency><groupId>org.apache.camel</groupId><artifactId>camel-platform-http-main</artifactId></dependency>
                  </dependencies>
                  <build><plugins><plugin><groupId>org.apache.camel</groupId><artifactId>camel-maven-plugin</artifactId>
                    <configuration><mainClass>com.example.MyApplication</mainClass></configuration></plugin></plugins></build>
                </project>
                """);
        Projects.write(dir, "src/main/java/com/example/MyApplication.java", """
                package com.example;
                public final class MyApplication {
                    public static void main(String[] args) throws Exception {
                        new org.apache.camel.main.Main(MyApplication.class).run(args);
                    }
                }
                """);
        Projects.write(dir, "src/main/resources/application.properties", properties);
    }

    /**
     * Camel Main skips environment variables ending in _PORT, so the port and address go in as
     * camel.server.* system properties; its health checks are on the management server, which
     * shares the server's port unless camel.management.port says otherwise.
     */
    @Test
    void camelMainSetsTheServerPortBySystemPropertiesAndProbesObserveHealth() throws Exception {
        camelMain(tmp.resolve("h"), """
                camel.server.enabled = true
                camel.server.port = 8085
                camel.management.enabled = true
                camel.management.health-check-enabled = true
                """);
        Proposal x = propose(tmp.resolve("h"));
        assertEquals(Project.Framework.CAMEL_MAIN, x.project().framework());
        JsonNode y = yaml(x);
        assertEquals("com.example.MyApplication", y.get("main").asText());
        assertEquals(8085, y.at("/service/port").asInt());
        List<String> jvm = strings(y.at("/build/jvmOptions"));
        assertTrue(jvm.containsAll(List.of("-Dcamel.server.port=${PORT}", "-Dcamel.server.host=${ADDR}",
                "-Dcamel.management.port=${PORT}")), jvm.toString());
        assertTrue(y.at("/service/env").isMissingNode() || !y.at("/service/env").has("CAMEL_SERVER_PORT"));
        assertEquals("/observe/health/ready", y.at("/service/readiness/path").asText());
        assertEquals("/observe/health/live", y.at("/service/liveness/path").asText());
        assertTrue(x.warnings().isEmpty(), x.warnings().toString());

        camelMain(tmp.resolve("own"), """
                camel.server.enabled=true
                camel.management.enabled=true
                camel.management.port=9876
                camel.management.healthCheckEnabled=true
                """);
        Proposal own = propose(tmp.resolve("own"));
        assertEquals("tcp", yaml(own).at("/service/readiness/type").asText());
        assertFalse(own.jvmOptions().contains("-Dcamel.management.port=${PORT}"), own.jvmOptions().toString());
        assertTrue(own.warnings().stream().anyMatch(w -> w.contains("camel.management.port=9876 is bound by every instance")),
                own.warnings().toString());

        camelMain(tmp.resolve("off"), "camel.main.name = demo\n");
        Proposal off = propose(tmp.resolve("off"));
        assertEquals("tcp", yaml(off).at("/service/readiness/type").asText());
        assertTrue(off.warnings().stream().anyMatch(w -> w.contains("camel.server.enabled")), off.warnings().toString());
    }

    /**
     * Ktor's Maven project (EngineMain, the port in application.conf as HOCON's ${?PORT}) and a
     * Kotlin main reading PORT: both read the variable, so no "must listen on $PORT" warning.
     */
    @Test
    void ktorReadsPortFromApplicationConfOrKotlinCode() throws Exception {
        Path k = tmp.resolve("k");
        Projects.write(k, "pom.xml", """
                <project><modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId><artifactId>ktor-sample</artifactId><version>0.0.1</version>
                  <properties><main.class>io.ktor.server.netty.EngineMain</main.class></properties>
                  <dependencies><dependency><groupId>io.ktor</groupId><artifactId>ktor-server-netty-jvm</artifactId>
                    <version>2.3.13</version></dependency></dependencies>
                  <build><sourceDirectory>${project.basedir}/src/main/kotlin</sourceDirectory></build>
                </project>
                """);
        Projects.write(k, "src/main/kotlin/com/example/Application.kt", """
                package com.example
                fun main(args: Array<String>) { io.ktor.server.netty.EngineMain.main(args) }
                """);
        Path conf = Projects.write(k, "src/main/resources/application.conf", """
                ktor {
                    deployment {
                        port = 8080
                        port = ${?PORT}
                    }
                }
                """);
        Proposal x = propose(k);
        assertTrue(x.warnings().isEmpty(), x.warnings().toString());
        assertTrue(String.join(" ", x.portNotes()).contains("src/main/resources/application.conf reads PORT"),
                x.portNotes().toString());

        java.nio.file.Files.writeString(conf, "ktor { deployment { port = 8080 } }\n");
        assertTrue(propose(k).warnings().stream().anyMatch(w -> w.contains("$PORT")));
        Projects.write(k, "src/main/kotlin/com/example/Application.kt", """
                package com.example
                fun main() { println(System.getenv("PORT") ?: "8080") }
                """);
        assertTrue(propose(k).warnings().isEmpty(), propose(k).warnings().toString());
    }
}
