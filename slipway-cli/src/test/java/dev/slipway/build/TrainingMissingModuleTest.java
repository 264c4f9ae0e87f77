package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.remote.Gate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training run names the module a runtime lacks: a real app on a real runtime linked with
 * java.base alone, once failing on a zip file system (the JDK's ProviderNotFoundException, as a
 * Quarkus uber jar did) and once logging a NoClassDefFoundError for a JDK class and exiting 0; and
 * names the Java release a class newer than the runtime needs (built with a newer JDK than build.jdk,
 * as {@code slipway build --no-compile} after a build on JDK 25 allows, with Spring Boot 4's
 * {@code <java.version>21</java.version>}), where it had said to give the service a variable or a
 * database: the runtime refuses a real class whose class file version is one release newer.
 */
class TrainingMissingModuleTest {
    static final Jdk JDK = Jdk.at(Path.of(System.getProperty("java.home")), "the JDK running the tests");

    @TempDir
    static Path dir;
    static Path layout;

    @BeforeAll
    static void linkAndBuild() throws Exception {
        layout = dir.resolve("layout");
        Files.createDirectories(layout.resolve("app"));
        Exec.Result r = Exec.run(List.of(JDK.tool("jlink").toString(), "--add-modules", "java.base", "--output",
                layout.resolve("runtime").toString()), dir, Duration.ofMinutes(5));
        assertEquals(0, r.exitCode(), r.output());
        TestJars t = new TestJars(dir.resolve("jars"));
        Files.createDirectories(dir.resolve("jars"));
        Path jar = t.jar("app.jar", t.compile(17, Map.of("app/Main.java", """
                package app;
                public class Main {
                    public static void main(String[] a) throws Exception {
                        if (a[0].equals("zip")) {
                            java.nio.file.FileSystems.newFileSystem(java.nio.file.Path.of(a[1]));
                        } else {
                            try {
                                java.sql.DriverManager.getDrivers();
                            } catch (NoClassDefFoundError e) {
                                System.out.println("JDBC support off: " + e);
                            }
                            System.out.println("done");
                        }
                    }
                }
                """)), Map.of("Main-Class", "app.Main"));
        Files.copy(jar, layout.resolve("app/app.jar"));
    }

    private static SlipwayConfig config(String args) {
        return ConfigLoader.parse(dir.resolve("slipway.yaml"), "name: t\nbuild:\n  jdk: " + JDK.home()
                + "\ntrain:\n  urls: []\n  args: " + args + "\n  timeout: 2m\n");
    }

    private static Console console() {
        return new Console(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false);
    }

    @Test
    void aZipFileSystemOnARuntimeWithoutJdkZipfsNamesJdkZipfs() {
        SlipwayException e = assertThrows(SlipwayException.class, () -> Training.train(
                config("[zip, " + layout.resolve("app/app.jar") + "]"), JDK.feature(), layout, List.of("app/app.jar"),
                "app.Main", console()));
        assertTrue(e.getMessage().startsWith("the app needs module jdk.zipfs, which jdeps did not find: add it to"
                + " build.modules in slipway.yaml\n"), e.getMessage());
        assertTrue(e.getMessage().contains("the run printed: Exception in thread \"main\" java.nio.file.ProviderNotFoundException"),
                e.getMessage());
        assertTrue(e.getMessage().contains("(jdk.zipfs provides java.nio.file.spi.FileSystemProvider)"), e.getMessage());
        assertEquals(1, e.exitCode());
        assertTrue(e.output().contains("\tat app.Main.main"), "--debug gets the whole output");
    }

    @Test
    void aMissingJdkClassInTheLogOfASuccessfulRunNamesItsModule() {
        SlipwayException e = assertThrows(SlipwayException.class, () -> Training.train(config("[sql]"), JDK.feature(), layout,
                List.of("app/app.jar"), "app.Main", console()));
        assertTrue(e.getMessage().startsWith("the app needs module java.sql, which jdeps did not find"), e.getMessage());
        assertTrue(e.getMessage().contains("JDBC support off: java.lang.NoClassDefFoundError: java/sql/DriverManager"),
                e.getMessage());
    }

