package dev.wharf.platform.workload;

import dev.wharf.platform.audit.AuditLog;
import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.identity.CallerResolver;
import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.Problems;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.RuntimeFailure;
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
import org.springframework.http.server.ServletServerHttpResponse;
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
import org.springframework.web.util.WebUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v1/teams/{team}/containers/{name}/terminal} (WebSocket): a shell on a
 * terminal in a running container, for members. Query {@code cols}, {@code rows} set the first
 * size. Client → server: text frames {@code {"type":"input","data":"ls\r"}} and
 * {@code {"type":"resize","cols":120,"rows":40}}; server → client: binary frames with what the
 * terminal shows. The server closes with 1000 when the shell exits.
 *
 * <p>Before the upgrade, in this order: the {@code Origin} must be this server's own (another site
 * cannot ride a dashboard session), the caller must be logged in and a member of the team, and a
 * session must be free ({@link SessionLimits}); each refusal is a plain HTTP problem answer (403,
 * 401, 404, 429) and an audit event with outcome failure. Nothing is started before the
 * connection is established: only then the shell starts (a failure then closes the socket with
 * the reason), and whatever ends the connection closes the terminal and its process.
 */
@Configuration
@EnableWebSocket
class TerminalSocket extends TextWebSocketHandler implements WebSocketConfigurer, HandshakeInterceptor {

    private static final Logger log = LoggerFactory.getLogger(TerminalSocket.class);
    private static final java.util.regex.Pattern PATH =
            java.util.regex.Pattern.compile("/api/v1/teams/([^/]+)/containers/([^/]+)/terminal");
    private static final String ACTION = "TERMINAL /api/v1/teams/{team}/containers/{name}/terminal";
    private static final String REQUEST = "terminal-request";

