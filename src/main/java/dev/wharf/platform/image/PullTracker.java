package dev.wharf.platform.image;

import dev.wharf.runtime.api.PullProgress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Pulls in progress and recently finished, per team, with bytes done and total per layer, so
 * the API and the dashboard can show a long download moving. Kept in memory for ten minutes.
 */
@Component
public class PullTracker {

    private static final Duration KEEP = Duration.ofMinutes(10);

    private final Clock clock;
    private final Map<String, Pull> pulls = new ConcurrentHashMap<>();

    PullTracker(Clock clock) {
        this.clock = clock;
    }

    public record LayerView(String digest, long done, long total) {
    }

    /** @param state {@code pulling}, {@code done} or {@code failed} */
    public record PullView(String id, String reference, String state, Instant startedAt, Instant finishedAt, long bytesDone,
            long bytesTotal, List<LayerView> layers, String digest, String error) {
    }

    /** One pull; progress comes from the runtime's download threads. */
    public final class Pull {
        final String id = UUID.randomUUID().toString();
        final long teamId;
        final String reference;
        final Instant startedAt = clock.instant();
        private final Map<String, LayerView> layers = new LinkedHashMap<>();
        private volatile String state = "pulling";
        private volatile Instant finishedAt;
        private volatile String digest;
        private volatile String error;

        Pull(long teamId, String reference) {
            this.teamId = teamId;
            this.reference = reference;
        }

        public String id() {
            return id;
        }

        public synchronized void progress(PullProgress progress) {
            layers.put(progress.layer(), new LayerView(progress.layer(), progress.done(), progress.total()));
        }

        public void done(String imageDigest) {
            digest = imageDigest;
            finishedAt = clock.instant();
            state = "done";
        }

        public void failed(String message) {
            error = message;
            finishedAt = clock.instant();
            state = "failed";
        }

        public synchronized PullView view() {
            List<LayerView> list = List.copyOf(layers.values());
            return new PullView(id, reference, state, startedAt, finishedAt, list.stream().mapToLong(LayerView::done).sum(),
                    list.stream().mapToLong(LayerView::total).sum(), list, digest, error);
        }
    }

    public Pull start(long teamId, String reference) {
        Instant cutoff = clock.instant().minus(KEEP);
        pulls.values().removeIf(p -> p.finishedAt != null && p.finishedAt.isBefore(cutoff));
        Pull pull = new Pull(teamId, reference);
        pulls.put(pull.id, pull);
        return pull;
    }

    public List<PullView> forTeam(long teamId) {
        return pulls.values().stream().filter(p -> p.teamId == teamId).sorted(Comparator.comparing((Pull p) -> p.startedAt).reversed())
                .map(Pull::view).toList();
    }

    public java.util.Optional<PullView> get(long teamId, String id) {
        Pull pull = pulls.get(id);
        return pull == null || pull.teamId != teamId ? java.util.Optional.empty() : java.util.Optional.of(pull.view());
    }
}
