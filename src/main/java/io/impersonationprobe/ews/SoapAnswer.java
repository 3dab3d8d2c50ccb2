package io.impersonationprobe.ews;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The parts of an EWS SOAP answer the classifier needs, read from the raw bytes: what the body holds (a fault, or the
 * response of which operation with which response messages), the first response code (from a SOAP fault's detail
 * or a response message), its message, a server-requested back-off and the server version. Works for any response
 * code, including those ews-java-api's enum does not know. Whether the bytes were well-formed XML to the end is kept:
 * a verdict must never come from an answer that could not be read.
 *
 * @param responseCode      such as {@code NoError} or {@code ErrorImpersonateUserDenied}
 * @param faultCode         a SOAP fault's code without its prefix (such as {@code Client}), or null
 * @param message           the fault string or message text, or null
 * @param backOffMillis     {@code BackOffMilliseconds} from the message XML, or null
 * @param serverVersion     such as {@code 15.20.3370.16}, or null
 * @param wellFormed        false when the XML broke off or was malformed somewhere
 * @param bodyElement       the local name of the SOAP body's first element ({@code Fault}, {@code GetFolderResponse}),
 *                          or null
 * @param responseMessages  the local names of the response messages, in order
 * @param folders           the folders in the response messages' {@code Folders}, and {@code folderIds} how many of
 *                          them carry a {@code FolderId}
 */
public record SoapAnswer(String responseCode, String faultCode, String message, Long backOffMillis, String serverVersion,
                         boolean wellFormed, String bodyElement, List<String> responseMessages, int folders,
                         int folderIds) {
    private static final XMLInputFactory FACTORY = XMLInputFactory.newFactory();

    static {
        // Never resolve a DTD or an entity from an untrusted server.
        FACTORY.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        FACTORY.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        FACTORY.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    }

    /** True for a fault; false for a response message or nothing. */
    public boolean isFault() {
        return "Fault".equals(bodyElement);
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
        String bodyElement = null;
        List<String> messages = new ArrayList<>();
        int folders = 0;
        int folderIds = 0;
        boolean envelope = false;
        boolean wellFormed = true;
        int depth = 0;
        int bodyDepth = -1;
        int foldersDepth = -1;
        try {
            XMLStreamReader reader = FACTORY.createXMLStreamReader(new ByteArrayInputStream(body));
            try {
                while (reader.hasNext()) {
                    int event = reader.next();
                    if (event == XMLStreamConstants.END_ELEMENT) {
                        depth--;
                        if (depth < foldersDepth) {
                            foldersDepth = -1;
                        }
                        continue;
                    }
                    if (event != XMLStreamConstants.START_ELEMENT) {
                        continue;
                    }
                    depth++;
                    String name = reader.getLocalName();
                    if (bodyDepth > 0 && depth == bodyDepth + 1 && bodyElement == null) {
                        bodyElement = name;
                    }
                    if (foldersDepth > 0 && depth == foldersDepth + 1) {
                        folders++;
                    } else if (foldersDepth > 0 && depth == foldersDepth + 2 && "FolderId".equals(name)) {
                        folderIds++;
                    }
                    if (name.endsWith("ResponseMessage") && bodyDepth > 0 && depth == bodyDepth + 3) {
                        messages.add(name);
                    }
                    switch (name) {
                        case "Envelope" -> envelope = true;
                        case "Body" -> bodyDepth = depth;
                        case "Folders" -> foldersDepth = depth;
                        case "ServerVersionInfo" -> serverVersion = version(reader);
                        case "ResponseCode" -> {
                            String code = reader.getElementText().strip();
                            depth--;
                            // The first error wins; a NoError earlier in a batch does not hide it.
                            if (responseCode == null || "NoError".equals(responseCode)) {
                                responseCode = code;
                            }
                        }
                        case "faultcode" -> {
                            faultCode = stripPrefix(reader.getElementText().strip());
                            depth--;
                        }
                        case "faultstring", "MessageText" -> {
                            String text = reader.getElementText().strip();
                            depth--;
                            if (message == null) {
                                message = text;
                            }
                        }
                        case "Value" -> {
                            if ("BackOffMilliseconds".equals(reader.getAttributeValue(null, "Name"))) {
                                backOff = parseLong(reader.getElementText().strip());
                                depth--;
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
            wellFormed = false;
        }
        if (!envelope) {
            return Optional.empty();
        }
        if (responseCode == null && faultCode != null && faultCode.startsWith("Error")) {
            responseCode = faultCode;
        }
        return Optional.of(new SoapAnswer(responseCode, faultCode, message, backOff, serverVersion, wellFormed,
                bodyElement, List.copyOf(messages), folders, folderIds));
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