    private final ContainerManagement containers;
    private final CallerResolver callers;
    private final AuditLog audit;
    private final Problems problems;
    /** reads the client's frames */
    private final JsonMapper json;
    /** open terminals by WebSocket session id */
    private final Map<String, TerminalSession> terminals = new java.util.concurrent.ConcurrentHashMap<>();
    private final ExecutorService readers = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "terminal-output");
        thread.setDaemon(true);
        return thread;
    });

    TerminalSocket(ContainerManagement containers, CallerResolver callers, AuditLog audit, Problems problems, JsonMapper json) {
        this.json = json;
        this.containers = containers;
        this.callers = callers;
        this.audit = audit;
        this.problems = problems;
    }

    /** What the handshake checked, for the connection to act on. */
    private record Request(Caller caller, String team, String name, int cols, int rows, String uri, String source,
            String authMethod) {
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(this, "/api/v1/teams/*/containers/*/terminal").addInterceptors(this);
    }

    /** Checks origin, caller, role and limits before the upgrade; starts nothing. Refusals are problem answers. */
    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            Map<String, Object> attributes) throws IOException {
        HttpServletRequest servlet = ((ServletServerHttpRequest) request).getServletRequest();
        jakarta.servlet.http.HttpServletResponse answer = ((ServletServerHttpResponse) response).getServletResponse();
        Caller caller = callers.current(servlet);
        if (!WebUtils.isSameOrigin(request)) {
            return refuse(servlet, answer, caller, null, ErrorCategory.PERMISSION_DENIED,
                    "a terminal can only be opened from this server's own pages; origin " + request.getHeaders().getOrigin() + " refused");
        }
        java.util.regex.Matcher path = PATH.matcher(servlet.getRequestURI());
        if (caller == null) {
            return refuse(servlet, answer, null, null, ErrorCategory.UNAUTHENTICATED, "authentication required");
        }
        if (!path.matches()) {
            return refuse(servlet, answer, caller, null, ErrorCategory.NOT_FOUND, "no container in " + servlet.getRequestURI());
        }
        String team = path.group(1);
        String name = path.group(2);
        try {
            containers.checkTerminal(caller, team, name);
        } catch (WharfException e) {
            // a member refused (role, limits) is the team's business; a stranger's refusal is not written under the team
            boolean member = e.category() == ErrorCategory.PERMISSION_DENIED || e.category() == ErrorCategory.TOO_MANY_REQUESTS;
            return refuse(servlet, answer, caller, member ? team : null, e.category(), e.getMessage());
        }
        attributes.put(REQUEST, new Request(caller, team, name, intParam(servlet, "cols", 80), intParam(servlet, "rows", 24),
                servlet.getRequestURI(), servlet.getRemoteAddr(), authMethod(servlet, caller)));
        return true;
    }

    private boolean refuse(HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response, Caller caller, String team,
            ErrorCategory category, String detail) throws IOException {
        record(new Request(caller, team, null, 0, 0, request.getRequestURI(), request.getRemoteAddr(), authMethod(request, caller)),
                AuditLog.FAILURE, category.status().value(), detail);
        problems.write(request, response, category, detail, Map.of());
        return false;
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Exception failure) {
        // nothing was started before the connection: nothing to undo
    }

    /** Starts the shell now that the connection stands; a failure closes the socket with the reason. */
    @Override
    public void afterConnectionEstablished(WebSocketSession raw) throws IOException {
        Request request = (Request) raw.getAttributes().get(REQUEST);
        TerminalSession terminal;
        try {
            terminal = containers.terminal(request.caller(), request.team(), request.name(), request.cols(), request.rows());
        } catch (WharfException e) {
            record(request, AuditLog.FAILURE, e.category().status().value(), e.getMessage());
            raw.close((e.category() == ErrorCategory.TOO_MANY_REQUESTS ? CloseStatus.SERVICE_OVERLOAD : CloseStatus.POLICY_VIOLATION)
                    .withReason(reason(e.getMessage())));
            return;
        } catch (RuntimeFailure e) {
            record(request, AuditLog.FAILURE, org.springframework.http.HttpStatus.CONFLICT.value(), e.getMessage());
            raw.close(CloseStatus.SERVER_ERROR.withReason(reason(e.getMessage())));
            return;
        }
        terminals.put(raw.getId(), terminal);
        record(request, AuditLog.SUCCESS, 101, null);
        if (!raw.isOpen()) { // the client left while the shell started
            closeTerminal(raw);
            return;
        }
        WebSocketSession session = new ConcurrentWebSocketSessionDecorator(raw, 10_000, 1 << 20);
        try {
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
                    closeTerminal(raw);
                }
            });
        } catch (RuntimeException e) {
            closeTerminal(raw);
            throw e;
        }
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
        TerminalSession terminal = terminals.get(session.getId());
        if (terminal == null) {
            return;
        }
        JsonNode frame = json.readTree(message.getPayload());
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
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        log.debug("terminal socket failed: {}", exception.getMessage());
        closeTerminal(session);
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        closeTerminal(session);
    }

    /** Hangs up the session's terminal (its process gets SIGHUP, its pty is closed) and gives its session back. */
    private void closeTerminal(WebSocketSession session) {
        TerminalSession terminal = terminals.remove(session.getId());
        if (terminal != null) {
            terminal.close();
        }
    }

    private void record(Request request, String outcome, int status, String detail) {
        Caller caller = request.caller();
        try {
            audit.record(new AuditLog.Entry(caller == null ? "anonymous" : caller.name(), request.authMethod(),
                    caller == null ? null : caller.tokenId(), ACTION, request.uri(), request.team(), request.source(), outcome, status, detail));
        } catch (RuntimeException e) {
            log.error("could not write the audit event for the terminal {}", request.uri(), e);
        }
    }

    private static String authMethod(HttpServletRequest request, Caller caller) {
        String authorization = request.getHeader("Authorization");
        return caller != null && caller.tokenId() != null ? "token"
                : authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6) ? "password" : "session";
    }

    /** A close reason fits in 123 bytes of UTF-8. */
    private static String reason(String text) {
        byte[] bytes = (text == null ? "" : text).getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= 123) {
            return text == null ? "" : text;
        }
        int end = 120;
        while (end > 0 && (bytes[end] & 0xc0) == 0x80) {
            end--; // not inside a character
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8) + "…";
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
