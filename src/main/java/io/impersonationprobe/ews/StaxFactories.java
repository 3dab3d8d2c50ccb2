package io.impersonationprobe.ews;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import javax.xml.stream.XMLEventFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import java.util.function.Supplier;

/**
 * ews-java-api asks for a new StAX factory for every request it writes and every answer it reads; without these
 * system properties each such call searches the class path for a provider (several percent of a probe's CPU). At
 * startup they are pinned to the providers that search finds now, which changes nothing else; properties already set
 * (by the operator, with {@code -D}) are left alone. The daemon's one JVM-wide setting.
 */
@ApplicationScoped
public class StaxFactories {

    void pin(@Observes StartupEvent event) {
        pin("javax.xml.stream.XMLInputFactory", XMLInputFactory::newInstance);
        pin("javax.xml.stream.XMLOutputFactory", XMLOutputFactory::newInstance);
        pin("javax.xml.stream.XMLEventFactory", XMLEventFactory::newInstance);
    }

    private static void pin(String property, Supplier<Object> factory) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, factory.get().getClass().getName());
        }
    }
}
