package io.impersonationprobe.simulator;

import org.w3c.dom.Element;
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

    private record FileInput(Path file, String systemId, String publicId, String baseUri) implements LSInput {
        @Override
        public InputStream getByteStream() {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override public java.io.Reader getCharacterStream() { return null; }
        @Override public void setCharacterStream(java.io.Reader r) { }
        @Override public void setByteStream(InputStream s) { }
        @Override public String getStringData() { return null; }
        @Override public void setStringData(String s) { }
        @Override public String getSystemId() { return systemId; }
        @Override public void setSystemId(String s) { }
        @Override public String getPublicId() { return publicId; }
        @Override public void setPublicId(String s) { }
        @Override public String getBaseURI() { return baseUri; }
        @Override public void setBaseURI(String s) { }
        @Override public String getEncoding() { return null; }
        @Override public void setEncoding(String s) { }
        @Override public boolean getCertifiedText() { return false; }
        @Override public void setCertifiedText(boolean b) { }
    }
}
