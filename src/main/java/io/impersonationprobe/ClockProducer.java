package io.impersonationprobe;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * The daemon's one clock: everything that dates results, ages state or measures windows takes it by injection, so
 * that tests move time instead of waiting for it.
 */
@Singleton
public class ClockProducer {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
