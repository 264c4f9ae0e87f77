package dev.slipway.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway init} gives an HTTP probe on the health route a service's own code registers, in
 * the shapes framework starters write, preferring a readiness route, and says why: the route
 * scanner on source snippets, and the proposal on small fixture services (a Javalin app serving
 * GET /health was given a TCP probe before).
 */
class HealthRoutesTest {
    @TempDir
    Path tmp;

    private static List<String> paths(String file, String text) {
        return HealthRoutes.find(Map.of(file, text)).stream().map(HealthRoutes.Route::path).toList();
    }

    @Test
    void findsHealthRoutesInTheShapesFrameworksRegisterThem() {
        assertEquals(List.of("/health"), paths("App.java", "app.get(\"/health\", ctx -> ctx.result(\"ok\"));"), "Javalin");
        assertEquals(List.of("/healthz"), paths("App.java", "get(\"/healthz\", (req, res) -> \"ok\");"), "Spark");
        assertEquals(List.of("/health/ready"), paths("App.java", "server.createContext(\"/health/ready\", ex -> {});"), "JDK");
        assertEquals(List.of("/readyz", "/livez"), paths("V.java",
                "router.get(\"/readyz\").handler(rc -> rc.end());\nrouter.route(HttpMethod.GET, \"/livez\").handler(h);"),
                "Vert.x");
        assertEquals(List.of("/health/ready", "/health/live"), paths("HealthResource.java", """
                @Path("/health")
                public class HealthResource {
                    @GET
                    @Path("ready")
                    public String ready() { return "ok"; }

                    @Path("/live") @GET
                    public String live() { return "ok"; }

                    @POST
                    @Path("drain")
                    public void drain() {}
                }
                """), "JAX-RS: class path joined with the method's");
        assertEquals(List.of("/api/health"), paths("C.java", """
                @RestController
                @RequestMapping("/api")
                class C {
                    @GetMapping(value = "/health", produces = "application/json")
                    String health() { return "ok"; }
                    @PostMapping("/readyz")
                    void notAGet() {}
                    @RequestMapping(path = "/status", method = RequestMethod.GET)
                    String status() { return "ok"; }
                }
                """), "Spring: a POST route and a non-health path do not count");
        assertEquals(List.of("/health/readiness"), paths("H.java", """
                @Controller("/health")
                public class H {
                    @Get("/readiness")
                    public String ready() { return "ok"; }
                }
                """), "Micronaut");
        assertEquals(List.of("/healthz"), paths("H.java", "@Controller(\"/healthz\")\nclass H {\n  @Get\n  String h() { return \"\"; }\n}\n"),
                "Micronaut: @Get without a path serves the controller's");
        assertEquals(List.of("/health", "/ready"), paths("Application.kt", """
                fun Application.module() {
                    routing {
                        get("/health") { call.respondText("ok") }
                        get("/ready") { call.respondText("ok") }
                    }
                }
                """), "Ktor");
        assertEquals(List.of("/healthcheck"), paths("Api.kt", "val app = routes(\"/healthcheck\" bind GET to { Response(OK) })"),
                "http4k");
        assertEquals(List.of("/health"), paths("S.java", "@WebServlet(urlPatterns = \"/health\")\npublic class S extends HttpServlet {}"));
        assertEquals(List.of(), paths("A.java", "app.get(\"/users/{id}\", h); app.get(\"/hello\", h); app.post(\"/health\", h);"
                + " app.get(\"/health/*\", h); app.get(\"/api/{x}/health\", h);"), "parameters, wildcards and POST do not count");
    }

