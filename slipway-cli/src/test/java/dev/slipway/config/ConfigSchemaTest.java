package dev.slipway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/slipway.schema.json is the schema generated from the config model, and every YAML example
 * in docs/ and the example service's file validate against it; the complete ones (with
 * {@code name}) also load with {@link ConfigLoader}, fragments are validated with a name added.
 */
class ConfigSchemaTest {
    static final Path REPO = Path.of(System.getProperty("slipway.repo", "..")).toAbsolutePath().normalize();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static JsonSchema schema() throws Exception {
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(new ObjectMapper().readTree(ConfigSchema.json()));
    }

    @Test
    void docsHoldTheGeneratedSchema() throws Exception {
        assertEquals(ConfigSchema.json(), Files.readString(REPO.resolve("docs/slipway.schema.json")),
                "docs/slipway.schema.json is stale: run './slipway schema > docs/slipway.schema.json'");
    }

    @Test
    void everyYamlExampleInDocsValidatesAndLoads() throws Exception {
        JsonSchema schema = schema();
        List<String> examples = new ArrayList<>();
        Pattern block = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);
        try (Stream<Path> docs = Files.list(REPO.resolve("docs"))) {
            for (Path md : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                Matcher m = block.matcher(Files.readString(md));
                while (m.find()) {
                    examples.add(md.getFileName() + "\n" + m.group(1));
                }
            }
        }
        examples.add("examples/myapp/slipway.yaml\n" + Files.readString(REPO.resolve("examples/myapp/slipway.yaml")));
        assertTrue(examples.size() >= 4, "examples found: " + examples.size());
        for (String ex : examples) {
            String where = ex.substring(0, ex.indexOf('\n'));
            String yaml = ex.substring(ex.indexOf('\n') + 1);
            JsonNode node = YAML.readTree(yaml);
            boolean complete = node.has("name");
            if (!complete) { // a fragment of a file (e.g. docs/building.md): validate it inside one
                ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("name", "example");
            }
            Set<ValidationMessage> errors = schema.validate(node);
            assertEquals(Set.of(), errors, where + ":\n" + yaml);
            if (complete) {
                // Read as if it were examples/myapp/slipway.yaml, so that extra files resolve there.
                ConfigLoader.parse(REPO.resolve("examples/myapp/slipway.yaml"), yaml);
            }
        }
    }

    @Test
    void theSchemaRejectsWhatTheLoaderRejects() throws Exception {
        JsonSchema schema = schema();
        for (String bad : List.of("name: a\nservce: {}\n", "name: a\nservice: {port: eighty}\n",
                "name: a\nrelease: {checksum: {algorithm: md5}}\n", "name: a\nservice: {drainTimeout: 30}\n",
                "version: 1.0\n", "name: a\nrelease: {changelog: {groups: [{title: x, regexp: y}]}}\n")) {
            JsonNode node = YAML.readTree(bad);
            assertFalse(schema.validate(node).isEmpty(), "schema accepts:\n" + bad);
        }
    }

    @Test
    void deprecatedKeysAreMarked() throws Exception {
        JsonNode s = new ObjectMapper().readTree(ConfigSchema.json());
        assertTrue(s.at("/properties/release/properties/snapshot/properties/nameTemplate/deprecated").asBoolean());
        assertEquals("[\"sha256\",\"sha512\"]",
                s.at("/properties/release/properties/checksum/properties/algorithm/enum").toString());
    }
}
