package dev.attune.registry;

import java.util.List;

/** The registry contract on the embedded SQLite store. */
class SqliteRegistryTest extends RegistryContract {
    @Override
    ModelRegistry openRegistry() {
        return ModelRegistry.sqlite(tmp.resolve("registry"));
    }

    @Override
    List<String> storeArguments() {
        return List.of("sqlite", tmp.resolve("registry").toString());
    }

    @Override
    String database() {
        return "SQLite";
    }
}