    @Test
    void readinessPrefersAReadinessRouteThenAGeneralOneAndLivenessNeverTakesAReadinessRoute() {
        List<HealthRoutes.Route> all = HealthRoutes.find(Map.of("A.java",
                "app.get(\"/health\", h); app.get(\"/health/live\", h); app.get(\"/health/ready\", h);"));
        assertEquals("/health/ready", HealthRoutes.readiness(all).path());
        assertEquals("/health/live", HealthRoutes.liveness(all).path());
        List<HealthRoutes.Route> onlyReady = HealthRoutes.find(Map.of("A.java", "app.get(\"/readyz\", h);"));
        assertEquals("/readyz", HealthRoutes.readiness(onlyReady).path());
        assertNull(HealthRoutes.liveness(onlyReady), "a readiness route is no liveness");
        assertNull(HealthRoutes.readiness(HealthRoutes.find(Map.of("A.java", "app.get(\"/livez\", h);"))),
                "a liveness route alone is no readiness");
    }

    /** Writes {@code PACKAGE.Routes} with a static method taking {@code parameter} whose body is {@code body}. */
    private static void routes(Path dir, String pkg, String parameter, String body) throws java.io.IOException {
        Projects.write(dir, "src/main/java/" + pkg.replace('.', '/') + "/Routes.java", "package " + pkg + ";\n\nclass Routes {\n"
                + "    static void add(" + parameter + ") {\n" + body.indent(8) + "    }\n}\n");
    }

