package dev.slipway.init;

import java.util.List;
import java.util.Optional;

/**
 * The environment variables a framework binds to its default JDBC connection: what a new user
 * exports before {@code slipway ship} (the training run and a local deploy inherit it) or puts in
 * {@code deploy.hosts.service.secrets}. {@code init}'s comments, the training run's failure
 * messages and {@code render ci} name them from here, so that a Quarkus or Micronaut service is not
 * told Spring Boot's names.
 *
 * <p>Sources of the mappings: Spring Boot's relaxed binding ({@code spring.datasource.url} is
 * {@code SPRING_DATASOURCE_URL}); MicroProfile Config's environment mapping, which Quarkus uses
 * ({@code quarkus.datasource.jdbc.url} is {@code QUARKUS_DATASOURCE_JDBC_URL}); Micronaut's
 * environment property source ({@code DATASOURCES_DEFAULT_URL} is {@code datasources.default.url}).
 *
 * @param framework the framework, as {@link Project.Framework#label()} shows it
 * @param urlKey    the configuration property of the connection's URL
 * @param url       the variable of the URL
 * @param username  the variable of the database user
 * @param password  the variable of the user's password
 * @param signs     what the framework's log shows of it: its stack frames' package, its own log
 *                  line's shape
 */
public record DatabaseVariables(String framework, String urlKey, String url, String username, String password,
                                List<String> signs) {

    /** Spring Boot's {@code spring.datasource.*}. */
    public static final DatabaseVariables SPRING_BOOT = new DatabaseVariables("Spring Boot", "spring.datasource.url",
            "SPRING_DATASOURCE_URL", "SPRING_DATASOURCE_USERNAME", "SPRING_DATASOURCE_PASSWORD",
            List.of("org.springframework.", " --- [")); // " --- [": Spring Boot's console log pattern
    /** Spring Boot's reactive connection, {@code spring.r2dbc.*} (R2DBC); no signs of its own: {@link #SPRING_BOOT}'s. */
    public static final DatabaseVariables SPRING_BOOT_R2DBC = new DatabaseVariables("Spring Boot", "spring.r2dbc.url",
            "SPRING_R2DBC_URL", "SPRING_R2DBC_USERNAME", "SPRING_R2DBC_PASSWORD", List.of());
    /** Quarkus's default datasource, {@code quarkus.datasource.*} (Agroal). */
    public static final DatabaseVariables QUARKUS = new DatabaseVariables("Quarkus", "quarkus.datasource.jdbc.url",
            "QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD",
            List.of("io.quarkus.", "[io.quarkus]")); // "[io.quarkus]": the logger of its start and stop lines
    /** Micronaut's default datasource, {@code datasources.default.*} (micronaut-sql's JDBC pools). */
    public static final DatabaseVariables MICRONAUT = new DatabaseVariables("Micronaut", "datasources.default.url",
            "DATASOURCES_DEFAULT_URL", "DATASOURCES_DEFAULT_USERNAME", "DATASOURCES_DEFAULT_PASSWORD",
            List.of("io.micronaut."));

    private static final List<DatabaseVariables> ALL = List.of(SPRING_BOOT, QUARKUS, MICRONAUT);

    /**
     * @param framework the project's framework
     * @return its variables, or empty for a framework that binds none from the environment by itself
     */
    public static Optional<DatabaseVariables> of(Project.Framework framework) {
        return switch (framework) {
            case SPRING_BOOT -> Optional.of(SPRING_BOOT);
            case QUARKUS -> Optional.of(QUARKUS);
            case MICRONAUT -> Optional.of(MICRONAUT);
            default -> Optional.empty();
        };
    }

    /**
     * The framework whose stack frames or logger names a run's output shows first, for a message
     * about a run of an app Slipway knows only as a runtime and jars (the training run).
     *
     * @param output the run's output
     * @return its variables, or empty when the output names none of these frameworks
     */
    public static Optional<DatabaseVariables> inOutput(String output) {
        DatabaseVariables first = null;
        int at = Integer.MAX_VALUE;
        for (DatabaseVariables v : ALL) {
            for (String sign : v.signs()) {
                int i = output.indexOf(sign);
                if (i >= 0 && i < at) {
                    first = v;
                    at = i;
                }
            }
        }
        return Optional.ofNullable(first);
    }

    /** @return the three variables as a phrase: {@code URL, USERNAME and PASSWORD} */
    /**
     * Micronaut's datasource of a name ({@code datasources.NAME.*}), whose variables Micronaut
     * binds as {@code DATASOURCES_NAME_URL} (upper case, {@code -} as {@code _}).
     *
     * @param name the datasource's name, e.g. {@code default} or {@code orders-db}
     * @return its variables; {@link #MICRONAUT} for {@code default}
     */
    public static DatabaseVariables micronaut(String name) {
        String prefix = "DATASOURCES_" + name.replace('-', '_').toUpperCase(java.util.Locale.ROOT);
        return new DatabaseVariables("Micronaut", "datasources." + name + ".url", prefix + "_URL", prefix + "_USERNAME",
                prefix + "_PASSWORD", MICRONAUT.signs());
    }

    public String names() {
        return url + ", " + username + " and " + password;
    }
}
