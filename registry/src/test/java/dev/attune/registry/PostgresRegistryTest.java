package dev.attune.registry;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;

/** The registry contract on a real PostgreSQL server, one schema per test. */
class PostgresRegistryTest extends RegistryContract {
    private PostgresServer server;
    private String url;

    @BeforeEach
    void freshSchema() {
        server = PostgresServer.get();
        url = server.freshSchemaUrl();
    }

    @Override
    ModelRegistry openRegistry() {
        return ModelRegistry.postgres(url, server.user(), server.password(), tmp.resolve("artifacts"));
    }

    @Override
    List<String> storeArguments() {
        return List.of("postgres", url, server.user(), server.password(), tmp.resolve("artifacts").toString());
    }

    @Override
    String database() {
        return "PostgreSQL";
    }
}
