package io.impersonationprobe.simulator;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.ls.LSInput;
import org.w3c.dom.ls.LSResourceResolver;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.transform.dom.DOMSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Microsoft's EWS message schema, loaded from a folder holding {@code Messages.xsd} and {@code Types.xsd}. The SOAP
 * envelope is not part of it, so callers validate the header and body elements one by one.
 */
public final class EwsSchema {
    private final Schema schema;

    private EwsSchema(Schema schema) {
        this.schema = schema;
    }

    public static EwsSchema load(Path folder) throws IOException, SAXException {
        SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        // Messages.xsd imports "types.xsd" while the file is Types.xsd: match names case-insensitively.
        factory.setResourceResolver(new FolderResolver(folder));
        return new EwsSchema(factory.newSchema(folder.resolve(find(folder, "messages.xsd")).toFile()));
    }

    /** Validates one element (a SOAP header entry or the body's operation); throws with the schema's complaint. */
    /** What the SOAP header's entries and the operation break of the schema, or null when they are valid. */
    String violation(Element header, Element operation) {
        try {
            if (header != null) {
                for (Node n = header.getFirstChild(); n != null; n = n.getNextSibling()) {
                    if (n instanceof Element entry) {
                        validate(entry);
                    }
                }
            }
            validate(operation);
            return null;
        } catch (SAXException | IOException e) {
            return e.getMessage();
        }
    }

    public void validate(Element element) throws SAXException, IOException {
        Validator validator = schema.newValidator();
        validator.validate(new DOMSource(element));
    }

    private static String find(Path folder, String name) throws IOException {
        try (var files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> f.equalsIgnoreCase(name))
                    .findFirst()
                    .orElseThrow(() -> new IOException(name + " not found in " + folder));
        }
    }

    private record FolderResolver(Path folder) implements LSResourceResolver {
        @Override
        public LSInput resolveResource(String type, String namespace, String publicId, String systemId, String baseUri) {
            if (XMLConstants.XML_NS_URI.equals(namespace)) {
                return new TextInput(XML_NAMESPACE_SCHEMA, systemId, publicId, baseUri);
            }
            if (systemId == null) {
                return null;
            }
            String name = Path.of(systemId).getFileName().toString().toLowerCase(Locale.ROOT);
            try {
                Path file = folder.resolve(find(folder, name));
                return new FileInput(file, systemId, publicId, baseUri);
            } catch (IOException e) {
                return null;
            }
        }
    }

    /**
     * Types.xsd imports the xml: namespace (for xml:lang) without a location; these are its attributes as the W3C
     * schema for that namespace declares them.
     */
    private static final String XML_NAMESPACE_SCHEMA = "<xs:schema targetNamespace=\"http://www.w3.org/XML/1998/namespace\""
            + " xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">"
            + "<xs:attribute name=\"lang\" type=\"xs:string\"/>"
            + "<xs:attribute name=\"space\"><xs:simpleType><xs:restriction base=\"xs:NCName\">"
            + "<xs:enumeration value=\"default\"/><xs:enumeration value=\"preserve\"/></xs:restriction></xs:simpleType>"
            + "</xs:attribute><xs:attribute name=\"base\" type=\"xs:anyURI\"/><xs:attribute name=\"id\" type=\"xs:ID\"/>"
            + "</xs:schema>";

    private record TextInput(String text, String systemId, String publicId, String baseUri) implements Input {
        @Override
        public String getStringData() {
            return text;
        }
    }

    private record FileInput(Path file, String systemId, String publicId, String baseUri) implements Input {
        @Override
        public InputStream getByteStream() {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The parts of {@link LSInput} a schema loader reads; the setters are never called. */
    private interface Input extends LSInput {
        String systemId();

        String publicId();

        String baseUri();

        @Override default InputStream getByteStream() { return null; }
        @Override default String getStringData() { return null; }
        @Override default Reader getCharacterStream() { return null; }
        @Override default void setCharacterStream(Reader r) { }
        @Override default void setByteStream(InputStream s) { }
        @Override default void setStringData(String s) { }
        @Override default String getSystemId() { return systemId(); }
        @Override default void setSystemId(String s) { }
        @Override default String getPublicId() { return publicId(); }
        @Override default void setPublicId(String s) { }
        @Override default String getBaseURI() { return baseUri(); }
        @Override default void setBaseURI(String s) { }
        @Override default String getEncoding() { return null; }
        @Override default void setEncoding(String s) { }
        @Override default boolean getCertifiedText() { return false; }
        @Override default void setCertifiedText(boolean b) { }
    }
}
