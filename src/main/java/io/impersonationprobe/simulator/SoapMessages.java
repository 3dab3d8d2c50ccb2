package io.impersonationprobe.simulator;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** The SOAP the simulated EWS endpoint answers with, shaped like the responses recorded from Exchange Online. */
final class SoapMessages {
    static final String SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
    static final String TYPES = "http://schemas.microsoft.com/exchange/services/2006/types";
    static final String MESSAGES = "http://schemas.microsoft.com/exchange/services/2006/messages";
    static final String ERRORS = "http://schemas.microsoft.com/exchange/services/2006/errors";

    private static final String SERVER_VERSION = "<h:ServerVersionInfo MajorVersion=\"15\" MinorVersion=\"20\" "
            + "MajorBuildNumber=\"8769\" MinorBuildNumber=\"23\" Version=\"V2018_01_08\" xmlns:h=\"" + TYPES + "\" "
            + "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/>";

    private SoapMessages() {
    }

    /** A successful GetFolder answer with the folder's ID only, as for {@code BaseShape IdOnly}. */
    static String getFolderSuccess(String mailbox, String folderName) {
        String element = switch (folderName) {
            case "calendar" -> "t:CalendarFolder";
            case "contacts" -> "t:ContactsFolder";
            case "tasks" -> "t:TasksFolder";
            case "searchfolders" -> "t:SearchFolder";
            default -> "t:Folder";
        };
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\"" + SOAP + "\"><s:Header>"
                + SERVER_VERSION + "</s:Header><s:Body><m:GetFolderResponse xmlns:m=\"" + MESSAGES + "\" "
                + "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                + "xmlns:t=\"" + TYPES + "\"><m:ResponseMessages><m:GetFolderResponseMessage ResponseClass=\"Success\">"
                + "<m:ResponseCode>NoError</m:ResponseCode><m:Folders><" + element + "><t:FolderId Id=\""
                + folderId(mailbox, folderName) + "\" ChangeKey=\"AQAAABYAAAC30utV9Qm1Tp6i563HuBDKAAER7Am7\"/></"
                + element + "></m:Folders></m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse>"
                + "</s:Body></s:Envelope>";
    }

    /**
     * A SOAP fault as Exchange sends it with HTTP 500 for request-level errors such as a denied impersonation.
     *
     * @param messageXml the content of {@code t:MessageXml}, already XML, or null
     */
    static String fault(String responseCode, String message, String messageXml) {
        String text = escape(message);
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\"" + SOAP + "\"><s:Body><s:Fault>"
                + "<faultcode xmlns:a=\"" + TYPES + "\">a:" + responseCode + "</faultcode>"
                + "<faultstring xml:lang=\"en-US\">" + text + "</faultstring><detail>"
                + "<e:ResponseCode xmlns:e=\"" + ERRORS + "\">" + responseCode + "</e:ResponseCode>"
                + "<e:Message xmlns:e=\"" + ERRORS + "\">" + text + "</e:Message>"
                + (messageXml == null ? "" : "<t:MessageXml xmlns:t=\"" + TYPES + "\">" + messageXml + "</t:MessageXml>")
                + "</detail></s:Fault></s:Body></s:Envelope>";
    }

    private static final Map<String, String> RESPONSE_MESSAGES = Map.of(
            "ErrorMailboxMoveInProgress", "Mailbox move in progress. Try again later.",
            "ErrorMailboxStoreUnavailable", "The mailbox database is temporarily unavailable.",
            "ErrorInvalidLicense", "The mailbox doesn't have a valid license.",
            "ErrorOrganizationAccessBlocked", "Access to the organization is blocked.",
            "ErrorAccessDenied", "Access is denied. Check credentials and try again.",
            "ErrorImpersonationFailed", "Impersonation failed.",
            "ErrorConnectionFailed", "Connection could not be established.",
            "ErrorInternalServerError", "An internal server error occurred. The operation failed.",
            "ErrorNoRespondingCASInDestinationSite", "No responding Client Access server in the destination site.",
            "ErrorExceededConnectionCount", "You have exceeded the available concurrent connections for your account.");

    /** The message Exchange sends with a response code; a generic one for codes not listed. */
    static String messageFor(String responseCode) {
        return RESPONSE_MESSAGES.getOrDefault(responseCode, "The request failed (" + responseCode + ").");
    }

    static String value(String name, String value) {
        return "<t:Value Name=\"" + escape(name) + "\">" + escape(value) + "</t:Value>";
    }

    /** Stable per mailbox and folder, shaped like Exchange's base64 folder IDs. */
    static String folderId(String mailbox, String folderName) {
        return Base64.getEncoder().encodeToString(("AAMkAD:" + mailbox + ":" + folderName).getBytes(StandardCharsets.UTF_8));
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
