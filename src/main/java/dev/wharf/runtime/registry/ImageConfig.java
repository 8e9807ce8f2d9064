package dev.wharf.runtime.registry;

import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The container defaults of an image config (OCI or Docker): the fields of its {@code config}
 * object that a container starts with unless its spec says otherwise. Absent fields are empty.
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public ImageConfig {
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
    }

    /** Reads the defaults from an image config blob; malformed JSON throws Jackson's exception. */
    public static ImageConfig parse(byte[] json) {
        JsonNode config = JSON.readTree(json).path("config");
        return new ImageConfig(strings(config.path("Entrypoint")), strings(config.path("Cmd")), strings(config.path("Env")),
                config.path("WorkingDir").asString(""), config.path("User").asString(""));
    }

    private static List<String> strings(JsonNode array) {
        return array.valueStream().map(value -> value.asString()).toList();
    }
}