    @Test
    void aClassNewerThanTheRuntimeNamesTheJavaReleaseItNeeds() throws Exception {
        TestJars t = new TestJars(dir.resolve("jars"));
        Map<String, byte[]> classes = new HashMap<>(t.compile(17, Map.of("app/Main.java",
                "package app;\npublic class Main { public static void main(String[] a) { System.out.println(\"hi\"); } }\n")));
        int newer = JDK.feature() + 1;
        byte[] main = classes.get("app/Main.class").clone();
        main[6] = (byte) ((newer + 44) >> 8); // JVMS 4.1: major_version, big-endian, after magic and minor_version
        main[7] = (byte) (newer + 44);
        classes.put("app/Main.class", main);
        Files.copy(t.jar("new.jar", classes, Map.of("Main-Class", "app.Main")), layout.resolve("app/new.jar"));

        SlipwayException e = assertThrows(SlipwayException.class, () -> Training.train(config("[]"), JDK.feature(), layout,
                List.of("app/new.jar"), "app.Main", console()));
        assertTrue(e.getMessage().startsWith("the training run cannot load app.Main: it is compiled for Java " + newer
                + " (class file version " + (newer + 44) + ") and the runtime, linked from build.jdk (" + JDK.home()
                + "), is Java " + JDK.feature() + ": "), e.getMessage());
        assertEquals(1, e.exitCode());
    }

    @Test
    void theClassVersionHintNamesAnInstalledJdkThatIsNewEnough() {
        String log = "Error: LinkageError occurred while loading main class com.example.demo.DemoApplication\n"
                + "\tjava.lang.UnsupportedClassVersionError: com/example/demo/DemoApplication has been compiled by a"
                + " more recent version of the Java Runtime (class file version 65.0), this version of the Java Runtime"
                + " only recognizes class file versions up to 61.0\n";
        assertEquals(Optional.of("the training run cannot load com.example.demo.DemoApplication: it is compiled for"
                + " Java 21 (class file version 65) and the runtime, linked from the JDK in $JAVA_HOME or on PATH, is"
                + " Java 17: set build.jdk in slipway.yaml to /usr/lib/jvm/temurin-25-jdk-amd64 (installed here), or run"
                + " slipway with JAVA_HOME set to it"),
                Training.tooOldRuntime(log, null, release -> Optional.of("/usr/lib/jvm/temurin-25-jdk-amd64")));
        assertEquals(Optional.empty(), Training.tooOldRuntime("Exception in thread \"main\" java.lang.IllegalStateException",
                null, release -> Optional.empty()));
    }

    @Test
    void springBootWithNoDatasourceUrlNamesTheVariablesToExport() {
        // Spring Boot 4.0.7's failure analysis for start.spring.io's JPA + PostgreSQL project as
        // generated: it names no variable, and the training run said only "give the service what it needs".
        String log = "2026-12-07T18:52:55.174Z ERROR 23613 --- [demo] [           main] o.s.b.d.LoggingFailureAnalysisReporter   :\n\n"
                + "***************************\nAPPLICATION FAILED TO START\n***************************\n\nDescription:\n\n"
                + "Failed to configure a DataSource: 'url' attribute is not specified and no embedded datasource could be"
                + " configured.\n\nReason: Failed to determine a suitable driver class\n";
        assertEquals(Optional.of("Spring Boot found no database to connect to (\"Failed to configure a DataSource: 'url'"
                + " attribute is not specified\"): export SPRING_DATASOURCE_URL (jdbc:postgresql://HOST:5432/DATABASE for"
                + " PostgreSQL), SPRING_DATASOURCE_USERNAME and SPRING_DATASOURCE_PASSWORD before 'slipway ship' (the"
                + " training run and a local deploy inherit them; Slipway writes them nowhere), set spring.datasource.url"
                + " in the app's configuration, or set 'train.enabled: false' to build without a trained cache"),
                Training.noDataSourceUrl(log));
        assertTrue(Training.noDataSourceUrl("Failed to configure a ConnectionFactory: 'url' attribute is not specified and no"
                + " embedded database could be configured.\n").orElseThrow().contains("export SPRING_R2DBC_URL"
                + " (r2dbc:postgresql://HOST:5432/DATABASE for PostgreSQL), SPRING_R2DBC_USERNAME and SPRING_R2DBC_PASSWORD"));
        assertEquals(Optional.empty(), Training.noDataSourceUrl("Description:\n\nWeb server failed to start. Port 8080 was"
                + " already in use.\n"));
    }

