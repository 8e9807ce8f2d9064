package dev.wharf.bench;

import dev.wharf.WharfApplication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.metrics.StartupStep;

/**
 * Where a start's time goes (run by {@code bench/startup-profile.sh}): starts Wharf with Spring's
 * {@link BufferingApplicationStartup}, prints the steps that took longest (bean creations with their own
 * time, without the beans they created on the way, and the context's phases), then stops it.
 * Arguments are Wharf's own ({@code --wharf.mode=node ...}); {@code -Dprofile.top=N} how many to print.
 */
public final class StartupProfile {

    private StartupProfile() {
    }

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        BufferingApplicationStartup startup = new BufferingApplicationStartup(200_000);
        SpringApplication application = new SpringApplication(WharfApplication.class);
        application.setApplicationStartup(startup);
        ConfigurableApplicationContext context = application.run(args);
        long total = System.nanoTime() - t0;
        StartupTimeline timeline = startup.getBufferedTimeline();
        List<StartupTimeline.TimelineEvent> events = timeline.getEvents();
        // a step's own time: its duration less that of its direct children
        java.util.Map<Long, Long> childTime = new java.util.HashMap<>();
        for (StartupTimeline.TimelineEvent e : events) {
            Long parent = e.getStartupStep().getParentId();
            if (parent != null) {
                childTime.merge(parent, e.getDuration().toNanos(), Long::sum);
            }
        }
        record Row(String name, long total, long self) {
        }
        List<Row> rows = new ArrayList<>();
        for (StartupTimeline.TimelineEvent e : events) {
            StartupStep step = e.getStartupStep();
            StringBuilder name = new StringBuilder(step.getName());
            for (StartupStep.Tag tag : step.getTags()) {
                if (tag.getKey().equals("beanName") || tag.getKey().equals("postProcessor") || tag.getKey().equals("listener")) {
                    name.append(' ').append(tag.getValue());
                }
            }
            long d = e.getDuration().toNanos();
            rows.add(new Row(name.toString(), d, d - childTime.getOrDefault(step.getId(), 0L)));
        }
        int top = Integer.getInteger("profile.top", 40);
        System.out.printf("%nstart to context ready: %d ms (JVM start not included)%n", Duration.ofNanos(total).toMillis());
        System.out.println("\nsteps by own time (ms own / ms total):");
        rows.stream().sorted(Comparator.comparingLong(Row::self).reversed()).limit(top)
                .forEach(r -> System.out.printf("%7.1f %7.1f  %s%n", r.self / 1e6, r.total / 1e6, r.name));
        System.out.println("\nphases:");
        rows.stream().filter(r -> !r.name.startsWith("spring.beans.instantiate") && r.total > 50_000_000L)
                .forEach(r -> System.out.printf("%7.1f  %s%n", r.total / 1e6, r.name));
        System.out.printf("%nbean creations: %d%n", rows.stream().filter(r -> r.name.startsWith("spring.beans.instantiate")).count());
        context.close();
        System.exit(0);
    }
}
