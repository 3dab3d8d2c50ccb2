package io.impersonationprobe.testing;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Namespace-aware XML for assertions: parse, list element paths, find elements. */
public final class Xml {
    private Xml() {
    }

    public static Document parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            // Some recorded files start with a byte order mark.
            String text = xml.startsWith("\uFEFF") ? xml.substring(1) : xml;
            return factory.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError("not XML: " + e.getMessage(), e);
        }
    }

    /** Every element's path as {@code {namespace}local/{namespace}local/...}. */
    public static Set<String> paths(Document document) {
        Set<String> paths = new LinkedHashSet<>();
        collect(document.getDocumentElement(), "", paths);
        return paths;
    }

    private static void collect(Element element, String parent, Set<String> into) {
        String path = parent + "/{" + element.getNamespaceURI() + "}" + element.getLocalName();
        into.add(path);
        for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element child) {
                collect(child, path, into);
            }
        }
    }

    public static List<Element> children(Element parent) {
        List<Element> children = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                children.add(e);
            }
        }
        return children;
    }

    public static Element child(Element parent, String localName) {
        return children(parent).stream().filter(e -> e.getLocalName().equals(localName)).findFirst()
                .orElseThrow(() -> new AssertionError("no <" + localName + "> in <" + parent.getLocalName() + ">"));
    }
}
