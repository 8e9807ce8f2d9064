package dev.wharf.runtime.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.ContainerDefaults.Resolved;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ContainerDefaultsTests {

    private static final String IMAGE = "127.0.0.1:5000/team/app:1";

    /** An image config with only what a case needs. */
    private static ImageInfo.ImageConfig image(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir,
            String user, String stopSignal) {
        return new ImageInfo.ImageConfig(entrypoint, cmd, env, workingDir, user, stopSignal, List.of("80/tcp"));
    }

    /** A container request: command, env, workingDir, user. */
    private record Request(List<String> command, Map<String, String> env, String workingDir, String user) {
        static final Request NOTHING = new Request(null, null, null, null);
    }

    static Stream<Arguments> merges() {
        ImageInfo.ImageConfig nginx = image(List.of("/docker-entrypoint.sh"), List.of("nginx", "-g", "daemon off;"),
                List.of("PATH=/usr/sbin:/bin", "NGINX_VERSION=1.27"), "/srv", "101:101", "SIGQUIT");
        ImageInfo.ImageConfig shell = image(null, List.of("/bin/sh"), null, null, null, null);
        return Stream.of(
                Arguments.of("the image's defaults when the request says nothing", nginx, Request.NOTHING,
                        new Resolved(List.of("/docker-entrypoint.sh", "nginx", "-g", "daemon off;"),
                                Map.of("PATH", "/usr/sbin:/bin", "NGINX_VERSION", "1.27"), "/srv", "101:101", "QUIT")),
                Arguments.of("a command replaces cmd and follows the entrypoint; env overrides key by key", nginx,
                        new Request(List.of("nginx", "-t"), Map.of("NGINX_VERSION", "test", "MODE", "debug"), "/tmp", "0"),
                        new Resolved(List.of("/docker-entrypoint.sh", "nginx", "-t"),
                                Map.of("PATH", "/usr/sbin:/bin", "NGINX_VERSION", "test", "MODE", "debug"), "/tmp", "0", "QUIT")),
                Arguments.of("an empty command keeps the image's cmd", shell, new Request(List.of(), Map.of(), "", " "),
                        new Resolved(List.of("/bin/sh"), Map.of(), "/", "0:0", "TERM")),
                Arguments.of("no cmd in the image: the entrypoint runs with the command as its arguments",
                        image(List.of("/bin/app"), null, List.of("EMPTY=", "BARE", "EQUALS=a=b"), "/app", "1000", "9"),
                        new Request(List.of("--serve"), null, null, null),
                        new Resolved(List.of("/bin/app", "--serve"), Map.of("EMPTY", "", "BARE", "", "EQUALS", "a=b"), "/app", "1000",
                                "KILL")),
                Arguments.of("a request's numeric user wins over the image's name", image(null, List.of("/bin/sh"), null, null,
                        "nginx", "sigterm"), new Request(null, null, null, "33:33"),
                        new Resolved(List.of("/bin/sh"), Map.of(), "/", "33:33", "TERM")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("merges")
    void mergesTheImageConfigWithTheRequest(String description, ImageInfo.ImageConfig config, Request request, Resolved expected) {
        Resolved resolved = ContainerDefaults.resolve(IMAGE, config, request.command(), request.env(), request.workingDir(),
                request.user());
        assertThat(resolved).isEqualTo(expected);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("no command anywhere", image(null, null, null, null, null, null), Request.NOTHING,
                        "image " + IMAGE + " has no command; give one"),
                Arguments.of("a user name in the image", image(null, List.of("nginx"), null, null, "nginx", null), Request.NOTHING,
                        "image " + IMAGE + " runs as user \"nginx\"; only a numeric uid[:gid] is supported"),
                Arguments.of("a user name in the request", image(null, List.of("sh"), null, null, null, null),
                        new Request(null, null, null, "www-data:33"),
                        "the container asks for user \"www-data:33\"; only a numeric uid[:gid] is supported"),
                Arguments.of("a group name", image(null, List.of("sh"), null, null, "1000:staff", null), Request.NOTHING,
                        "runs as user \"1000:staff\""),
                Arguments.of("a stop signal the runtime cannot send", image(null, List.of("/sbin/init"), null, null, null,
                        "SIGRTMIN+3"), Request.NOTHING, "image " + IMAGE + " has the stop signal \"SIGRTMIN+3\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWhatItCannotRun(String description, ImageInfo.ImageConfig config, Request request, String message) {
        assertThatThrownBy(() -> ContainerDefaults.resolve(IMAGE, config, request.command(), request.env(), request.workingDir(),
                request.user()))
                .isInstanceOf(RuntimeFailure.class).hasMessageContaining(message)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT));
    }

    @Test
    void theResultFillsAContainerSpec() {
        Resolved run = ContainerDefaults.resolve(IMAGE, image(null, List.of("/bin/sh"), List.of("PATH=/bin"), "/root", "1000:1000",
                "SIGINT"), null, Map.of("A", "1"), null, null);
        ContainerSpec spec = new ContainerSpec("abc", "app", 1, new Rootfs.Image("sha256:" + "a".repeat(64)), run.args(), run.env(),
                run.workingDir(), run.user(), null, run.stopSignal());
        assertThat(spec.uid()).isEqualTo(1000);
        assertThat(spec.stopSignal()).isEqualTo("INT");
        assertThat(spec.env()).containsEntry("PATH", "/bin").containsEntry("A", "1");
    }
}