    @Test
    void quarkusAndMicronautWithNoDatasourceUrlNameTheirOwnVariables() {
        // Quarkus 3.33 (Hibernate ORM with Panache + PostgreSQL, the starter's empty
        // application.properties) and Micronaut 4.10 (data-jdbc + postgres + flyway) as shipped: the
        // headline was "Bean is not active" / "Error instantiating bean", and the generic hint named no variable.
        String quarkus = "2026-12-07 19:49:41,821 ERROR [io.quarkus.runtime.Application] (main) Failed to start application:"
                + " java.lang.RuntimeException: Failed to start quarkus\n"
                + "Caused by: io.quarkus.arc.InactiveBeanException: Bean is not active: SYNTHETIC bean"
                + " [class=io.agroal.api.AgroalDataSource, id=83v3mgZs1bc75ou7lAXNtJCAcLA]\n"
                + "Reason: Datasource '<default>' was deactivated automatically because its URL is not set. To activate the"
                + " datasource, set configuration property 'quarkus.datasource.jdbc.url'.\n";
        assertEquals(Optional.of("Quarkus found no database to connect to (\"Datasource '<default>' was deactivated"
                + " automatically because its URL is not set\"): export QUARKUS_DATASOURCE_JDBC_URL"
                + " (jdbc:postgresql://HOST:5432/DATABASE for PostgreSQL), QUARKUS_DATASOURCE_USERNAME and"
                + " QUARKUS_DATASOURCE_PASSWORD before 'slipway ship' (the training run and a local deploy inherit them;"
                + " Slipway writes them nowhere), set quarkus.datasource.jdbc.url in the app's configuration, or set"
                + " 'train.enabled: false' to build without a trained cache"), Training.noDataSourceUrl(quarkus));
        String micronaut = "19:50:35.403 [main] ERROR io.micronaut.runtime.Micronaut - Error starting Micronaut server:"
                + " Bean definition [javax.sql.DataSource] could not be loaded: Error instantiating bean of type "
                + " [javax.sql.DataSource]\n\nMessage: Error configuring data source 'default'. No URL specified\n";
        assertTrue(Training.noDataSourceUrl(micronaut).orElseThrow().startsWith("Micronaut found no database to connect to"
                + " (\"Error configuring data source 'default'. No URL specified\"): export DATASOURCES_DEFAULT_URL"
                + " (jdbc:postgresql://HOST:5432/DATABASE for PostgreSQL), DATASOURCES_DEFAULT_USERNAME and"
                + " DATASOURCES_DEFAULT_PASSWORD before 'slipway ship'"), Training.noDataSourceUrl(micronaut).toString());
        assertTrue(Training.noDataSourceUrl(micronaut.replace("'default'", "'orders-db'")).orElseThrow()
                .contains("export DATASOURCES_ORDERS_DB_URL"));

        // A refused connection under Micronaut (HikariCP at start) names Micronaut's variables, not Spring Boot's.
        String refused = "20:01:02.003 [main] ERROR com.zaxxer.hikari.pool.HikariPool - HikariPool-1 - Exception during"
                + " pool initialization.\norg.postgresql.util.PSQLException: FATAL: password authentication failed for"
                + " user \"postgres\"\n\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication\n"
                + "\tat io.micronaut.configuration.jdbc.hikari.DatasourceFactory.dataSource(DatasourceFactory.java:73)\n";
        String m = Training.databaseRefused(refused).orElseThrow();
        assertTrue(m.startsWith("the app could not connect to its database: FATAL: password authentication failed for user"
                + " \"postgres\"; start the database"), m);
        assertTrue(m.contains("(Micronaut reads DATASOURCES_DEFAULT_URL, DATASOURCES_DEFAULT_USERNAME and"
                + " DATASOURCES_DEFAULT_PASSWORD from the environment 'slipway ship' runs in)"), m);
    }

