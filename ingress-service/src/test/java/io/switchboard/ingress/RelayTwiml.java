package io.switchboard.ingress;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.NodeList;

/** The parsed answer of the voice webhook: {@code <ConversationRelay>}'s attributes and children, as Twilio reads them. */
record RelayTwiml(Map<String, String> attributes, List<Map<String, String>> languages, Map<String, String> parameters) {

    static RelayTwiml parse(String xml) {
        try {
            Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
            NodeList relays = document.getElementsByTagName("ConversationRelay");
            if (relays.getLength() != 1) {
                throw new AssertionError("expected one <ConversationRelay> in " + xml);
            }
            Element relay = (Element) relays.item(0);
            List<Map<String, String>> languages = new ArrayList<>();
            NodeList languageNodes = relay.getElementsByTagName("Language");
            for (int i = 0; i < languageNodes.getLength(); i++) {
                languages.add(attributes((Element) languageNodes.item(i)));
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            NodeList parameterNodes = relay.getElementsByTagName("Parameter");
            for (int i = 0; i < parameterNodes.getLength(); i++) {
                Element parameter = (Element) parameterNodes.item(i);
                parameters.put(parameter.getAttribute("name"), parameter.getAttribute("value"));
            }
            return new RelayTwiml(attributes(relay), languages, parameters);
        } catch (Exception e) {
            throw new AssertionError("not TwiML: " + xml, e);
        }
    }

    private static Map<String, String> attributes(Element element) {
        Map<String, String> result = new LinkedHashMap<>();
        NamedNodeMap attributes = element.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            result.put(attributes.item(i).getNodeName(), attributes.item(i).getNodeValue());
        }
        return result;
    }
}
