package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.Health;
import dev.wharf.runtime.api.HealthCheck;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.RuntimeFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes the health of the running containers that have a {@link HealthCheck}, as Docker does.
 *
 * <h2>Lifecycle of one container's probing</h2>
 * <ul>
 * <li>Each start sets the health to {@code STARTING} ({@link #reset}, with the start) and begins a
 *     new round of probes ({@link #started}, which says so with a {@link RuntimeEvent.ContainerHealthChanged}).</li>
 * <li>The first probe runs one {@code interval} after the start, each next one an {@code interval}
 *     after the previous one ended: never two at once for one container. A probe runs the check's
 *     command with {@code runc exec}, so in the container's namespaces and cgroup, as its user; it is
 *     killed (with its children) at the check's {@code timeout} and then fails.</li>
 * <li>What a probe found is applied by {@link Health#after}; a change of status is published, and
 *     a change of status or failing streak is written to {@code container.json}.</li>
 * <li>The exit or removal of the container ends its probing ({@link #stop}); a probe still running
 *     then is not counted. A runtime that opens again goes on probing the containers still running
 *     from the health they had ({@link #recovered}).</li>
 * </ul>
 * The work is bounded however many containers a node runs, and no team can hold up another's
 * probes: one timer thread schedules the probes, and each team runs at most
 * {@link #PROBES_PER_TEAM} at once (a team's probe that is due while its team's are all running
 * waits its turn, {@link #BUSY_RETRY} at a time), each on a thread of its own that ends with it
 * (a probe waits on a process, at most its timeout). So a team whose probes hang until their
 * timeouts delays only its own. A probe keeps at most {@link ExecResult#MAX_OUTPUT_BYTES} of each
 * stream, as any exec.
 */
final class HealthMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);
    /** probes of one team that run at once, whatever the number of its containers */
    static final int PROBES_PER_TEAM = 4;
    /** how soon a probe that had to wait for its team's others is tried again */
    static final Duration BUSY_RETRY = Duration.ofMillis(250);
    /** the most a probe may run ({@link ExecSpec}'s limit), whatever the check's timeout says */
    private static final Duration LONGEST_PROBE = Duration.ofHours(1);

    /** Runs a probe's command in a running container and waits for it. */
    interface ProbeExec {
        ExecResult exec(String containerId, ExecSpec spec);
    }

    private final ContainerStore store;
    private final ProbeExec exec;
    private final RuntimeEvents events;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService probes;
    /** the round of probes of each container being probed */
    private final Map<String, Round> rounds = new ConcurrentHashMap<>();
    /** each team's probes running now, at most {@link #PROBES_PER_TEAM} */
    private final Map<Long, Semaphore> teamSlots = new ConcurrentHashMap<>();

    /** One container's probes from one start until its exit. */
    private static final class Round {
        final ContainerRecord record;
        final HealthCheck check;
        final Instant startedAt;
        volatile boolean over;
        volatile Future<?> next;

        Round(ContainerRecord record, HealthCheck check, Instant startedAt) {
            this.record = record;
            this.check = check;
            this.startedAt = startedAt;
        }

        void end() {
            over = true;
            Future<?> pending = next;
            if (pending != null) {
                pending.cancel(false);
            }
        }
    }

    HealthMonitor(ContainerStore store, ProbeExec exec, RuntimeEvents events, Clock clock) {
        this.store = store;
        this.exec = exec;
        this.events = events;
        this.clock = clock;
        this.timer = new ScheduledThreadPoolExecutor(1, daemon("wharf-health-timer"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.probes = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemon("wharf-health-probe"));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The health a start begins with: {@code STARTING}, or none without a check. Call holding the record's monitor. */
    static void reset(ContainerRecord record) {
        record.health = check(record.spec) == null ? null : Health.STARTING;
    }

    private static HealthCheck check(ContainerSpec spec) {
        return spec.options().healthCheck();
    }

    /** Begins probing a container that has just started (its health {@link #reset}), and says it is {@code STARTING}. */
    void started(ContainerRecord record) {
        HealthCheck check = check(record.spec);
        if (check == null) {
            return;
        }
        synchronized (record) {
            if (record.state != ContainerState.RUNNING) {
                return; // ended already: its exit said so
            }
            begin(record, check, record.startedAt);
            events.publish(new RuntimeEvent.ContainerHealthChanged(record.spec.id(), record.startedAt, record.health));
        }
    }

    /** Goes on probing a container found running when the runtime opened, from the health it had. */
    void recovered(ContainerRecord record) {
        HealthCheck check = check(record.spec);
        if (check == null) {
            return;
        }
        synchronized (record) {
            if (record.state == ContainerState.RUNNING) {
                if (record.health == null) {
                    record.health = Health.STARTING;
                }
                begin(record, check, record.startedAt);
            }
        }
    }

    /** Ends the probing of a container that exited or is removed; a probe still running is not counted. */
    void stop(String id) {
        Round round = rounds.remove(id);
        if (round != null) {
            round.end();
        }
    }

    /** Containers being probed now (for tests and diagnostics). */
    int probing() {
        return rounds.size();
    }

    private void begin(ContainerRecord record, HealthCheck check, Instant startedAt) {
        Round round = new Round(record, check, startedAt == null ? clock.instant() : startedAt);
        Round previous = rounds.put(record.spec.id(), round);
        if (previous != null) {
            previous.end();
        }
        schedule(round);
    }

    private void schedule(Round round) {
        if (round.over) {
            return;
        }
        try {
            round.next = timer.schedule(() -> submit(round), round.check.interval().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            round.over = true;
        }
    }

    private void submit(Round round) {
        if (round.over) {
            return;
        }
        Semaphore slots = teamSlots.computeIfAbsent(round.record.spec.teamId(), team -> new Semaphore(PROBES_PER_TEAM));
        try {
            if (!slots.tryAcquire()) {
                round.next = timer.schedule(() -> submit(round), BUSY_RETRY.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            probes.execute(() -> {
                try {
                    probe(round);
                } finally {
                    slots.release();
                }
            });
        } catch (RejectedExecutionException closed) {
            round.over = true;
        }
    }

    private void probe(Round round) {
        if (round.over) {
            return;
        }
        String id = round.record.spec.id();
        Health.Probe probe;
        try {
            probe = run(id, round.check);
        } catch (RuntimeException e) {
            log.warn("health probe of container {} could not run", id, e);
            probe = new Health.Probe(clock.instant(), clock.instant(), -1, Health.tail(String.valueOf(e.getMessage())));
        }
        ContainerRecord record = round.record;
        synchronized (record) {
            if (round.over || record.state != ContainerState.RUNNING || !store.contains(id)) {
                return; // it ended meanwhile: this probe says nothing about it
            }
            Health before = record.health == null ? Health.STARTING : record.health;
            Health after = before.after(probe, round.check, round.startedAt);
            record.health = after;
            if (after.status() != before.status() || after.failingStreak() != before.failingStreak()) {
                store.persist(record);
            }
            if (after.status() != before.status()) {
                log.info("container {} is {} ({} probe(s) failed in a row)", id, after.status().value(), after.failingStreak());
                events.publish(new RuntimeEvent.ContainerHealthChanged(id, probe.end(), after));
            }
        }
        schedule(round);
    }

    /** One probe: its exit code ({@code -1} when it timed out or could not start) and the end of what it printed. */
    private Health.Probe run(String id, HealthCheck check) {
        Duration timeout = check.timeout().compareTo(LONGEST_PROBE) > 0 ? LONGEST_PROBE : check.timeout();
        Instant start = clock.instant();
        try {
            ExecResult result = exec.exec(id, new ExecSpec(check.command(), null, null, timeout));
            String output = result.stdout() + result.stderr();
            if (result.timedOut()) {
                return new Health.Probe(start, clock.instant(), -1,
                        Health.tail(output + "health check timed out after " + timeout.toSeconds() + " s"));
            }
            if (result.truncated()) {
                output += "\nhealth check printed more than " + ExecResult.MAX_OUTPUT_BYTES + " bytes and was killed";
            }
            return new Health.Probe(start, clock.instant(), result.exitCode(), Health.tail(output));
        } catch (RuntimeFailure e) {
            // the command cannot run in the container (not found, not executable): a failed probe, as in Docker
            return new Health.Probe(start, clock.instant(), -1, Health.tail(e.getMessage()));
        }
    }

    @Override
    public void close() {
        rounds.values().forEach(Round::end);
        rounds.clear();
        timer.shutdownNow();
        probes.shutdown(); // a probe running now ends at its timeout; interrupting it would leave its process in the container
    }

    /** After {@link #close()}: waits up to {@code timeout} for the probes still running (and their state writes) to end. */
    boolean awaitProbes(Duration timeout) throws InterruptedException {
        return probes.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
