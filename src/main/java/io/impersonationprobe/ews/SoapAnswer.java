package io.impersonationprobe.ews;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.ByteArrayInputStream;
import java.util.Optional;

/**
 * The parts of an EWS SOAP answer the classifier needs, read from the raw bytes: the first response code (from a
 * SOAP fault's detail or a response message), its message, a server-requested back-off and the server version.
 * Works for any response code, including those ews-java-api's enum does not know.
 *
 * @param responseCode   such as {@code NoError} or {@code ErrorImpersonateUserDenied}
 * @param faultCode      a SOAP fault's code without its prefix (such as {@code Client}), or null
 * @param message        the fault string or message text, or null
 * @param backOffMillis  {@code BackOffMilliseconds} from the message XML, or null
 * @param serverVersion  such as {@code 15.20.3370.16}, or null
 */
public record SoapAnswer(String responseCode, String faultCode, String message, Long backOffMillis, String serverVersion) {
    private static final XMLInputFactory FACTORY = XMLInputFactory.newFactory();

    static {
        // Never resolve a DTD or an entity from an untrusted server.
        FACTORY.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        FACTORY.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        FACTORY.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    }

    /** The parsed answer, or empty when the bytes are not a SOAP envelope. */
    public static Optional<SoapAnswer> parse(byte[] body) {
        if (body == null || body.length == 0) {
            return Optional.empty();
        }
        String responseCode = null;
        String faultCode = null;
        String message = null;
        Long backOff = null;
        String serverVersion = null;
        boolean envelope = false;
        try {
            XMLStreamReader reader = FACTORY.createXMLStreamReader(new ByteArrayInputStream(body));
            try {
                while (reader.hasNext()) {
                    if (reader.next() != XMLStreamConstants.START_ELEMENT) {
                        continue;
                    }
                    switch (reader.getLocalName()) {
                        case "Envelope" -> envelope = true;
                        case "ServerVersionInfo" -> serverVersion = version(reader);
                        case "ResponseCode" -> {
                            String code = reader.getElementText().strip();
                            // The first error wins; a NoError earlier in a batch does not hide it.
                            if (responseCode == null || "NoError".equals(responseCode)) {
                                responseCode = code;
                            }
                        }
                        case "faultcode" -> faultCode = stripPrefix(reader.getElementText().strip());
                        case "faultstring", "MessageText" -> {
                            if (message == null) {
                                message = reader.getElementText().strip();
                            }
                        }
                        case "Value" -> {
                            if ("BackOffMilliseconds".equals(reader.getAttributeValue(null, "Name"))) {
                                backOff = parseLong(reader.getElementText().strip());
                            }
                        }
                        default -> {
                        }
                    }
                }
            } finally {
                reader.close();
            }
        } catch (XMLStreamException e) {
            if (!envelope) {
                return Optional.empty();
            }
        }
        if (!envelope) {
            return Optional.empty();
        }
        if (responseCode == null && faultCode != null && faultCode.startsWith("Error")) {
            responseCode = faultCode;
        }
        return Optional.of(new SoapAnswer(responseCode, faultCode, message, backOff, serverVersion));
    }

    private static String version(XMLStreamReader reader) {
        String major = reader.getAttributeValue(null, "MajorVersion");
        if (major == null) {
            return null;
        }
        return major + "." + reader.getAttributeValue(null, "MinorVersion") + "."
                + reader.getAttributeValue(null, "MajorBuildNumber") + "." + reader.getAttributeValue(null, "MinorBuildNumber");
    }

    private static String stripPrefix(String qname) {
        int colon = qname.indexOf(':');
        return colon < 0 ? qname : qname.substring(colon + 1);
    }

    private static Long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
