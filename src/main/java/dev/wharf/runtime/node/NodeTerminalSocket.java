package dev.wharf.runtime.node;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.TerminalSession;
import dev.wharf.runtime.wire.NodeJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /node/v1/containers/{id}/terminal?cols=80&rows=24&arg=/bin/sh} (WebSocket), behind
 * the node credential like every node endpoint. After the upgrade the node opens the terminal and
 * sends the text frame {@code {"type":"ready"}}, or {@code {"type":"error","kind","message"}} and
 * closes (4000). Then binary frames carry bytes both ways (keystrokes in, the screen out); the text
 * frame {@code {"type":"resize","cols","rows"}} resizes. The node closes with 1000 when the
 * process has exited; a close from the caller hangs the terminal up.
 */
@Configuration
@EnableWebSocket
@ConditionalOnProperty(name = "wharf.mode", havingValue = "node")
class NodeTerminalSocket extends AbstractWebSocketHandler implements WebSocketConfigurer, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(NodeTerminalSocket.class);
    private static final Pattern PATH = Pattern.compile(".*/node/v1/containers/([^/]+)/terminal");
    static final int CLOSE_FAILED = 4000;

    private final RuntimeService runtime;
    private final Map<String, TerminalSession> terminals = new java.util.concurrent.ConcurrentHashMap<>();
    private final ExecutorService readers = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "node-terminal-output");
        thread.setDaemon(true);
        return thread;
    });

    NodeTerminalSocket(RuntimeService runtime) {
        this.runtime = runtime;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(this, "/node/v1/containers/*/terminal");
    }

    @Override
    public void destroy() {
        terminals.values().forEach(TerminalSession::close);
        readers.shutdownNow();
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession raw) throws Exception {
        WebSocketSession session = new ConcurrentWebSocketSessionDecorator(raw, 10_000, 1 << 20);
        TerminalSession terminal;
        try {
            Matcher path = PATH.matcher(raw.getUri().getRawPath());
            if (!path.matches()) {
                throw RuntimeFailure.invalid("no container in " + raw.getUri().getRawPath());
            }
            Map<String, List<String>> query = query(raw.getUri().getRawQuery());
            terminal = runtime.openTerminal(decode(path.group(1)), query.getOrDefault("arg", List.of()),
                    number(query, "cols", 80), number(query, "rows", 24));
        } catch (RuntimeFailure failure) {
            session.sendMessage(new TextMessage(NodeJson.MAPPER.writeValueAsString(
                    Map.of("type", "error", "kind", failure.kind().name(), "message", failure.getMessage()))));
            session.close(new CloseStatus(CLOSE_FAILED, failure.kind().name()));
            return;
        }
        terminals.put(raw.getId(), terminal);
        try {
            if (!raw.isOpen()) {
                throw new IOException("the caller left while the terminal opened");
            }
            session.sendMessage(new TextMessage("{\"type\":\"ready\"}"));
            readers.execute(() -> copyOutput(terminal, session));
        } catch (IOException | RuntimeException e) {
            // nobody will read this terminal: hang it up rather than leave its shell and pty behind
            TerminalSession left = terminals.remove(raw.getId());
            if (left != null) {
                left.close();
            }
            throw e;
        }
    }

    private void copyOutput(TerminalSession terminal, WebSocketSession session) {
        byte[] buffer = new byte[4096];
        try (InputStream out = terminal.output()) {
            int n;
            while ((n = out.read(buffer)) >= 0) {
                if (n > 0) {
                    session.sendMessage(new BinaryMessage(java.util.Arrays.copyOf(buffer, n)));
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("terminal output ended: {}", e.getMessage());
        }
        try {
            session.close(CloseStatus.NORMAL);
        } catch (IOException e) {
            log.debug("closing a terminal socket: {}", e.getMessage());
        }
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) throws Exception {
        TerminalSession terminal = terminals.get(session.getId());
        if (terminal != null) {
            java.nio.ByteBuffer payload = message.getPayload();
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            terminal.input().write(bytes);
            terminal.input().flush();
        }
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        TerminalSession terminal = terminals.get(session.getId());
        if (terminal == null) {
            return;
        }
        JsonNode frame = NodeJson.MAPPER.readTree(message.getPayload());
        if ("resize".equals(frame.path("type").asString())) {
            terminal.resize(frame.path("cols").asInt(80), frame.path("rows").asInt(24));
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        TerminalSession terminal = terminals.remove(session.getId());
        if (terminal != null) {
            terminal.close();
        }
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        log.debug("terminal socket failed: {}", exception.getMessage());
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> values = new java.util.HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String key = decode(equals < 0 ? pair : pair.substring(0, equals));
                String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
                values.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            }
        }
        return values;
    }

    private static int number(Map<String, List<String>> query, String name, int otherwise) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return otherwise;
        }
        try {
            return Integer.parseInt(values.get(0));
        } catch (NumberFormatException e) {
            throw RuntimeFailure.invalid(name + " must be a number, got " + values.get(0));
        }
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }
}
