package dev.wharf.platform.identity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Who the holders of recently presented API tokens are, for a few seconds: a script's calls come in
 * bursts, and each would otherwise read its token and user in a transaction of its own. Revoking a
 * token, or changing or deleting a user, forgets every entry at once and again when that change
 * commits, so it takes effect at the next request; an entry also ends with its token's expiry.
 */
@Component
class RecentTokens {

    static final Duration KEPT = Duration.ofSeconds(5);
    private static final int MAX_ENTRIES = 10_000;

    private final Clock clock;
    private final Map<String, Remembered> byHash = new ConcurrentHashMap<>();
    /** bumped by every forget: an answer read from the database before a forget is not remembered after it */
    private final AtomicLong generation = new AtomicLong();

    RecentTokens(Clock clock) {
        this.clock = clock;
    }

    /** The caller a token hash stands for, with the token's expiry, as read from the database. */
    record Holder(Caller caller, Instant tokenExpiresAt) {
    }

    private record Remembered(Holder holder, Instant until) {
    }

    /** The holder of the token with this secret hash, if it was read in the last few seconds and the token has not expired since. */
    Optional<Holder> get(String secretHash) {
        Remembered remembered = byHash.get(secretHash);
        if (remembered == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Instant expires = remembered.holder().tokenExpiresAt();
        if (!now.isBefore(remembered.until()) || (expires != null && !now.isBefore(expires))) {
            byHash.remove(secretHash, remembered);
            return Optional.empty();
        }
        return Optional.of(remembered.holder());
    }

    /** The generation to pass to {@link #remember}: take it before reading the token from the database. */
    long generation() {
        return generation.get();
    }

    /** Remembers a holder read from the database, unless something was forgotten since {@code readAt} was taken. */
    void remember(String secretHash, Holder holder, long readAt) {
        if (byHash.size() >= MAX_ENTRIES) {
            byHash.clear();
        }
        byHash.put(secretHash, new Remembered(holder, clock.instant().plus(KEPT)));
        if (generation.get() != readAt) {
            byHash.remove(secretHash); // a forget came in between: what was read may be out of date
        }
    }

    /** Forgets everyone now and, when called in a transaction, once more after it commits. */
    void forgetAll() {
        forgetNow();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    forgetNow();
                }
            });
        }
    }

    private void forgetNow() {
        generation.incrementAndGet();
        byHash.clear();
    }
}
