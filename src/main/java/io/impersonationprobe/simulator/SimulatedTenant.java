package io.impersonationprobe.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The one model behind every endpoint of the simulator: its state, the access rules that decide from it, the faults
 * a scenario has switched on, the movable clock and the counters. Every answer follows from these.
 */
public final class SimulatedTenant {
    private final String directoryId = DemoTenant.DIRECTORY_ID;
    private final String domain = DemoTenant.DOMAIN;
    private final SimulatorClock clock;
    private final TenantState state;
    private final AccessRules access;
    private final Stats stats = new Stats();
    /** When the demo tenant's content was first made: a reset makes the same content, timestamps included. */
    private final Instant seededAt;
    private volatile Faults faults = Faults.none();

    /** The demo tenant ({@link DemoTenant}) with this delay for grants and none for gate changes, on real time. */
    public SimulatedTenant(Duration propagationDelay) {
        this(PropagationDelays.NONE.withGrant(propagationDelay));
    }

    /** The demo tenant ({@link DemoTenant}) with these propagation delays, on real time. */
    public SimulatedTenant(PropagationDelays delays) {
        this(Clock.systemUTC(), delays);
    }

    SimulatedTenant(Clock base, PropagationDelays delays) {
        this.clock = new SimulatorClock(base);
        this.state = new TenantState(clock, delays);
        this.access = new AccessRules(state, clock);
        this.seededAt = clock.instant();
        state.reset(this::seed);
    }

    private void seed(TenantState empty) {
        DemoTenant.seed(empty, seededAt);
    }

    /** Back to the demo tenant: its content, no faults, real time, counters at zero. */
    public void reset() {
        clock.reset();
        state.reset(this::seed);
        faults = Faults.none();
        stats.reset();
    }

    public TenantState state() {
        return state;
    }

    public AccessRules access() {
        return access;
    }

    public SimulatorClock clock() {
        return clock;
    }

    public Stats stats() {
        return stats;
    }

    public Faults faults() {
        return faults;
    }

    public void setFaults(Faults faults) {
        this.faults = faults;
    }

    public String directoryId() {
        return directoryId;
    }

    public String domain() {
        return domain;
    }

    /** True for the tenant's GUID or its initial domain, as Entra accepts both in the authority URL. */
    boolean isTenant(String id) {
        return directoryId.equalsIgnoreCase(id) || domain.equalsIgnoreCase(id);
    }

    /** The simulated time. */
    Instant now() {
        return clock.instant();
    }
}
