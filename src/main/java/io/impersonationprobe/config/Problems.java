package io.impersonationprobe.config;

import java.util.ArrayList;
import java.util.List;

/** What is wrong with a configuration, each problem naming its property, collected to be reported all at once. */
final class Problems {
    private final List<String> found = new ArrayList<>();

    void add(String property, String problem) {
        found.add(property + ": " + problem);
    }

    /** How many problems have been found so far; a step that added some has failed. */
    int count() {
        return found.size();
    }

    void throwIfAny() {
        if (!found.isEmpty()) {
            throw new InvalidConfigurationException(found);
        }
    }
}
