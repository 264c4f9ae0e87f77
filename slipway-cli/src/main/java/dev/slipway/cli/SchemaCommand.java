package dev.slipway.cli;

import dev.slipway.config.ConfigSchema;
import picocli.CommandLine.Command;

/** {@code slipway schema}: prints the JSON Schema of slipway.yaml (generated from the config model). */
@Command(name = "schema", footerHeading = "%nExample:%n", footer = {"  slipway schema > slipway.schema.json"},
        description = "Print the JSON Schema of slipway.yaml (also in docs/slipway.schema.json).")
public final class SchemaCommand extends PrintCommand {
    @Override
    String text() {
        return ConfigSchema.json();
    }
}
