package dev.slipway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The expansion of {@code ${PORT}}, {@code ${ADDR}} and {@code ${APP_HOME}}, and what it leaves alone. */
class ReferencesTest {
    static final References.Values VALUES = References.Values.of(41234, "10.0.0.7", "/opt/app home");

    @Test
    void theThreeReferencesExpandAnywhereInAValue() {
        assertEquals("41234", References.expand("${PORT}", VALUES));
        assertEquals("http://10.0.0.7:41234/x", References.expand("http://${ADDR}:${PORT}/x", VALUES));
        assertEquals("-Dconf=/opt/app home/config.yml", References.expand("-Dconf=${APP_HOME}/config.yml", VALUES));
        assertEquals("4123441234", References.expand("${PORT}${PORT}", VALUES));
        assertEquals("", References.expand("", VALUES));
    }

    @Test
    void everyOtherDollarTextStaysExactlyAsWritten() {
        for (String s : List.of("${HOME}", "${server.port:8080}", "$PORT", "$(PORT)", "${ PORT}", "${port}", "${PORT",
                "$${", "${", "$", "a$b`id`'q'\"dq\"\\n", "${APP_HOMEX}", "100% ${PORTS}")) {
            assertEquals(s, References.expand(s, VALUES), s);
            assertFalse(References.any(s), s);
        }
        // Around a reference, the rest stays too: no escape, no second pass over the values.
        assertEquals("$41234", References.expand("$${PORT}", VALUES));
        assertEquals("${41234}", References.expand("${${PORT}}", VALUES));
        assertEquals("'41234' \"10.0.0.7\" `x` $(y) ${HOME}", References.expand("'${PORT}' \"${ADDR}\" `x` $(y) ${HOME}", VALUES));
    }

    @Test
    void valuesAreInsertedVerbatimNeverExpandedAgain() {
        References.Values nasty = new References.Values("${PORT}", "$(id) `id` 'q' \"d\"", "/a b/${ADDR}\nline");
        assertEquals("${PORT}|$(id) `id` 'q' \"d\"|/a b/${ADDR}\nline",
                References.expand("${PORT}|${ADDR}|${APP_HOME}", nasty));
    }

    @Test
    void partsSplitLiteralTextAndReferencesInOrder() {
        assertEquals(List.of(new References.Part("a=", false), new References.Part("${PORT}", true),
                new References.Part(",${X},", false), new References.Part("${APP_HOME}", true)),
                References.parts("a=${PORT},${X},${APP_HOME}"));
        assertEquals(List.of(), References.parts(""));
        assertEquals(List.of(new References.Part("${ADDR}", true)), References.parts("${ADDR}"));
    }

    @Test
    void appHomeWhereItIsNotKnownIsAnErrorNotAnEmptyString() {
        References.Values env = References.Values.of(8080, "0.0.0.0", null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> References.expand("${APP_HOME}/x", env));
        assertTrue(e.getMessage().contains("${APP_HOME}"), e.getMessage());
        assertTrue(References.checkEnvValue("${APP_HOME}/config").contains("service.args"));
        assertNull(References.checkEnvValue("${PORT} ${ADDR} ${HOME}"));
    }

    @Test
    void envKeepsItsNamesAndOrder() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("Z", "${PORT}");
        env.put("A", "plain");
        env.put("M", "${ADDR}:${PORT}");
        assertEquals(List.of("Z", "A", "M"), List.copyOf(References.expandEnv(env, VALUES).keySet()));
        assertEquals(List.of("41234", "plain", "10.0.0.7:41234"), List.copyOf(References.expandEnv(env, VALUES).values()));
    }

    @Test
    void theLoaderRefusesAppHomeInEveryEnvMappingAtItsValue() {
        for (String[] c : new String[][] {
                {"service:\n  env:\n    CONF: \"${APP_HOME}/c.yml\"\n", "4:11", "service.env"},
                {"train:\n  env:\n    CONF: \"${APP_HOME}\"\n", "4:11", "train.env"},
                {"image:\n  env:\n    CONF: \"x${APP_HOME}\"\n", "4:11", "image.env"},
                {"deploy:\n  kubernetes:\n    env:\n      CONF: \"${APP_HOME}\"\n", "5:13", "deploy.kubernetes.env"}}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ConfigLoader.parse(Path.of("slipway.yaml"), "name: app\n" + c[0]), c[2]);
            assertTrue(e.getMessage().startsWith("slipway.yaml:" + c[1] + ": ${APP_HOME} is not known where the"
                    + " environment is set"), c[2] + ": " + e.getMessage());
            assertEquals(2, e.exitCode());
        }
        // Other references and other ${...} text load as written; they are expanded per instance.
        SlipwayConfig ok = ConfigLoader.parse(Path.of("slipway.yaml"), "name: app\nservice:\n  env:\n"
                + "    SERVER_PORT: \"${PORT}\"\n    SERVER_ADDRESS: \"${ADDR}\"\n    SPRING: \"${spring.x:1}\"\n");
        assertEquals(Map.of("SERVER_PORT", "${PORT}", "SERVER_ADDRESS", "${ADDR}", "SPRING", "${spring.x:1}"),
                ok.service().env());
    }

    /** A typo of a reference passes (frameworks expand ${...} themselves) but is warned at its value. */
    @Test
    void aNearMissOfAReferenceIsWarnedAtItsValue() {
        SlipwayConfig c = ConfigLoader.parse(Path.of("svc/slipway.yaml"), """
                name: app
                service:
                  env:
                    QUARKUS_HTTP_PORT: "${PROT}"
                    BIND: "${addr}"
                    SPRING: "${server.port:8080} ${HOST} ${HOME} ${PORT} ${APP_HOME_DIR}"
                  args: [server, "${APPHOME}/config.yml"]
                build:
                  jvmOptions: ["-Dport=${PORTS:1}"]
                train:
                  urls: ["/x?${PROT}"]
                """);
        String tail = " is not expanded by Slipway (only ${PORT}, ${ADDR} and ${APP_HOME} are; other ${...} text is left"
                + " as written); did you mean ";
        assertEquals(List.of( // in the order of the keys in the model: build before service
                "svc/slipway.yaml:9:16: warning: ${PORTS:1}" + tail + "${PORT}?",
                "svc/slipway.yaml:4:24: warning: ${PROT}" + tail + "${PORT}?",
                "svc/slipway.yaml:5:11: warning: ${addr}" + tail + "${ADDR}?",
                "svc/slipway.yaml:7:18: warning: ${APPHOME}" + tail + "${APP_HOME}?"), c.warnings());
        assertEquals("${PROT}", c.service().env().get("QUARKUS_HTTP_PORT"), "kept as written");
    }
}