    private static JsonNode yaml(Proposal x) throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(InitFile.render(x));
    }

    @Test
    void aJavalinAppServingHealthGetsAnHttpProbeOnItAndInitSaysWhy() throws Exception {
        Projects.javalin(tmp, null);
        Projects.write(tmp, "src/main/java/com/example/Health.java", """
                package com.example;

                import io.javalin.Javalin;

                final class Health {
                    static void routes(Javalin app) {
                        app.get("/health", ctx -> ctx.result("UP"));
                    }
                }
                """);
        Proposal x = Proposal.of(Project.detect(tmp, null), null);
        JsonNode y = yaml(x);
        assertEquals("/health", y.at("/service/readiness/path").asText(), InitFile.render(x));
        assertEquals("/health", y.at("/service/liveness/path").asText());
        assertEquals("http /health", x.readiness().describe());
        assertEquals("http /health: GET /health in src/main/java/com/example/Health.java (get(\"/health\"))",
                x.facts().get("probes"));
        assertTrue(InitFile.render(x).contains("# The readiness probe requests the health route the code registers: GET"
                + " /health in"), InitFile.render(x));
        assertTrue(InitFile.describe(x).contains("probes: " + x.facts().get("probes")), "init prints why");
        assertTrue(x.warnings().isEmpty(), x.warnings().toString());

        Projects.javalin(tmp.resolve("none"), null);
        Proposal none = Proposal.of(Project.detect(tmp.resolve("none"), null), null);
        assertEquals("tcp", none.readiness().type(), "GET / only: no health route");
        assertEquals("tcp: Javalin has no built-in health endpoint, and no health route (such as GET /health or /ready) in the"
                + " sources", none.facts().get("probes"));
    }

    @Test
    void aJdkHttpServerWithReadinessAndLivenessContextsGetsBoth() throws Exception {
        Projects.jdkHttpServer(tmp, true);
        routes(tmp, "com.example", "com.sun.net.httpserver.HttpServer server", """
                server.createContext("/healthz", ex -> {});
                server.createContext("/readyz", ex -> {});
                server.createContext("/livez", ex -> {});
                """);
        Proposal x = Proposal.of(Project.detect(tmp, null), null);
        assertEquals("http /readyz", x.readiness().describe(), "the readiness route is preferred");
        assertEquals("http /livez", x.liveness().describe());
        assertTrue(x.facts().get("probes").endsWith("(a readiness route, preferred)"), x.facts().get("probes"));
        assertTrue(String.join(" ", x.probeNotes()).contains("Also found: /healthz."), x.probeNotes().toString());
    }

    @Test
    void quarkusWithoutSmallRyeHealthUsesItsJaxRsHealthResourceUnderTheRootPath() throws Exception {
        Projects.quarkus(tmp, false);
        Projects.write(tmp, "src/main/java/org/acme/HealthResource.java", """
                package org.acme;

                import jakarta.ws.rs.GET;
                import jakarta.ws.rs.Path;

                @Path("health")
                public class HealthResource {
                    @GET
                    @Path("ready")
                    public String ready() { return "UP"; }
                }
                """);
        Projects.write(tmp, "src/main/resources/application.properties", "quarkus.http.root-path=/svc\n");
        Proposal x = Proposal.of(Project.detect(tmp, null), null);
        assertEquals("http /svc/health/ready", x.readiness().describe(), InitFile.render(x));
        assertEquals("tcp", x.liveness().type(), "no liveness or general route: TCP liveness");
        assertTrue(String.join(" ", x.probeNotes()).contains("under the context path /svc"), x.probeNotes().toString());

        Projects.quarkus(tmp.resolve("module"), true);
        Projects.write(tmp.resolve("module"), "src/main/java/org/acme/H.java", "@Path(\"/healthz\") class H { @GET String h() { return \"\"; } }");
        assertEquals("http /q/health/ready", Proposal.of(Project.detect(tmp.resolve("module"), null), null).readiness().describe(),
                "with quarkus-smallrye-health the module's endpoint stays the choice");
    }

    @Test
    void springWithoutActuatorAndMicronautWithoutManagementUseTheirControllers() throws Exception {
        Projects.springBoot4WebFlux(tmp.resolve("spring"));
        Projects.write(tmp.resolve("spring"), "src/main/java/com/example/demo/Health.java", """
                package com.example.demo;

                @org.springframework.web.bind.annotation.RestController
                class Health {
                    @org.springframework.web.bind.annotation.GetMapping("/health")
                    String health() { return "UP"; }
                }
                """);
        Proposal spring = Proposal.of(Project.detect(tmp.resolve("spring"), null), null);
        assertEquals("http /health", spring.readiness().describe(), InitFile.render(spring));
        assertEquals("http /health", spring.liveness().describe());
        assertFalse(spring.env().containsKey("MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED"));

        Projects.micronaut(tmp.resolve("mn"), false);
        Projects.write(tmp.resolve("mn"), "src/main/java/com/example/HealthController.java", """
                package com.example;

                import io.micronaut.http.annotation.Controller;
                import io.micronaut.http.annotation.Get;

                @Controller("/health")
                public class HealthController {
                    @Get
                    public String health() { return "UP"; }
                }
                """);
        assertEquals("http /health", Proposal.of(Project.detect(tmp.resolve("mn"), null), null).readiness().describe());
    }

    @Test
    void aVertxRouterReadinessRoute() throws Exception {
        Projects.vertx(tmp, false);
        routes(tmp, "com.example.starter", "io.vertx.ext.web.Router router", """
                router.get("/health/ready").handler(rc -> rc.end("UP"));
                """);
        Proposal x = Proposal.of(Project.detect(tmp, null), null);
        assertEquals("http /health/ready", x.readiness().describe(), InitFile.render(x));
        assertEquals("tcp", x.liveness().type());
    }

    /**
     * vertx-health-check's guide mounts its handler on a prefix route,
     * {@code router.get("/health*").handler(HealthCheckHandler.create(vertx))}, and Vert.x's router
     * matches a prefix route at the prefix itself: {@code GET /health} answers 200 with the
     * checks' JSON (a Vert.x 5 starter with the handler, run here: {@code /health}, {@code /health/}
     * and {@code /health/server} answered 200 for {@code /health*} and {@code /health/*} alike).
     * Init skipped the route as a wildcard and proposed tcp probes, saying "Vert.x has no built-in
     * health endpoint" (new-user finding). Javalin's wildcard stays out: its rule is another.
     */
    @Test
    void aVertxHealthCheckHandlerOnAPrefixRouteIsProbedAtThePrefix() throws Exception {
        assertEquals(List.of("/health"), paths("MainVerticle.java", """
                import io.vertx.ext.web.Router;
                import io.vertx.ext.web.healthchecks.HealthCheckHandler;
                router.get("/health*").handler(HealthCheckHandler.create(vertx));
                """), "Vert.x Web: /health* answers at /health");
        assertEquals(List.of("/api/ready"), paths("MainVerticle.java", """
                import io.vertx.ext.web.Router;
                api.get("/ready/*").handler(readiness);
                router.route("/api/*").subRouter(api);
                router.get("/health/{id}").handler(h);
                """), "Vert.x Web: /ready/* on a sub-router; a parameter still does not count");
        assertEquals(List.of(), paths("App.java", "import io.javalin.Javalin;\napp.get(\"/health/*\", h);"),
                "Javalin's wildcard is not Vert.x's prefix rule");

        Projects.vertx(tmp, false);
        routes(tmp, "com.example.starter", "io.vertx.ext.web.Router router", """
                io.vertx.ext.web.healthchecks.HealthCheckHandler health = null;
                router.get("/health*").handler(health);
                """);
        Proposal x = Proposal.of(Project.detect(tmp, null), null);
        assertEquals("http /health", x.readiness().describe(), InitFile.render(x));
        assertEquals("http /health", x.liveness().describe());
        assertTrue(InitFile.render(x).contains("get(\"/health*\")"), InitFile.render(x));

        // The module without a route: tcp, and the comment says how to mount it rather than "Vert.x has no
        // built-in health endpoint".
        Path bare = tmp.resolve("bare");
        Projects.vertx(bare, false);
        Path pom = bare.resolve("pom.xml");
        java.nio.file.Files.writeString(pom, java.nio.file.Files.readString(pom).replace(
                "<dependency><groupId>io.vertx</groupId><artifactId>vertx-core</artifactId></dependency>",
                "<dependency><groupId>io.vertx</groupId><artifactId>vertx-core</artifactId></dependency>\n"
                        + "<dependency><groupId>io.vertx</groupId><artifactId>vertx-health-check</artifactId></dependency>"));
        Proposal noRoute = Proposal.of(Project.detect(bare, null), null);
        String text = InitFile.render(noRoute);
        assertEquals("tcp", noRoute.readiness().type(), text);
        assertTrue(text.contains("vertx-health-check is a dependency, but no route serves its HealthCheckHandler"), text);
        assertTrue(text.contains("router.get(\"/health*\").handler(HealthCheckHandler.create(vertx))"), text);
        assertFalse(text.contains("no built-in health endpoint"), text);
    }

    /**
     * A Vert.x starter that serves its API under {@code /api} through a sub-router answers
     * {@code GET /health} with 404: its health route is {@code /api/health}. Init proposed
     * {@code /health}, and the training run waited its whole timeout on a 404 (new-user finding).
     */
    @Test
    void aVertxSubRoutersHealthRouteIsUnderItsMountPoint() throws Exception {
        assertEquals(List.of("/api/health"), paths("V.java", """
                Router api = Router.router(vertx);
                api.get("/health").handler(rc -> rc.end());
                router.route("/api/*").subRouter(api);
                router.get("/hello").handler(rc -> rc.end());
                """), "Vert.x 4.2+ subRouter");
        assertEquals(List.of("/v1/ready", "/livez"), paths("V.java", """
                router.mountSubRouter("/v1", v1);
                v1.get("/ready").handler(rc -> rc.end());
                router.get("/livez").handler(rc -> rc.end());
                """), "Vert.x 3 mountSubRouter; the root router's routes stay where they are");
        Projects.vertx(tmp, false);
        routes(tmp, "com.example.starter", "io.vertx.ext.web.Router router", """
                Router api = Router.router(null);
                api.get("/health").handler(rc -> rc.end("UP"));
                router.route("/api/*").subRouter(api);
                """);
        Proposal x = Proposal.of(Project.detect(tmp, null), null);
        assertEquals("http /api/health", x.readiness().describe(), InitFile.render(x));
        assertTrue(InitFile.render(x).contains("sub-router mounted at /api/"), InitFile.render(x));
    }
}
