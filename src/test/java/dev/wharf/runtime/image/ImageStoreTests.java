package dev.wharf.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.content.ContentStore;
import dev.wharf.runtime.content.FileContentStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTests {

    @TempDir
    Path dir;

    @Test
    void readsTheContainerDefaultsOfTheImageConfigAndKeepsThemAcrossARestart() {
        ContentStore content = new FileContentStore(dir.resolve("content"));
        String layer = content.writeBytes("a layer".getBytes(StandardCharsets.UTF_8));
        String config = content.writeBytes("""
                {"architecture": "amd64", "os": "linux",
                 "config": {"Entrypoint": ["/docker-entrypoint.sh"], "Cmd": ["nginx", "-g", "daemon off;"],
                            "Env": ["PATH=/usr/sbin:/bin"], "WorkingDir": "/srv", "User": "101:101", "StopSignal": "SIGQUIT",
                            "ExposedPorts": {"8443/tcp": {}, "80/tcp": {}, "53/udp": {}}},
                 "rootfs": {"type": "layers", "diff_ids": ["sha256:%s"]}}
                """.formatted("1".repeat(64)).getBytes(StandardCharsets.UTF_8));
        String manifest = content.writeBytes("""
                {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                 "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "%s", "size": 1},
                 "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "%s", "size": 7}]}
                """.formatted(config, layer).getBytes(StandardCharsets.UTF_8));
        ImageInfo.ImageConfig expected = new ImageInfo.ImageConfig(List.of("/docker-entrypoint.sh"), List.of("nginx", "-g", "daemon off;"),
                List.of("PATH=/usr/sbin:/bin"), "/srv", "101:101", "SIGQUIT", List.of("53/udp", "80/tcp", "8443/tcp"));

        assertThat(store(content).register(manifest, "127.0.0.1:5000/team/nginx:1").config()).isEqualTo(expected);
        assertThat(store(content).get(manifest).config()).isEqualTo(expected);
    }

    @Test
    void anImageWithoutStopSignalOrPortsHasNone() {
        ContentStore content = new FileContentStore(dir.resolve("content"));
        String config = content.writeBytes("""
                {"config": {"Cmd": ["/bin/sh"]}, "rootfs": {"type": "layers", "diff_ids": []}}
                """.getBytes(StandardCharsets.UTF_8));
        String manifest = content.writeBytes("""
                {"schemaVersion": 2, "config": {"digest": "%s", "size": 1}, "layers": []}
                """.formatted(config).getBytes(StandardCharsets.UTF_8));

        ImageInfo.ImageConfig defaults = store(content).register(manifest, null).config();

        assertThat(defaults.stopSignal()).isNull();
        assertThat(defaults.exposedPorts()).isEmpty();
        assertThat(defaults.user()).isNull();
    }

    /** A store over {@code content} that only records images (nothing here unpacks a layer). */
    private ImageStore store(ContentStore content) {
        return new ImageStore(dir.resolve("images"), content, null, null, new ImageStore.Limits(1 << 20, 1 << 20, 1000, 1000),
                Clock.systemUTC());
    }
}
