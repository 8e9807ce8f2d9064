package dev.wharf.platform.workload;

import dev.wharf.platform.audit.AuditLog;
import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.identity.CallerResolver;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.TerminalSession;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v1/teams/{team}/containers/{name}/terminal} (WebSocket): a shell on a
 * terminal in a running container, for members. Query {@code cols}, {@code rows} set the first
 * size. Client → server: text frames {@code {"type":"input","data":"ls\r"}} and
 * {@code {"type":"resize","cols":120,"rows":40}}; server → client: binary frames with what the
 * terminal shows. The server closes with 1000 when the shell exits. Same-origin only, like every
 * Spring WebSocket endpoint by default, so another site cannot ride a dashboard session.
 */
@Configuration
@EnableWebSocket
class TerminalSocket extends TextWebSocketHandler implements WebSocketConfigurer, HandshakeInterceptor {

    private static final Logger log = LoggerFactory.getLogger(TerminalSocket.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final java.util.regex.Pattern PATH =
            java.util.regex.Pattern.compile("/api/v1/teams/([^/]+)/containers/([^/]+)/terminal");

    private final ContainerManagement containers;
    private final CallerResolver callers;
    private final AuditLog audit;
    private final ExecutorService readers = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "terminal-output");
        thread.setDaemon(true);
        return thread;
    });

    TerminalSocket(ContainerManagement containers, CallerResolver callers, AuditLog audit) {
        this.containers = containers;
        this.callers = callers;
        this.audit = audit;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(this, "/api/v1/teams/*/containers/*/terminal").addInterceptors(this);
    }

    /** Checks who asks, and for which container, before the upgrade; refusals are plain HTTP answers. */
    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            Map<String, Object> attributes) {
        HttpServletRequest servlet = ((ServletServerHttpRequest) request).getServletRequest();
        java.util.regex.Matcher path = PATH.matcher(servlet.getRequestURI());
        Caller caller = callers.current(servlet);
        if (caller == null || !path.matches()) {
            response.setStatusCode(org.springframework.http.HttpStatus.UNAUTHORIZED);
            return false;
        }
        int cols = intParam(servlet, "cols", 80);
        int rows = intParam(servlet, "rows", 24);
        String team = path.group(1);
        String name = path.group(2);
        try {
            attributes.put("terminal", containers.terminal(caller, team, name, cols, rows));
        } catch (WharfException e) {
            response.setStatusCode(e.category().status());
            return false;
        } catch (dev.wharf.runtime.api.RuntimeFailure e) {
            response.setStatusCode(org.springframework.http.HttpStatus.CONFLICT);
            return false;
        }
        audit.record(new AuditLog.Entry(caller.name(), caller.tokenId() != null ? "token" : "session", caller.tokenId(),
                "TERMINAL /api/v1/teams/{team}/containers/{name}/terminal", servlet.getRequestURI(), team, servlet.getRemoteAddr(),
                AuditLog.SUCCESS, 101, null));
        return true;
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Exception failure) {
        // nothing to do
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession raw) {
        WebSocketSession session = new ConcurrentWebSocketSessionDecorator(raw, 10_000, 1 << 20);
        TerminalSession terminal = (TerminalSession) raw.getAttributes().get("terminal");
        readers.submit(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream out = terminal.output()) {
                int n;
                while ((n = out.read(buffer)) > 0) {
                    session.sendMessage(new BinaryMessage(java.util.Arrays.copyOf(buffer, n)));
                }
                session.close(CloseStatus.NORMAL.withReason("process exited"));
            } catch (IOException | IllegalStateException e) {
                log.debug("terminal output ended: {}", e.getMessage());
            } finally {
                terminal.close();
            }
        });
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
        TerminalSession terminal = (TerminalSession) session.getAttributes().get("terminal");
        JsonNode frame = JSON.readTree(message.getPayload());
        switch (frame.path("type").asString("")) {
            case "input" -> {
                terminal.input().write(frame.path("data").asString("").getBytes(StandardCharsets.UTF_8));
                terminal.input().flush();
            }
            case "resize" -> terminal.resize(Math.max(1, Math.min(1000, frame.path("cols").asInt(80))),
                    Math.max(1, Math.min(1000, frame.path("rows").asInt(24))));
            default -> session.close(CloseStatus.BAD_DATA.withReason("frames are {type: input|resize}"));
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Object terminal = session.getAttributes().get("terminal");
        if (terminal instanceof TerminalSession t) {
            t.close();
        }
    }

    private static int intParam(HttpServletRequest request, String name, int fallback) {
        try {
            String value = request.getParameter(name);
            return value == null ? fallback : Math.max(1, Math.min(1000, Integer.parseInt(value)));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