    @Test
    void aReadinessThatAnswersNotReadyIsNotCalledASlowStart() {
        // Quarkus 3.33 with a wrong QUARKUS_DATASOURCE_PASSWORD: it starts, and its readiness answers
        // 503 naming the driver's refusal until the training run gives up; the advice was only
        // "raise train.timeout if the service starts slowly".
        Gate.Verdict answered = new Gate.Verdict(false, 503, "{ \"status\": \"DOWN\", \"checks\": [ { \"name\": \"Database"
                + " connections health check\", \"status\": \"DOWN\", \"data\": { \"<default>\": \"Unable to execute the"
                + " validation check for the default DataSource: FATAL: password authentication failed for user"
                + " \\\"postgres\\\"\" } } ] }", java.time.Duration.ofSeconds(90));
        String log = "2026-12-07 20:11:02,113 INFO  [io.smallrye.health] (vert.x-eventloop-thread-0) SRHCK01001: Reporting"
                + " health down status\n2026-12-07 20:10:01,002 INFO  [io.quarkus] (main) fruits 0.0.0 on JVM started\n";
        assertEquals("the app answers, and its readiness says what it waits for: give the service what that check needs"
                + " (a database it reaches, with the right user and password: Quarkus reads QUARKUS_DATASOURCE_JDBC_URL,"
                + " QUARKUS_DATASOURCE_USERNAME and QUARKUS_DATASOURCE_PASSWORD), raise train.timeout in slipway.yaml if"
                + " the service starts slowly", Training.notReadyHint(answered, log));
        assertEquals("raise train.timeout in slipway.yaml if the service starts slowly", Training.notReadyHint(
                new Gate.Verdict(false, 0, "ConnectException", java.time.Duration.ofSeconds(90)), log));
    }

    @Test
    void aDatabaseThatRefusesTheConnectionIsNamedByTheDriversCauseLine() {
        // Spring Boot 4.0.7 + Hibernate 7.2 with SPRING_DATASOURCE_URL on a port where no PostgreSQL
        // listens: the last lines said only "Unable to determine Dialect without JDBC metadata".
        String log = "2026-12-07T18:58:08.906Z  WARN 2150 --- [demo] [           main] org.hibernate.orm.jdbc.error"
                + "             : HHH000247: ErrorCode: 0, SQLState: 08001\n\n"
                + "org.hibernate.exception.JDBCConnectionException: Unable to obtain isolated JDBC connection [Connection to"
                + " 127.0.0.1:55499 refused. Check that the hostname and port are correct and that the postmaster is"
                + " accepting TCP/IP connections.] [n/a]\n"
                + "\tat org.hibernate.exception.internal.SQLStateConversionDelegate.convert(SQLStateConversionDelegate.java:80)\n"
                + "Caused by: org.postgresql.util.PSQLException: Connection to 127.0.0.1:55499 refused. Check that the"
                + " hostname and port are correct and that the postmaster is accepting TCP/IP connections.\n"
                + "Caused by: java.net.ConnectException: Connection refused\n"
                + "Caused by: org.hibernate.HibernateException: Unable to determine Dialect without JDBC metadata (please set"
                + " 'jakarta.persistence.jdbc.url' for common cases or 'hibernate.dialect' when a custom Dialect"
                + " implementation must be provided)\n";
        Optional<String> m = Training.databaseRefused(log);
        assertTrue(m.orElseThrow().startsWith("the app could not connect to its database: Connection to 127.0.0.1:55499"
                + " refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP"
                + " connections; start the database, or give the app one it reaches"), m.get());
        assertTrue(m.get().contains("SPRING_DATASOURCE_URL, SPRING_DATASOURCE_USERNAME and SPRING_DATASOURCE_PASSWORD"), m.get());
        // A statement's error (a migration's SQL) is no refusal of the connection.
        assertEquals(Optional.empty(), Training.databaseRefused("Caused by: org.postgresql.util.PSQLException: ERROR:"
                + " syntax error at or near \"TABEL\"\n"));
    }
}
